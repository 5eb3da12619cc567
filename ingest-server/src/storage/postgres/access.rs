//! Access entries (views, exports) appended to a session's chain, on PostgreSQL.

use sqlx::Row;

use super::PostgresStore;
use crate::seal::EntrySeal;
use crate::storage::append_group::{GroupWrite, open_chain_write};
use crate::storage::append_plan::plan_access;
use crate::storage::convert::{to_hash, to_i64, to_u64};
use crate::storage::session_state_sql::{already_done, apply_effects};
use crate::storage::types::*;

impl PostgresStore {
    pub(super) async fn open_chain_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        opening: &OpenChain,
    ) -> Result<bool, StorageError> {
        let write = open_chain_write(origin, seal, opening)?;
        let mut tx = self.pool.begin().await?;
        // `ON CONFLICT DO NOTHING` inside: another node that opened it first wins,
        // and this transaction writes nothing.
        match super::append::write_sessions(&mut tx, &write).await {
            Ok(()) => {}
            Err(super::append::Attempt::Retry(_)) => return Ok(false),
            Err(super::append::Attempt::Fail(e)) => return Err(e),
        }
        super::append_rows::write_rows(&mut tx, &write).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn append_access_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        access: &AppendAccess,
    ) -> Result<Option<AccessReceipt>, StorageError> {
        let mut tx = self.pool.begin().await?;
        // The session row lock that serializes ingest into this chain.
        let row = sqlx::query(
            "SELECT project, next_entry_seq, next_batch_seq, head_hash, closed_at_ms FROM sessions \
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
            closed: row.try_get::<Option<i64>, _>("closed_at_ms")?.is_some(),
        };
        if already_done(&head, access) {
            return Ok(None);
        }
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
        apply_effects::<sqlx::Postgres>(&mut tx, access).await?;
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
}
