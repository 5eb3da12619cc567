//! The bench's command line. Every run is bounded twice: by time (`--duration`)
//! and by count (`--max-batches`, which also bounds the memory of pre-built batches).

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Affidavit on the durable throwaway PostgreSQL.
    AffidavitPg,
    /// Single-row INSERTs, one autocommit transaction each, into the same PostgreSQL.
    RawPg,
    /// Affidavit on embedded SQLite (synchronous = FULL).
    AffidavitSqlite,
}

impl Target {
    pub fn label(self) -> &'static str {
        match self {
            Target::AffidavitPg => "Affidavit, PostgreSQL",
            Target::RawPg => "raw INSERT, PostgreSQL",
            Target::AffidavitSqlite => "Affidavit, SQLite",
        }
    }
}

#[derive(Debug, Clone, Parser)]
#[command(about = "Affidavit ingest benchmark: group commit vs raw single-row inserts")]
pub struct Flags {
    /// Concurrent sessions; one run per value (and per target).
    #[arg(long, value_delimiter = ',', default_value = "1,50,500")]
    pub sessions: Vec<usize>,
    /// What to run, in this order for each session count.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "raw-pg,affidavit-pg,affidavit-sqlite"
    )]
    pub targets: Vec<Target>,
    /// Seconds each run sends for.
    #[arg(long, default_value_t = 15)]
    pub duration: u64,
    /// At most this many batches per run.
    #[arg(long, default_value_t = 30_000)]
    pub max_batches: usize,
    /// Session counts also run paced (each session posts one batch every
    /// `--pace-ms`), a fixed offered load below saturation, where latency means
    /// service time rather than queueing (closed-loop latency is just
    /// sessions ÷ throughput).
    #[arg(long, value_delimiter = ',', default_value = "500")]
    pub paced_sessions: Vec<usize>,
    /// Skip the paced runs.
    #[arg(long)]
    pub no_paced: bool,
    /// A paced session's interval between batches, in ms.
    #[arg(long, default_value_t = 1000)]
    pub pace_ms: u64,
    /// Connections the raw reference may open (one per session up to this).
    #[arg(long, default_value_t = 500)]
    pub raw_connections: u32,
    /// Overrides `ingest.writer_shards` (default: the production default).
    #[arg(long)]
    pub writer_shards: Option<usize>,
    /// Overrides `ingest.max_group_batches`.
    #[arg(long)]
    pub max_group_batches: Option<usize>,
    /// Overrides `database.postgres.max_connections` (the server's pool).
    #[arg(long)]
    pub pg_pool: Option<u32>,
    /// Overrides `integrator.interval_ms`.
    #[arg(long)]
    pub integrator_ms: Option<u64>,
    /// Seed of the batch generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Replace the "Ingest" section of BENCHMARKS.md with this run's results.
    #[arg(long)]
    pub write_benchmarks: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}
