//! A throwaway PostgreSQL server: started from the local binaries on a free
//! loopback port, its data and socket in a temp directory, removed when the
//! process that started it exits (however it exits).
//!
//! Environment: `AFFIDAVIT_TEST_PG_BIN` names the directory holding initdb and
//! pg_ctl (default `/usr/lib/postgresql/15/bin`).

mod cluster;

use std::path::PathBuf;

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Executor};

/// Where Debian's `postgresql-15` package puts the server binaries.
pub const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";
/// Overrides [`DEFAULT_BIN`].
pub const BIN_ENV: &str = "AFFIDAVIT_TEST_PG_BIN";

/// What a commit costs the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync`, `synchronous_commit` and `full_page_writes` off: a crash can lose
    /// or corrupt data, which functional tests do not care about, and they run
    /// several times faster.
    Fast,
    /// PostgreSQL's own defaults (`fsync`, `synchronous_commit`, `full_page_writes`
    /// on): a commit returns only once its WAL is flushed. Benchmarks need this;
    /// without it they measure a database no one runs in production.
    Durable,
}

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    pub durability: Durability,
    /// Directory holding `initdb` and `pg_ctl`.
    pub bin_dir: PathBuf,
    /// The server's `max_connections`.
    pub max_connections: u32,
    /// Further server settings, passed as `-c name=value`.
    pub settings: Vec<(String, String)>,
}

impl ClusterOptions {
    /// `durability`, the binaries from `AFFIDAVIT_TEST_PG_BIN` or [`DEFAULT_BIN`],
    /// and room for 300 connections.
    pub fn new(durability: Durability) -> Self {
        ClusterOptions {
            durability,
            bin_dir: PathBuf::from(std::env::var(BIN_ENV).unwrap_or_else(|_| DEFAULT_BIN.into())),
            max_connections: 300,
            settings: Vec::new(),
        }
    }
}

/// A PostgreSQL server reachable as the superuser `postgres`.
#[derive(Debug)]
pub struct PgServer {
    /// Superuser URL without a database name, e.g. `postgres://postgres@127.0.0.1:5433`.
    base_url: String,
    /// Query string of the URL (with its `?`), kept when naming another database.
    query: String,
    /// Set when this process started the server.
    cluster: Option<cluster::Cluster>,
}

impl PgServer {
    /// Starts a new cluster (initdb + pg_ctl, under 2 s). A watchdog stops it and
    /// deletes its directory once this process exits, since statics are never dropped.
    pub fn start(options: &ClusterOptions) -> Result<PgServer, String> {
        let cluster = cluster::Cluster::start(options)?;
        Ok(PgServer {
            base_url: format!("postgres://postgres@127.0.0.1:{}", cluster.port),
            query: String::new(),
            cluster: Some(cluster),
        })
    }

    /// A server someone else runs, given any superuser URL of it (its database
    /// name, if any, is ignored). Its durability is whatever it was started with.
    pub fn external(url: &str) -> PgServer {
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
        PgServer {
            base_url: base.to_owned(),
            query,
            cluster: None,
        }
    }

    /// The superuser URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/{name}{}", self.base_url, self.query)
    }

    /// Creates database `name` unless it exists; returns its superuser URL.
    /// `name` must be a plain SQL identifier.
    pub async fn create_database(&self, name: &str) -> Result<String, sqlx::Error> {
        let mut admin = PgConnection::connect(&self.url("postgres")).await?;
        let created = admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await;
        match created {
            Ok(_) => {}
            // 42P04 duplicate_database: a caller reopening its own database.
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e),
        }
        admin.close().await?;
        Ok(self.url(name))
    }

    /// The server log, when this process started the server.
    pub fn log_file(&self) -> Option<PathBuf> {
        self.cluster.as_ref().map(|c| c.log_file())
    }

    /// Stops a server this process started and deletes its directory (the
    /// watchdog would do the same at exit); does nothing for an external one.
    pub fn stop(self) -> Result<(), String> {
        match self.cluster {
            Some(cluster) => cluster.stop(),
            None => Ok(()),
        }
    }
}
