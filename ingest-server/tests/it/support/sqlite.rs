//! SQLite stores in temp directories: the real file, WAL and all, removed after the test.

use std::path::Path;

use ingest_server::storage::{SqliteOptions, SqliteStore};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// Opens (creating and migrating) the store at `path` with the default options.
pub async fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, SqliteOptions::default())
        .await
        .expect("SQLite store opens")
}

/// A second, unrestricted pool on the same file, as someone holding the file would have.
pub async fn raw_pool(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(std::time::Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .expect("raw SQLite pool")
}
