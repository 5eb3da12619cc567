//! The few typed operations shared SQL needs from a database, so that statements
//! that read and write alike on both stores are written once (`index_sql`,
//! `search_sql`, `accounts_sql`, `audit_sql`). Statements whose locking differs
//! (ingest, access appends, integration) stay in each store.
//!
//! sqlx's `QueryBuilder` already writes each store's placeholders (`?` or `$n`);
//! what it cannot do generically is bind, run and read without a long list of bounds
//! on every function. This trait is that list, stated once, implemented by one macro
//! for both stores.

use futures_util::future::BoxFuture;
use sqlx::{Pool, Postgres, QueryBuilder, Row, Sqlite, Transaction};
use uuid::Uuid;

use super::convert::to_u64;
use super::types::StorageError;

/// A value bound into a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    I64(i64),
    Text(String),
    OptText(Option<String>),
    Uuid(Uuid),
    Bytes(Vec<u8>),
}

pub(crate) trait SqlDialect: sqlx::Database {
    fn bind(qb: &mut QueryBuilder<Self>, value: Bind);
    /// A read-only transaction whose statements all see one snapshot, so a page of
    /// rows and its total agree.
    fn begin_read(
        pool: &Pool<Self>,
    ) -> BoxFuture<'_, Result<Transaction<'static, Self>, sqlx::Error>>;
    fn fetch_all<'a>(
        conn: &'a mut Self::Connection,
        qb: &'a mut QueryBuilder<Self>,
    ) -> BoxFuture<'a, Result<Vec<Self::Row>, sqlx::Error>>;
    fn fetch_optional<'a>(
        conn: &'a mut Self::Connection,
        qb: &'a mut QueryBuilder<Self>,
    ) -> BoxFuture<'a, Result<Option<Self::Row>, sqlx::Error>>;
    /// Runs a statement that returns no rows; answers the rows it affected.
    fn execute<'a>(
        conn: &'a mut Self::Connection,
        qb: &'a mut QueryBuilder<Self>,
    ) -> BoxFuture<'a, Result<u64, sqlx::Error>>;
    fn i64_at(row: &Self::Row, column: &str) -> Result<i64, sqlx::Error>;
    fn bytes_at(row: &Self::Row, column: &str) -> Result<Vec<u8>, sqlx::Error>;
    fn opt_bytes_at(row: &Self::Row, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error>;
    fn opt_i64_at(row: &Self::Row, column: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text_at(row: &Self::Row, column: &str) -> Result<String, sqlx::Error>;
    fn opt_text_at(row: &Self::Row, column: &str) -> Result<Option<String>, sqlx::Error>;
    fn uuid_at(row: &Self::Row, column: &str) -> Result<Uuid, sqlx::Error>;
}

macro_rules! impl_sql_dialect {
    ($db:ty, $begin_read:literal) => {
        impl SqlDialect for $db {
            fn bind(qb: &mut QueryBuilder<Self>, value: Bind) {
                match value {
                    Bind::I64(v) => qb.push_bind(v),
                    Bind::Text(v) => qb.push_bind(v),
                    Bind::OptText(v) => qb.push_bind(v),
                    Bind::Uuid(v) => qb.push_bind(v),
                    Bind::Bytes(v) => qb.push_bind(v),
                };
            }
            fn begin_read(
                pool: &Pool<Self>,
            ) -> BoxFuture<'_, Result<Transaction<'static, Self>, sqlx::Error>> {
                Box::pin(pool.begin_with($begin_read))
            }
            fn fetch_all<'a>(
                conn: &'a mut Self::Connection,
                qb: &'a mut QueryBuilder<Self>,
            ) -> BoxFuture<'a, Result<Vec<Self::Row>, sqlx::Error>> {
                Box::pin(async move { qb.build().fetch_all(&mut *conn).await })
            }
            fn fetch_optional<'a>(
                conn: &'a mut Self::Connection,
                qb: &'a mut QueryBuilder<Self>,
            ) -> BoxFuture<'a, Result<Option<Self::Row>, sqlx::Error>> {
                Box::pin(async move { qb.build().fetch_optional(&mut *conn).await })
            }
            fn execute<'a>(
                conn: &'a mut Self::Connection,
                qb: &'a mut QueryBuilder<Self>,
            ) -> BoxFuture<'a, Result<u64, sqlx::Error>> {
                Box::pin(async move { Ok(qb.build().execute(&mut *conn).await?.rows_affected()) })
            }
            fn i64_at(row: &Self::Row, column: &str) -> Result<i64, sqlx::Error> {
                row.try_get(column)
            }
            fn bytes_at(row: &Self::Row, column: &str) -> Result<Vec<u8>, sqlx::Error> {
                row.try_get(column)
            }
            fn opt_bytes_at(row: &Self::Row, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
                row.try_get(column)
            }
            fn opt_i64_at(row: &Self::Row, column: &str) -> Result<Option<i64>, sqlx::Error> {
                row.try_get(column)
            }
            fn text_at(row: &Self::Row, column: &str) -> Result<String, sqlx::Error> {
                row.try_get(column)
            }
            fn opt_text_at(row: &Self::Row, column: &str) -> Result<Option<String>, sqlx::Error> {
                row.try_get(column)
            }
            fn uuid_at(row: &Self::Row, column: &str) -> Result<Uuid, sqlx::Error> {
                row.try_get(column)
            }
        }
    };
}

// SQLite (WAL): a deferred transaction reads one snapshot from its first SELECT on.
impl_sql_dialect!(Sqlite, "BEGIN DEFERRED");
// Postgres: READ COMMITTED takes a snapshot per statement; REPEATABLE READ one per
// transaction.
impl_sql_dialect!(Postgres, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

/// Binds `values` separated by commas (the inside of `VALUES (…)` or `IN (…)`).
pub(crate) fn push_values<DB: SqlDialect>(
    qb: &mut QueryBuilder<DB>,
    values: impl IntoIterator<Item = Bind>,
) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        DB::bind(qb, value);
    }
}

/// A stored count or sequence number (never negative when written by us).
pub(crate) fn u64_at<DB: SqlDialect>(row: &DB::Row, column: &str) -> Result<u64, StorageError> {
    to_u64(column, DB::i64_at(row, column)?)
}

/// A nullable stored count (from an outer join).
pub(crate) fn opt_u64_at<DB: SqlDialect>(
    row: &DB::Row,
    column: &str,
) -> Result<Option<u64>, StorageError> {
    DB::opt_i64_at(row, column)?
        .map(|v| to_u64(column, v))
        .transpose()
}

/// Runs `qb`, a query selecting `session_id`, and answers the ids.
pub(crate) async fn session_ids<DB: SqlDialect>(
    pool: &Pool<DB>,
    qb: &mut QueryBuilder<DB>,
) -> Result<Vec<Uuid>, StorageError> {
    let mut conn = pool.acquire().await?;
    DB::fetch_all(&mut conn, qb)
        .await?
        .iter()
        .map(|row| Ok(DB::uuid_at(row, "session_id")?))
        .collect()
}
