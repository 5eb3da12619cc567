//! The ingest benchmark: Affidavit's group commit against raw single-row inserts
//! into the same PostgreSQL, side by side in one run, plus the same load on
//! embedded SQLite.
//!
//! `cargo bench -p ingest-server --bench ingest -- [flags]` (see `--help`;
//! `scripts/bench` runs the documented sweep). It starts a durable throwaway
//! PostgreSQL (fsync and synchronous commit on), pre-builds realistic batches,
//! then for each session count runs each target on a fresh database with the
//! same bytes, order and concurrency. Ratios matter more than absolute numbers:
//! the machine is small and shared, so only runs made minutes apart compare.
//! Everything is bounded in time and count, and talks to 127.0.0.1 only.

mod batches;
mod flags;
mod load;
mod page;
mod raw;
mod report;
mod server;

use std::time::Duration;

use clap::Parser;
use sqlx::{Connection, PgConnection};
use testkit::postgres::{ClusterOptions, Durability, PgServer};
use tokio::sync::watch;

use flags::{Flags, Target};
use load::Plan;
use report::Row;
use server::Server;

// The same allocator as the `affidavit` binary, so the in-process server is measured
// as it runs in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(flags))
}

async fn run(flags: Flags) -> anyhow::Result<()> {
    let mut options = ClusterOptions::new(Durability::Durable);
    options.max_connections = flags.raw_connections + 100;
    // Durability-neutral tuning any production server has: a cache larger than
    // the 128 MB default, and WAL room so no checkpoint lands inside a run
    // (one is forced between runs instead).
    options.settings = vec![
        ("shared_buffers".into(), "512MB".into()),
        ("max_wal_size".into(), "16GB".into()),
        ("checkpoint_timeout".into(), "30min".into()),
    ];
    let pg = PgServer::start(&options).map_err(anyhow::Error::msg)?;
    let postgres_version = check_durable(&pg).await?;

    let mut runs: Vec<(usize, Option<u64>)> = flags.sessions.iter().map(|&n| (n, None)).collect();
    if !flags.no_paced {
        runs.extend(
            flags
                .paced_sessions
                .iter()
                .map(|&n| (n, Some(flags.pace_ms))),
        );
    }
    let mut rows = Vec::new();
    let mut sizes = batches::Sizes::default();
    for (i, &(n, pace_ms)) in runs.iter().enumerate() {
        let plan = Plan {
            duration: Duration::from_secs(flags.duration),
            pace: pace_ms.map(Duration::from_millis),
        };
        let mut per_session = (flags.max_batches / n).max(1);
        if let Some(p) = pace_ms {
            per_session = per_session.min((flags.duration * 1000 / p.max(1)) as usize + 2);
        }
        eprintln!(
            "== {n} sessions, {}: building {per_session} batches each",
            load_name(pace_ms)
        );
        let seed = flags.seed.wrapping_add(n as u64);
        let sessions =
            tokio::task::spawn_blocking(move || batches::build(n, per_session, seed)).await?;
        sizes.add(&sessions);
        for &target in &flags.targets {
            let row = run_one(&pg, target, &sessions, plan, pace_ms, i, &flags).await?;
            eprintln!(
                "   {:<24} {:>7.0} batches/s {:>6.1} MB/s  errors {}",
                target.label(),
                row.outcome.rate(),
                row.outcome.mb_per_s(),
                row.outcome.error_count()
            );
            rows.push(row);
        }
    }

    let command = format!(
        "cargo bench -p ingest-server --bench ingest --{}",
        std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .map(|a| format!(" {a}"))
            .collect::<String>()
    );
    let generated = format!(
        "Command: `{command}`\n\nMachine: {}\n\nServer: {}\n\nBatches: {}\n\n{}\n{}",
        report::machine(&postgres_version),
        server::describe(&flags),
        sizes.describe(),
        report::table(&mut rows),
        report::verdict(&mut rows),
    );
    println!("{generated}");
    if flags.write_benchmarks {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        report::write_benchmarks(&path, &generated)?;
        eprintln!("updated {}", path.display());
    }
    pg.stop().map_err(anyhow::Error::msg)
}

