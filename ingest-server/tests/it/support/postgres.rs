//! A throwaway PostgreSQL server for the whole test process, one database per test.
//!
//! The cluster is started once (initdb + pg_ctl from the PostgreSQL 15 binaries)
//! on a free loopback port, with its data and socket in a temp directory, and
//! fsync off: these tests check behaviour, not durability. Rust never drops
//! statics, so a detached watchdog shell waits for this process to exit and then
//! stops the server and deletes the directory, however the tests end.
//!
//! Environment:
//! - `AFFIDAVIT_TEST_PG_URL`: a superuser URL of a server to use instead
//!   (databases named `t_…` are created in it and left behind).
//! - `AFFIDAVIT_TEST_PG_BIN`: the directory holding initdb and pg_ctl
//!   (default `/usr/lib/postgresql/15/bin`).
//!
//! Without binaries or a URL the tests fail with a message saying so; they are
//! never skipped, because a storage contract that silently did not run is worse
//! than a red test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, Executor};

const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";

#[derive(Debug)]
struct Server {
    /// Superuser URL without a database name, e.g. `postgres://postgres@127.0.0.1:5433`.
    base_url: String,
    /// Query string of the URL (with its `?`), kept when naming another database.
    query: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();

fn server() -> &'static Server {
    SERVER.get_or_init(|| match std::env::var("AFFIDAVIT_TEST_PG_URL") {
        Ok(url) => split_url(&url),
        Err(_) => {
            start_cluster().unwrap_or_else(|why| panic!("cannot start the test PostgreSQL: {why}"))
        }
    })
}

/// The superuser URL of database `name` on the test server.
pub fn superuser_url(name: &str) -> String {
    let server = server();
    format!("{}/{name}{}", server.base_url, server.query)
}

/// Creates database `name` (unless it exists) and returns its superuser URL.
pub async fn database(name: &str) -> String {
    let mut admin = PgConnection::connect(&superuser_url("postgres"))
        .await
        .expect("connect to the test server");
    let created = admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await;
    if let Err(e) = created {
        // 42P04 duplicate_database: a test reopening its own database.
        let exists =
            matches!(&e, sqlx::Error::Database(db) if db.code().as_deref() == Some("42P04"));
        assert!(exists, "CREATE DATABASE {name}: {e}");
    }
    admin.close().await.expect("close admin connection");
    superuser_url(name)
}

/// A fresh, uniquely named database; returns its superuser URL.
pub async fn fresh_database() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    database(&name).await
}

/// A small superuser pool to a test database, for tampering and inspection.
pub async fn superuser_pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(3)
        .connect(url)
        .await
        .expect("superuser pool")
}

fn split_url(url: &str) -> Server {
    let (main, query) = match url.find('?') {
        Some(at) => (&url[..at], url[at..].to_owned()),
        None => (url, String::new()),
    };
    // Drop the database path, if any, after the authority.
    let authority_start = main.find("://").map_or(0, |i| i + 3);
    let base = match main[authority_start..].find('/') {
        Some(slash) => &main[..authority_start + slash],
        None => main,
    };
    Server {
        base_url: base.to_owned(),
        query,
    }
}

fn start_cluster() -> Result<Server, String> {
    let bin = PathBuf::from(
        std::env::var("AFFIDAVIT_TEST_PG_BIN").unwrap_or_else(|_| DEFAULT_BIN.into()),
    );
    let (initdb, pg_ctl) = (bin.join("initdb"), bin.join("pg_ctl"));
    if !initdb.exists() || !pg_ctl.exists() {
        return Err(format!(
            "PostgreSQL binaries not found in {} (install them with `apt-get install -y postgresql-15`, \
             point AFFIDAVIT_TEST_PG_BIN at them, or set AFFIDAVIT_TEST_PG_URL to a superuser URL)",
            bin.display()
        ));
    }
    let dir = std::env::temp_dir().join(format!("affidavit-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    // initdb and postgres refuse to run as root: run them as `postgres` then.
    let as_postgres: Vec<String> = if is_root()? {
        run(Command::new("chown").arg("postgres:").arg(&dir))?;
        ["runuser", "-u", "postgres", "--"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    };
    let data = dir.join("data");
    spawn_watchdog(&pg_ctl, &data, &dir, &as_postgres)?;

    run(prefixed(&as_postgres, &initdb).arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ]))?;
    let port = free_port()?;
    let server_options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    run(prefixed(&as_postgres, &pg_ctl)
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("pg.log"))
        .args(["-w", "-t", "60", "-o", &server_options, "start"]))?;
    Ok(Server {
        base_url: format!("postgres://postgres@127.0.0.1:{port}"),
        query: String::new(),
    })
}

fn prefixed(prefix: &[String], program: &Path) -> Command {
    match prefix.split_first() {
        Some((first, rest)) => {
            let mut cmd = Command::new(first);
            cmd.args(rest).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

/// Stops the server and removes `dir` once this test process has exited.
fn spawn_watchdog(
    pg_ctl: &Path,
    data: &Path,
    dir: &Path,
    as_postgres: &[String],
) -> Result<(), String> {
    const SCRIPT: &str = r#"pid=$1; pg_ctl=$2; data=$3; dir=$4; shift 4
while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
"$@" "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir""#;
    // setsid: a new session, so a Ctrl-C aimed at the test run does not kill it.
    Command::new("setsid")
        .args(["sh", "-c", SCRIPT, "affidavit-pg-watchdog"])
        .arg(std::process::id().to_string())
        .arg(pg_ctl)
        .arg(data)
        .arg(dir)
        .args(as_postgres)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("starting the cleanup watchdog (setsid sh): {e}"))
}

fn is_root() -> Result<bool, String> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("id -u: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding a port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
