//! Real databases for the integration tests: every test gets its own SQLite file
//! or Postgres database, and suites written once run against both backends.

pub mod postgres;
pub mod proxy;
pub mod sqlite;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ingest_server::configuration::Settings;
use ingest_server::storage::{PostgresOptions, PostgresStore, Storage};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Executor};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name the server reports for this backend.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// `both_backends!(name)` runs `async fn name(backend: Backend)` as two tests,
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    };
}

/// The app role the production pool runs as; contract tests use it too.
pub const APP_ROLE: &str = "affidavit_app";

/// A store under test plus unrestricted access to the same database.
#[derive(Debug)]
pub struct TestStore {
    pub store: Arc<dyn Storage>,
    /// SQLite: a second pool on the file. Postgres: a superuser pool. Either can
    /// try what an attacker with database access would.
    pub raw: RawDb,
    /// Postgres only: the store's own pool, which runs as [`APP_ROLE`].
    pub app_pool: Option<PgPool>,
    at: Location,
    _dir: Option<TempDir>,
}

#[derive(Debug, Clone)]
enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, Clone)]
pub enum RawDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl RawDb {
    /// Runs one statement; the error text on failure.
    pub async fn execute(&self, sql: &str) -> Result<u64, String> {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            RawDb::Sqlite(pool) => pool.execute(sql).await.map(|r| r.rows_affected()),
            RawDb::Postgres(pool) => pool.execute(sql).await.map(|r| r.rows_affected()),
        }
        .map_err(|e| e.to_string())
    }

    /// Takes the lock the server's writers need and holds it until the guard is
    /// released or dropped: SQLite's write lock, or an EXCLUSIVE lock on `entries`.
    pub async fn hold_write_lock(&self) -> WriteLock {
        match self {
            RawDb::Sqlite(pool) => {
                let mut conn = pool.acquire().await.expect("raw connection");
                conn.execute("BEGIN IMMEDIATE")
                    .await
                    .expect("take the SQLite write lock");
                WriteLock::Sqlite(conn)
            }
            RawDb::Postgres(pool) => {
                let mut tx = pool.begin().await.expect("raw transaction");
                tx.execute("LOCK TABLE entries IN EXCLUSIVE MODE")
                    .await
                    .expect("lock entries");
                WriteLock::Postgres(tx)
            }
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
        match self {
            RawDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("counting {table}: {e}"))
    }
}

/// A held write lock; see [`RawDb::hold_write_lock`].
#[derive(Debug)]
pub enum WriteLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteLock {
    pub async fn release(self) {
        match self {
            WriteLock::Sqlite(mut conn) => {
                conn.execute("ROLLBACK")
                    .await
                    .expect("release the SQLite write lock");
            }
            WriteLock::Postgres(tx) => tx.rollback().await.expect("release the lock"),
        }
    }
}

/// A fresh, empty store of `backend` (Postgres: pooled under [`APP_ROLE`]).
pub async fn test_store(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("affidavit.sqlite3");
            let store = sqlite::open(&path).await;
            let raw = RawDb::Sqlite(sqlite::raw_pool(&path).await);
            TestStore {
                store: Arc::new(store),
                raw,
                app_pool: None,
                at: Location::Sqlite(path),
                _dir: Some(dir),
            }
        }
        Backend::Postgres => {
            let url = postgres::fresh_database().await;
            let store = connect_postgres(&url).await;
            let app_pool = Some(store.pool().clone());
            let raw = RawDb::Postgres(postgres::superuser_pool(&url).await);
            TestStore {
                store: Arc::new(store),
                raw,
                app_pool,
                at: Location::Postgres(url),
                _dir: None,
            }
        }
    }
}

impl TestStore {
    /// Opens the same database again, as a restarted server would.
    pub async fn reopen(&self) -> Arc<dyn Storage> {
        match &self.at {
            Location::Sqlite(path) => Arc::new(sqlite::open(path).await),
            Location::Postgres(url) => Arc::new(connect_postgres(url).await),
        }
    }
}

async fn connect_postgres(url: &str) -> PostgresStore {
    let options = PostgresOptions {
        app_role: Some(APP_ROLE.into()),
        max_connections: 12,
        acquire_timeout_ms: 30_000,
        ..PostgresOptions::default()
    };
    PostgresStore::connect(url, options)
        .await
        .expect("Postgres store connects")
}

// ---- for the API tests ---------------------------------------------------------
// (`allow(dead_code)` until the api modules are declared in main.rs.)

#[allow(dead_code, reason = "used by the api tests")]
/// What the API harness knows about where its database is.
pub trait TestDatabase {
    fn backend(&self) -> Backend;
    fn data_dir(&self) -> &Path;
}

#[allow(dead_code, reason = "used by the api tests")]
/// The Postgres database of the test whose data directory is `data_dir`: derived
/// from the directory, so a restarted app in the same test finds the same data,
/// like SQLite's file inside the directory.
fn database_name(data_dir: &Path) -> String {
    let digest = ledger::sha256(data_dir.as_os_str().as_encoded_bytes());
    format!("t_{}", &digest.to_hex()[..24])
}

#[allow(dead_code, reason = "used by the api tests")]
/// Opens the store an app with `settings` uses; for Postgres, the test's own database.
pub async fn open_store(backend: Backend, settings: &Settings) -> Arc<dyn Storage> {
    let mut settings = settings.clone();
    if backend == Backend::Postgres {
        settings.database.url = Some(postgres::database(&database_name(&settings.data_dir)).await);
    }
    ingest_server::startup::open_store(&settings)
        .await
        .expect("store opens")
}

#[allow(dead_code, reason = "used by the api tests")]
/// Unrestricted access to the test app's database (what an administrator has).
pub async fn raw_db(app: &impl TestDatabase) -> RawDb {
    match app.backend() {
        Backend::Sqlite => {
            let settings = Settings {
                data_dir: app.data_dir().to_path_buf(),
                ..Settings::default()
            };
            RawDb::Sqlite(sqlite::raw_pool(&settings.sqlite_path()).await)
        }
        Backend::Postgres => {
            let url = postgres::superuser_url(&database_name(app.data_dir()));
            RawDb::Postgres(postgres::superuser_pool(&url).await)
        }
    }
}

/// Rows in `table` of the test's database, counted with unrestricted access.
pub async fn count_rows(app: &impl TestDatabase, table: &str) -> i64 {
    raw_db(app).await.count(table).await
}

/// The name of the Postgres database that backs the app whose data directory is
/// `data_dir` (see `open_store`).
pub fn postgres_database_for(data_dir: &Path) -> String {
    database_name(data_dir)
}