fn load_name(pace_ms: Option<u64>) -> String {
    pace_ms.map_or("closed loop".into(), |p| format!("paced 1 per {p} ms"))
}

/// Refuses to measure a cluster that does not flush commits; returns its version.
async fn check_durable(pg: &PgServer) -> anyhow::Result<String> {
    let mut admin = PgConnection::connect(&pg.url("postgres")).await?;
    for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&mut admin)
            .await?;
        anyhow::ensure!(
            value == "on",
            "{setting} is {value}; the benchmark needs durable commits"
        );
    }
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut admin)
        .await?;
    Ok(format!(
        "PostgreSQL {version} (fsync, synchronous_commit on)"
    ))
}

/// A fresh database for run `i` of `target`, after a checkpoint, so no run
/// pays for the dirty pages of the one before.
async fn fresh_database(pg: &PgServer, name: String) -> anyhow::Result<String> {
    let url = pg.create_database(&name).await?;
    let mut admin = PgConnection::connect(&pg.url("postgres")).await?;
    sqlx::query("CHECKPOINT").execute(&mut admin).await?;
    Ok(url)
}

async fn drop_database(pg: &PgServer, name: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect(&pg.url("postgres")).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    Ok(())
}

async fn run_one(
    pg: &PgServer,
    target: Target,
    sessions: &[batches::Session],
    plan: Plan,
    pace_ms: Option<u64>,
    i: usize,
    flags: &Flags,
) -> anyhow::Result<Row> {
    let mut row = Row {
        target,
        sessions: sessions.len(),
        pace_ms,
        outcome: load::Outcome::default(),
        mean_group: None,
        max_pending: None,
        catch_up_s: None,
    };
    match target {
        Target::RawPg => {
            let name = format!("raw_{i}");
            let url = fresh_database(pg, name.clone()).await?;
            let connections = (sessions.len() as u32).min(flags.raw_connections).max(1);
            let pool = raw::prepare(&url, connections).await?;
            row.outcome =
                load::drive(sessions, plan, || raw::RawSender { pool: pool.clone() }).await;
            pool.close().await;
            drop_database(pg, &name).await?;
        }
        Target::AffidavitPg => {
            let name = format!("affidavit_{i}");
            let url = fresh_database(pg, name.clone()).await?;
            let server = Server::start(Some(url), flags).await?;
            affidavit(server, sessions, plan, &mut row).await?;
            drop_database(pg, &name).await?;
        }
        Target::AffidavitSqlite => {
            let server = Server::start(None, flags).await?;
            affidavit(server, sessions, plan, &mut row).await?;
        }
    }
    Ok(row)
}

/// Drives the server while sampling the integrator's backlog, then waits for the
/// tree to cover everything and reads the commit group sizes.
async fn affidavit(
    server: Server,
    sessions: &[batches::Session],
    plan: Plan,
    row: &mut Row,
) -> anyhow::Result<()> {
    let reader = server.metrics_reader();
    let (stop, mut stopped) = watch::channel(false);
    let sampler = tokio::spawn(async move {
        let mut max = 0.0_f64;
        loop {
            if let Ok(m) = reader.read().await {
                max = max.max(server::pending(&m));
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                _ = stopped.changed() => return max,
            }
        }
    });
    row.outcome = load::drive(sessions, plan, || server.sender()).await;
    let _ = stop.send(true);
    row.max_pending = Some(sampler.await?);
    let last = row
        .outcome
        .last_accepted
        .unwrap_or_else(std::time::Instant::now);
    let entries = row.outcome.accepted + row.outcome.sessions_opened;
    row.catch_up_s = Some(server.catch_up(last, entries).await?);
    let metrics = server.metrics().await?;
    row.mean_group = server::mean_group(&metrics);
    let appended = metrics
        .get("affidavit_ingest_batches_total{outcome=\"appended\"}")
        .copied()
        .unwrap_or(0.0);
    anyhow::ensure!(
        appended as u64 == row.outcome.accepted,
        "the server appended {appended} batches but answered {} receipts",
        row.outcome.accepted
    );
    server.stop().await
}
