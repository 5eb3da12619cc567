//! What some entries change besides the chain, written once for both stores
//! (`shared_sql`): an erasure destroys the key, a close ends the chain. Done in
//! the transaction that appends the entry, so the two never disagree.

use ledger::EntryKind;
use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::convert::to_i64;
use super::keys_sql::erase_session;
use super::shared_sql::{Bind, SqlDialect};
use super::types::{AppendAccess, SessionHead, StorageError};
use crate::access_log::ACCESS_LOG_PROJECT;

/// Whether `access` has nothing to do on a chain whose head is `head`: a close
/// of a chain already closed (by another node's closer meanwhile).
pub(crate) fn already_done(head: &SessionHead, access: &AppendAccess) -> bool {
    access.kind == EntryKind::SessionClosed && head.closed
}

/// The effects of `access`'s kind, inside the transaction that appends it.
pub(crate) async fn apply_effects<DB: SqlDialect>(
    conn: &mut DB::Connection,
    access: &AppendAccess,
) -> Result<(), StorageError> {
    match access.kind {
        EntryKind::SessionErased => {
            erase_session::<DB>(conn, access.session, access.received_at_ms).await
        }
        EntryKind::SessionClosed => {
            mark_closed::<DB>(conn, access.session, access.received_at_ms).await
        }
        _ => Ok(()),
    }
}

/// Marks `session` closed inside the caller's transaction (the one that commits
/// its `session_closed` entry), so the next batch's plan sees it.
async fn mark_closed<DB: SqlDialect>(
    conn: &mut DB::Connection,
    session: Uuid,
    now_ms: i64,
) -> Result<(), StorageError> {
    let mut qb = QueryBuilder::<DB>::new("UPDATE sessions SET closed_at_ms = ");
    DB::bind(&mut qb, Bind::I64(now_ms));
    qb.push(" WHERE closed_at_ms IS NULL AND session_id = ");
    DB::bind(&mut qb, Bind::Uuid(session));
    match DB::execute(conn, &mut qb).await? {
        1 => Ok(()),
        _ => Err(StorageError::Integrity(format!(
            "session {session} was closed twice"
        ))),
    }
}

/// See [`crate::storage::Storage::idle_sessions`].
pub(crate) async fn idle_sessions<DB: SqlDialect>(
    pool: &Pool<DB>,
    last_received_before_ms: i64,
    limit: u32,
) -> Result<Vec<Uuid>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT session_id FROM sessions WHERE closed_at_ms IS NULL AND last_received_at_ms < ",
    );
    DB::bind(&mut qb, Bind::I64(last_received_before_ms));
    qb.push(" AND project <> ");
    DB::bind(&mut qb, Bind::Text(ACCESS_LOG_PROJECT.to_owned()));
    qb.push(" ORDER BY last_received_at_ms LIMIT ");
    DB::bind(&mut qb, Bind::I64(to_i64("limit", u64::from(limit))?));
    super::shared_sql::session_ids(pool, &mut qb).await
}
