//! A session's chain read back for the audit view, written once for both stores
//! (`shared_sql`). `kind` is SMALLINT on PostgreSQL and INTEGER on SQLite, so it
//! is read as a BIGINT on both.

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::shared_sql::{Bind, SqlDialect, opt_u64_at, u64_at};
use super::types::{AuditRow, SessionAuditRows, StorageError};

/// See [`crate::storage::Storage::session_audit`].
pub(crate) async fn session_audit<DB: SqlDialect>(
    pool: &Pool<DB>,
    session: Uuid,
) -> Result<Option<SessionAuditRows>, StorageError> {
    let mut conn = pool.acquire().await?;
    let mut project = QueryBuilder::<DB>::new("SELECT project FROM sessions WHERE session_id = ");
    DB::bind(&mut project, Bind::Uuid(session));
    let Some(row) = DB::fetch_optional(&mut conn, &mut project).await? else {
        return Ok(None);
    };
    let project = DB::text_at(&row, "project")?;
    let mut entries = QueryBuilder::<DB>::new(
        "SELECT e.session_seq, CAST(e.kind AS BIGINT) AS kind, e.batch_seq, e.received_at_ms, \
                e.entry_bytes, e.leaf_hash, t.log_index, \
                CASE WHEN e.batch_seq IS NULL THEN p.bytes END AS payload \
         FROM entries e \
         LEFT JOIN tree_leaves t ON t.session_id = e.session_id AND t.session_seq = e.session_seq \
         LEFT JOIN payloads p ON p.session_id = e.session_id AND p.session_seq = e.session_seq \
         WHERE e.session_id = ",
    );
    DB::bind(&mut entries, Bind::Uuid(session));
    entries.push(" ORDER BY e.session_seq");
    let entries = DB::fetch_all(&mut conn, &mut entries)
        .await?
        .iter()
        .map(|row| {
            Ok(AuditRow {
                session_seq: u64_at::<DB>(row, "session_seq")?,
                kind_code: DB::i64_at(row, "kind")?,
                batch_seq: opt_u64_at::<DB>(row, "batch_seq")?,
                received_at_ms: DB::i64_at(row, "received_at_ms")?,
                entry_bytes: DB::bytes_at(row, "entry_bytes")?,
                leaf_hash: DB::bytes_at(row, "leaf_hash")?,
                log_index: opt_u64_at::<DB>(row, "log_index")?,
                payload: DB::opt_bytes_at(row, "payload")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(Some(SessionAuditRows { project, entries }))
}
