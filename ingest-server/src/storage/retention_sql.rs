//! Per-project retention policies and the sessions they expire, written once
//! for both stores (`shared_sql`).

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::convert::{to_i64, to_u64};
use super::shared_sql::{Bind, SqlDialect};
use super::types::{RetentionPolicy, StorageError};
use crate::access_log::ACCESS_LOG_PROJECT;

/// See [`crate::storage::Storage::set_retention`].
pub(crate) async fn set_retention<DB: SqlDialect>(
    pool: &Pool<DB>,
    project: &str,
    days: Option<u32>,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let mut conn = pool.acquire().await?;
    let mut exists = QueryBuilder::<DB>::new("SELECT id FROM projects WHERE id = ");
    DB::bind(&mut exists, Bind::Text(project.to_owned()));
    exists.push(" AND id <> ");
    DB::bind(&mut exists, Bind::Text(ACCESS_LOG_PROJECT.to_owned()));
    if DB::fetch_optional(&mut conn, &mut exists).await?.is_none() {
        return Ok(false);
    }
    let mut qb;
    match days {
        Some(days) => {
            qb = QueryBuilder::<DB>::new(
                "INSERT INTO project_retention (project, days, set_at_ms) VALUES (",
            );
            DB::bind(&mut qb, Bind::Text(project.to_owned()));
            qb.push(", ");
            DB::bind(&mut qb, Bind::I64(i64::from(days)));
            qb.push(", ");
            DB::bind(&mut qb, Bind::I64(now_ms));
            qb.push(
                ") ON CONFLICT (project) DO UPDATE SET days = excluded.days, set_at_ms = excluded.set_at_ms",
            );
        }
        None => {
            qb = QueryBuilder::<DB>::new("DELETE FROM project_retention WHERE project = ");
            DB::bind(&mut qb, Bind::Text(project.to_owned()));
        }
    }
    DB::execute(&mut conn, &mut qb).await?;
    Ok(true)
}

/// See [`crate::storage::Storage::retention_policies`].
pub(crate) async fn retention_policies<DB: SqlDialect>(
    pool: &Pool<DB>,
) -> Result<Vec<RetentionPolicy>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT project, days, set_at_ms FROM project_retention ORDER BY project",
    );
    let mut conn = pool.acquire().await?;
    DB::fetch_all(&mut conn, &mut qb)
        .await?
        .iter()
        .map(|row| {
            Ok(RetentionPolicy {
                project: DB::text_at(row, "project")?,
                days: u32::try_from(to_u64("days", DB::i64_at(row, "days")?)?).map_err(|_| {
                    StorageError::Integrity("a retention period does not fit in u32 days".into())
                })?,
                set_at_ms: DB::i64_at(row, "set_at_ms")?,
            })
        })
        .collect()
}

/// See [`crate::storage::Storage::expired_sessions`].
pub(crate) async fn expired_sessions<DB: SqlDialect>(
    pool: &Pool<DB>,
    project: &str,
    started_before_ms: i64,
    limit: u32,
) -> Result<Vec<Uuid>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT s.session_id AS session_id FROM sessions s \
         JOIN session_keys k ON k.session_id = s.session_id AND k.wrapped_key IS NOT NULL \
         WHERE s.project = ",
    );
    DB::bind(&mut qb, Bind::Text(project.to_owned()));
    qb.push(" AND s.started_at_ms < ");
    DB::bind(&mut qb, Bind::I64(started_before_ms));
    qb.push(" ORDER BY s.started_at_ms LIMIT ");
    DB::bind(&mut qb, Bind::I64(to_i64("limit", u64::from(limit))?));
    super::shared_sql::session_ids(pool, &mut qb).await
}
