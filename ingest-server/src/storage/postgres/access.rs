//! Access entries (views, exports) appended to a session's chain, and the
//! session's chain read back for the audit view, on PostgreSQL.

use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::seal::EntrySeal;
use crate::storage::append_group::GroupWrite;
use crate::storage::append_plan::plan_access;
use crate::storage::convert::{to_hash, to_i64, to_u64};
use crate::storage::types::*;

impl PostgresStore {
    pub(super) async fn append_access_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        access: &AppendAccess,
    ) -> Result<Option<AccessReceipt>, StorageError> {
        let mut tx = self.pool.begin().await?;
        // The session row lock that serializes ingest into this chain.
        let row = sqlx::query(
            "SELECT project, next_entry_seq, next_batch_seq, head_hash FROM sessions \
             WHERE session_id = $1 FOR UPDATE",
        )
        .bind(access.session)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let head = SessionHead {
            project: row.try_get("project")?,
            next_entry_seq: to_u64("next_entry_seq", row.try_get("next_entry_seq")?)?,
            next_batch_seq: to_u64("next_batch_seq", row.try_get("next_batch_seq")?)?,
            head_hash: to_hash("head_hash", &row.try_get::<Vec<u8>, _>("head_hash")?)?,
        };
        let (entry, new_head) = plan_access(origin, seal, &head, access)
            .map_err(|e| StorageError::Integrity(format!("session {}: {e}", access.session)))?;
        sqlx::query(
            "UPDATE sessions SET next_entry_seq = $1, head_hash = $2 WHERE session_id = $3",
        )
        .bind(to_i64("next_entry_seq", new_head.next_entry_seq)?)
        .bind(new_head.head_hash.as_bytes().as_slice())
        .bind(access.session)
        .execute(&mut *tx)
        .await?;
        let receipt = AccessReceipt {
            session_seq: entry.session_seq,
            leaf_hash: entry.leaf_hash,
        };
        super::append_rows::write_rows(
            &mut tx,
            &GroupWrite {
                entries: vec![entry],
                ..GroupWrite::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(receipt))
    }

    pub(super) async fn session_audit_impl(
        &self,
        session: Uuid,
    ) -> Result<Option<SessionAuditRows>, StorageError> {
        let project: Option<String> =
            sqlx::query_scalar("SELECT project FROM sessions WHERE session_id = $1")
                .bind(session)
                .fetch_optional(&self.pool)
                .await?;
        let Some(project) = project else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT e.session_seq, e.kind, e.batch_seq, e.received_at_ms, e.entry_bytes, \
                    e.leaf_hash, t.log_index, \
                    CASE WHEN e.batch_seq IS NULL THEN p.bytes END AS payload \
             FROM entries e \
             LEFT JOIN tree_leaves t ON t.session_id = e.session_id AND t.session_seq = e.session_seq \
             LEFT JOIN payloads p ON p.session_id = e.session_id AND p.session_seq = e.session_seq \
             WHERE e.session_id = $1 ORDER BY e.session_seq",
        )
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|row| {
                Ok(AuditRow {
                    session_seq: to_u64("session_seq", row.try_get("session_seq")?)?,
                    kind_code: i64::from(row.try_get::<i16, _>("kind")?),
                    batch_seq: row
                        .try_get::<Option<i64>, _>("batch_seq")?
                        .map(|s| to_u64("batch_seq", s))
                        .transpose()?,
                    received_at_ms: row.try_get("received_at_ms")?,
                    entry_bytes: row.try_get("entry_bytes")?,
                    leaf_hash: row.try_get("leaf_hash")?,
                    log_index: row
                        .try_get::<Option<i64>, _>("log_index")?
                        .map(|i| to_u64("log_index", i))
                        .transpose()?,
                    payload: row.try_get("payload")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(Some(SessionAuditRows { project, entries }))
    }
}
