//! Rollback: an older copy of the database, internally consistent and signed by
//! the real key, put back after the log had grown. Only the checkpoint published
//! outside the database can tell.

use std::sync::Arc;

use ingest_server::configuration::Settings;
use ingest_server::startup::Application;
use ingest_server::storage::{PostgresStore, SqliteStore, Storage};
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Connection, Executor};
use tempfile::TempDir;

use super::{At, BATCHES, ENTRIES, SESSIONS, expect_finding, failed_checks, post_batches, show};
use crate::api::batches::new_session;
use crate::api::harness::{start, test_settings};
use crate::support::{self, Backend};

/// Batches sent after the copy was taken.
const LATER: u64 = 3;

crate::both_backends!(a_restored_older_copy_is_reported_and_refused_at_start);
async fn a_restored_older_copy_is_reported_and_refused_at_start(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let settings = test_settings(&data_dir);
    let db = Db::open(backend, &settings).await;
    let app = start(backend, settings, db.store.clone(), data_dir, true).await;
    let mut sessions = Vec::new();
    for s in 0..SESSIONS {
        sessions.push(new_session());
        post_batches(&app, sessions[s], 0..BATCHES, 3 + s).await;
    }
    app.wait_for_tree(ENTRIES).await;
    let (settings, _, data_dir) = app.stop().await;
    db.close().await;
    let old_copy = Backup::take(backend, &settings).await;
    let db = Db::open(backend, &settings).await;
    let app = start(backend, settings, db.store.clone(), data_dir, false).await;
    post_batches(&app, sessions[0], BATCHES..BATCHES + LATER, 3).await;
    app.wait_for_tree(ENTRIES + LATER).await;
    let (settings, _, data_dir) = app.stop().await;
    db.close().await;
    old_copy.put_back(&settings).await;
    let db = Db::open(backend, &settings).await;

    let report = crate::api::fsck(db.store.as_ref(), &settings, &data_dir).await;
    let restart = Application::build_with_store(settings.clone(), db.store.clone()).await;

    assert_eq!(
        failed_checks(&report),
        ["published"],
        "fsck found:\n{}",
        show(&report)
    );
    expect_finding(
        &report,
        "published",
        At::index(ENTRIES),
        &format!(
            "covers {} entries but the tree holds only {ENTRIES}: the log was truncated or rolled back",
            ENTRIES + LATER
        ),
    );
    let refused = format!(
        "{:#}",
        restart.expect_err("the server must refuse to start")
    );
    assert!(
        refused.contains("does not extend the last published checkpoint")
            && refused.contains("rolled back"),
        "{refused}"
    );
}

/// A store whose connections the test can really close (an `Arc<dyn Storage>`
/// cannot be closed), so the database can be copied or replaced with nothing
/// connected to it: no SQLite WAL left behind, no Postgres session in the way.
struct Db {
    store: Arc<dyn Storage>,
    pool: Pool,
}

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    async fn open(backend: Backend, settings: &Settings) -> Db {
        match backend {
            Backend::Sqlite => {
                let store =
                    SqliteStore::open(&settings.sqlite_path(), settings.database.sqlite.clone())
                        .await
                        .expect("SQLite store opens");
                let pool = Pool::Sqlite(store.pool().clone());
                Db {
                    store: Arc::new(store),
                    pool,
                }
            }
            Backend::Postgres => {
                let url = support::postgres::database(&database_name(settings)).await;
                let store = PostgresStore::connect(&url, settings.database.postgres.clone())
                    .await
                    .expect("Postgres store connects");
                let pool = Pool::Postgres(store.pool().clone());
                Db {
                    store: Arc::new(store),
                    pool,
                }
            }
        }
    }

    async fn close(self) {
        match self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A copy of the whole database, taken while nothing was connected.
enum Backup {
    /// A standalone file written by `VACUUM INTO` (no WAL to go with it).
    Sqlite {
        _dir: TempDir,
        file: std::path::PathBuf,
    },
    /// A database created from the live one as its template.
    Postgres { name: String },
}

impl Backup {
    async fn take(backend: Backend, settings: &Settings) -> Backup {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let file = dir.path().join("old.sqlite3");
                let raw = support::sqlite::raw_pool(&settings.sqlite_path()).await;
                let vacuum = format!("VACUUM INTO '{}'", file.display());
                raw.execute(AssertSqlSafe(vacuum))
                    .await
                    .expect("VACUUM INTO");
                raw.close().await;
                Backup::Sqlite { _dir: dir, file }
            }
            Backend::Postgres => {
                let live = database_name(settings);
                let name = format!("{live}_old");
                admin(&format!("CREATE DATABASE {name} TEMPLATE {live}")).await;
                Backup::Postgres { name }
            }
        }
    }

    /// Replaces the live database with this copy.
    async fn put_back(self, settings: &Settings) {
        match self {
            Backup::Sqlite { file, .. } => {
                let live = settings.sqlite_path();
                for suffix in ["", "-wal", "-shm"] {
                    let path = format!("{}{suffix}", live.display());
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => panic!("removing {path}: {e}"),
                    }
                }
                std::fs::copy(&file, &live).expect("copy the old file back");
            }
            Backup::Postgres { name } => {
                let live = database_name(settings);
                admin(&format!("DROP DATABASE {live} WITH (FORCE)")).await;
                admin(&format!("ALTER DATABASE {name} RENAME TO {live}")).await;
            }
        }
    }
}

fn database_name(settings: &Settings) -> String {
    support::postgres_database_for(&settings.data_dir)
}

/// Runs one statement on the Postgres test server's maintenance database.
async fn admin(sql: &str) {
    let mut conn = PgConnection::connect(&support::postgres::superuser_url("postgres"))
        .await
        .expect("admin connection");
    conn.execute(AssertSqlSafe(sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.expect("close admin connection");
}
