//! When the database cannot answer in time, the store says `Unavailable` (the API's
//! 503, which clients retry), never a generic error or a hang.

use std::time::{Duration, Instant};

use ingest_server::storage::{
    PostgresOptions, PostgresStore, SqliteOptions, SqliteStore, Storage, StorageError,
};
use sqlx::{Connection, Executor};

use super::{ORIGIN, PROJECT, batch, new_project, seal, session};
use crate::support::postgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_by_another_process_is_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("affidavit.sqlite3");
    let options = SqliteOptions {
        busy_timeout_ms: 200,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(&path, options).await.expect("opens");
    store
        .create_project(&new_project(PROJECT, "awk_demo"))
        .await
        .expect("project");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("connect");
    other
        .execute("BEGIN IMMEDIATE")
        .await
        .expect("other process takes the write lock");

    let started = Instant::now();
    let result = store
        .append_batches(ORIGIN, &seal(), &[batch(session(1), 0, b"zero")])
        .await;

    assert!(
        matches!(result, Err(StorageError::Unavailable(_))),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?}",
        started.elapsed()
    );
    other.execute("ROLLBACK").await.expect("release");
    assert!(
        store
            .append_batches(ORIGIN, &seal(), &[batch(session(1), 0, b"zero")])
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_statement_timeout_is_unavailable() {
    let url = postgres::fresh_database().await;
    let options = PostgresOptions {
        statement_timeout_ms: 300,
        ..PostgresOptions::default()
    };
    let store = PostgresStore::connect(&url, options)
        .await
        .expect("connects");
    store
        .create_project(&new_project(PROJECT, "awk_demo"))
        .await
        .expect("project");
    store
        .append_batches(ORIGIN, &seal(), &[batch(session(1), 0, b"zero")])
        .await
        .expect("first batch");
    let mut other = sqlx::PgConnection::connect(&url).await.expect("connect");
    other.execute("BEGIN").await.expect("begin");
    other
        .execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("another node holds the heads");

    let result = store
        .append_batches(ORIGIN, &seal(), &[batch(session(1), 1, b"one")])
        .await;

    assert!(
        matches!(result, Err(StorageError::Unavailable(_))),
        "{result:?}"
    );
    other.execute("ROLLBACK").await.expect("release");
    assert!(
        store
            .append_batches(ORIGIN, &seal(), &[batch(session(1), 1, b"one")])
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_that_refuses_connections_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    // Nothing listens on `port` once the listener above is dropped.
    let url = format!("postgres://postgres@127.0.0.1:{port}/none");

    let result = PostgresStore::connect(&url, PostgresOptions::default()).await;

    assert!(
        matches!(result, Err(StorageError::Unavailable(_))),
        "{result:?}"
    );
}
