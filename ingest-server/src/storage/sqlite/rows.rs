//! Multi-row statements for SQLite, chunked to stay under its bind-variable limit.
//!
//! The hot paths write many rows per transaction; one statement per chunk of rows
//! instead of one per row is what keeps a group commit cheap.

use std::collections::HashMap;

use ledger::Hash;
use ledger::tree::NodeId;
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::storage::convert::{to_hash, to_i64, to_level, to_u64};
use crate::storage::types::{SessionHead, StorageError};

/// SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (>= 3.32).
const MAX_BINDS: usize = 32_766;

/// Runs `insert_into` (e.g. `"INSERT INTO t (a, b) "`) with a VALUES list per
/// chunk of `rows`; `bind` pushes exactly `columns` values for one row.
pub(super) async fn insert_chunked<T>(
    conn: &mut SqliteConnection,
    insert_into: &str,
    columns: usize,
    rows: &[T],
    mut bind: impl FnMut(Separated<'_, Sqlite, &'static str>, &T),
) -> Result<(), StorageError> {
    for chunk in rows.chunks((MAX_BINDS / columns.max(1)).max(1)) {
        let mut qb = QueryBuilder::<Sqlite>::new(insert_into);
        qb.push_values(chunk, &mut bind);
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored heads of those of `sessions` that exist.
pub(super) async fn load_heads(
    conn: &mut SqliteConnection,
    sessions: &[Uuid],
) -> Result<HashMap<Uuid, SessionHead>, StorageError> {
    let mut heads = HashMap::with_capacity(sessions.len());
    for chunk in sessions.chunks(MAX_BINDS) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT session_id, project, next_entry_seq, next_batch_seq, head_hash, closed_at_ms \
             FROM sessions WHERE session_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        for row in qb.build().fetch_all(&mut *conn).await? {
            let head = SessionHead {
                project: row.try_get("project")?,
                next_entry_seq: to_u64("next_entry_seq", row.try_get("next_entry_seq")?)?,
                next_batch_seq: to_u64("next_batch_seq", row.try_get("next_batch_seq")?)?,
                head_hash: to_hash("head_hash", &row.try_get::<Vec<u8>, _>("head_hash")?)?,
                closed: row.try_get::<Option<i64>, _>("closed_at_ms")?.is_some(),
            };
            heads.insert(row.try_get("session_id")?, head);
        }
    }
    Ok(heads)
}

/// The stored hashes of `ids` (absent ones are left out), one statement per chunk.
pub(super) async fn nodes(
    conn: &mut SqliteConnection,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, Hash>, StorageError> {
    let wanted = ids
        .iter()
        .map(|id| Ok((i64::from(id.level), to_i64("tree node index", id.index)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in wanted.chunks(MAX_BINDS / 2) {
        // A VALUES list joined on the primary key: one index probe per wanted node.
        let mut qb = QueryBuilder::<Sqlite>::new("WITH wanted (level, idx) AS (");
        qb.push_values(chunk, |mut row, (level, index)| {
            row.push_bind(*level).push_bind(*index);
        });
        qb.push(
            ") SELECT n.level, n.idx, n.hash FROM tree_nodes n \
             JOIN wanted w ON n.level = w.level AND n.idx = w.idx",
        );
        for row in qb.build().fetch_all(&mut *conn).await? {
            let id = NodeId {
                level: to_level(row.try_get("level")?)?,
                index: to_u64("tree node index", row.try_get("idx")?)?,
            };
            found.insert(
                id,
                to_hash("tree node hash", &row.try_get::<Vec<u8>, _>("hash")?)?,
            );
        }
    }
    Ok(found)
}
