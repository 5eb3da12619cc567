//! Access entries (views, exports) appended to a session's chain, on SQLite.

use super::SqliteStore;
use super::append::{write_group, write_rows};
use super::rows::load_heads;
use crate::seal::EntrySeal;
use crate::storage::append_group::{GroupWrite, open_chain_write};
use crate::storage::append_plan::plan_access;
use crate::storage::convert::to_i64;
use crate::storage::session_state_sql::{already_done, apply_effects};
use crate::storage::types::*;

impl SqliteStore {
    pub(super) async fn open_chain_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        opening: &OpenChain,
    ) -> Result<bool, StorageError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if !load_heads(&mut tx, &[opening.session]).await?.is_empty() {
            return Ok(false);
        }
        write_group(&mut tx, &open_chain_write(origin, seal, opening)?).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn append_access_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        access: &AppendAccess,
    ) -> Result<Option<AccessReceipt>, StorageError> {
        // The same writer queue as ingest: the head read here stays the head.
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let heads = load_heads(&mut tx, &[access.session]).await?;
        let Some(head) = heads.get(&access.session) else {
            return Ok(None);
        };
        if already_done(head, access) {
            return Ok(None);
        }
        let (entry, new_head) = plan_access(origin, seal, head, access)
            .map_err(|e| StorageError::Integrity(format!("session {}: {e}", access.session)))?;
        let moved = sqlx::query(
            "UPDATE sessions SET next_entry_seq = ?, head_hash = ? WHERE session_id = ?",
        )
        .bind(to_i64("next_entry_seq", new_head.next_entry_seq)?)
        .bind(new_head.head_hash.as_bytes().as_slice())
        .bind(access.session)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(StorageError::Integrity(format!(
                "session row {} vanished during an access append",
                access.session
            )));
        }
        let receipt = AccessReceipt {
            session_seq: entry.session_seq,
            leaf_hash: entry.leaf_hash,
        };
        apply_effects::<sqlx::Sqlite>(&mut tx, access).await?;
        write_rows(
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
