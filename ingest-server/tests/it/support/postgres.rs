//! A throwaway PostgreSQL server for the whole test process, one database per test.
//!
//! The cluster comes from `testkit` and is started once, in fast mode (fsync
//! off): these tests check behaviour, not durability. It is stopped and deleted
//! when the test process exits, however the tests end.
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

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgPool, PgPoolOptions};
use testkit::postgres::{ClusterOptions, Durability, PgServer};

static SERVER: OnceLock<PgServer> = OnceLock::new();

fn server() -> &'static PgServer {
    SERVER.get_or_init(|| match std::env::var("AFFIDAVIT_TEST_PG_URL") {
        Ok(url) => PgServer::external(&url),
        Err(_) => PgServer::start(&ClusterOptions::new(Durability::Fast))
            .unwrap_or_else(|why| panic!("cannot start the test PostgreSQL: {why}")),
    })
}

/// The superuser URL of database `name` on the test server.
pub fn superuser_url(name: &str) -> String {
    server().url(name)
}

/// Creates database `name` (unless it exists) and returns its superuser URL.
pub async fn database(name: &str) -> String {
    server()
        .create_database(name)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"))
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
