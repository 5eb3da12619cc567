//! Access entries across every chain, newest first, for the global audit view;
//! written once for both stores (`shared_sql`). Served by the partial index
//! `entries_access_idx` (migration 0008): batches and session openings, nearly
//! all of the log, are never scanned.

use sqlx::{Pool, QueryBuilder};

use super::shared_sql::{Bind, SqlDialect, opt_u64_at, u64_at};
use super::types::{AccessQuery, AccessRow, StorageError};
use crate::storage::convert::to_i64;

/// See [`crate::storage::Storage::access_entries`].
pub(crate) async fn access_entries<DB: SqlDialect>(
    pool: &Pool<DB>,
    query: &AccessQuery,
) -> Result<Vec<AccessRow>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT e.session_id, e.project, e.session_seq, CAST(e.kind AS BIGINT) AS kind, \
                e.received_at_ms, e.entry_bytes, e.leaf_hash, t.log_index, p.bytes AS payload \
         FROM entries e \
         LEFT JOIN tree_leaves t ON t.session_id = e.session_id AND t.session_seq = e.session_seq \
         LEFT JOIN payloads p ON p.session_id = e.session_id AND p.session_seq = e.session_seq \
         WHERE e.kind NOT IN (1, 2)",
    );
    if !query.kinds.is_empty() {
        qb.push(" AND e.kind IN (");
        for (i, kind) in query.kinds.iter().enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            DB::bind(&mut qb, Bind::I64(i64::from(*kind as u8)));
        }
        qb.push(")");
    }
    if let Some(project) = &query.project {
        qb.push(" AND e.project = ");
        DB::bind(&mut qb, Bind::Text(project.clone()));
    }
    if let Some(session) = query.session {
        qb.push(" AND e.session_id = ");
        DB::bind(&mut qb, Bind::Uuid(session));
    }
    if let Some(since) = query.since_ms {
        qb.push(" AND e.received_at_ms >= ");
        DB::bind(&mut qb, Bind::I64(since));
    }
    if let Some(until) = query.until_ms {
        qb.push(" AND e.received_at_ms < ");
        DB::bind(&mut qb, Bind::I64(until));
    }
    if let Some((at, session, seq)) = query.before {
        // Keyset paging on the sort key; row values compare lexicographically on both stores.
        qb.push(" AND (e.received_at_ms, e.session_id, e.session_seq) < (");
        DB::bind(&mut qb, Bind::I64(at));
        qb.push(", ");
        DB::bind(&mut qb, Bind::Uuid(session));
        qb.push(", ");
        DB::bind(&mut qb, Bind::I64(to_i64("session_seq", seq)?));
        qb.push(")");
    }
    qb.push(" ORDER BY e.received_at_ms DESC, e.session_id DESC, e.session_seq DESC LIMIT ");
    DB::bind(&mut qb, Bind::I64(i64::from(query.limit)));
    let mut conn = pool.acquire().await?;
    DB::fetch_all(&mut conn, &mut qb)
        .await?
        .iter()
        .map(|row| {
            Ok(AccessRow {
                session: DB::uuid_at(row, "session_id")?,
                project: DB::text_at(row, "project")?,
                session_seq: u64_at::<DB>(row, "session_seq")?,
                kind_code: DB::i64_at(row, "kind")?,
                received_at_ms: DB::i64_at(row, "received_at_ms")?,
                entry_bytes: DB::bytes_at(row, "entry_bytes")?,
                leaf_hash: DB::bytes_at(row, "leaf_hash")?,
                log_index: opt_u64_at::<DB>(row, "log_index")?,
                payload: DB::opt_bytes_at(row, "payload")?,
            })
        })
        .collect()
}
