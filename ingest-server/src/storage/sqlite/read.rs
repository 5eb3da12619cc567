//! Projects and the read side of the log on SQLite (fsck, proofs, the viewer).

use ledger::Hash;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::SqliteStore;
use crate::storage::convert::{
    origins_from_json, origins_to_json, project_insert_error, to_hash, to_i64, to_u64,
};
use crate::storage::types::*;

impl SqliteStore {
    pub(super) async fn create_project_impl(
        &self,
        p: &NewProject,
    ) -> Result<Project, StorageError> {
        sqlx::query(
            "INSERT INTO projects (id, name, write_key, allowed_origins, created_at_ms) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(&p.write_key)
        .bind(origins_to_json(&p.allowed_origins)?)
        .bind(p.created_at_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| project_insert_error(e, p))?;
        Ok(Project {
            id: p.id.clone(),
            name: p.name.clone(),
            write_key: p.write_key.clone(),
            allowed_origins: p.allowed_origins.clone(),
            created_at_ms: p.created_at_ms,
        })
    }

    pub(super) async fn project_by_write_key_impl(
        &self,
        key: &str,
    ) -> Result<Option<Project>, StorageError> {
        sqlx::query("SELECT * FROM projects WHERE write_key = ? AND id <> 'affidavit:access'")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| project(&row))
            .transpose()
    }

    pub(super) async fn list_projects_impl(&self) -> Result<Vec<Project>, StorageError> {
        let rows = sqlx::query("SELECT * FROM projects WHERE id <> 'affidavit:access' ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(project).collect()
    }

    pub(super) async fn pending_count_impl(&self) -> Result<u64, StorageError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM integration_queue")
            .fetch_one(&self.pool)
            .await?;
        to_u64("queue length", n)
    }

    pub(super) async fn tree_size_impl(&self) -> Result<u64, StorageError> {
        let max: Option<i64> = sqlx::query_scalar("SELECT max(log_index) FROM tree_leaves")
            .fetch_one(&self.pool)
            .await?;
        max.map_or(Ok(0), |m| Ok(to_u64("log_index", m)? + 1))
    }

    pub(super) async fn latest_checkpoint_impl(
        &self,
    ) -> Result<Option<StoredCheckpoint>, StorageError> {
        sqlx::query("SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|row| checkpoint(&row))
            .transpose()
    }

    pub(super) async fn checkpoints_impl(&self) -> Result<Vec<StoredCheckpoint>, StorageError> {
        let rows = sqlx::query("SELECT * FROM checkpoints ORDER BY size")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(checkpoint).collect()
    }

    pub(super) async fn leaf_index_by_hash_impl(
        &self,
        leaf_hash: &Hash,
    ) -> Result<Option<u64>, StorageError> {
        // Through the entries' leaf_hash index; both copies of the hash must agree.
        let index: Option<i64> = sqlx::query_scalar(
            "SELECT t.log_index FROM entries e JOIN tree_leaves t \
               ON t.session_id = e.session_id AND t.session_seq = e.session_seq \
             WHERE e.leaf_hash = ?1 AND t.leaf_hash = ?1",
        )
        .bind(leaf_hash.as_bytes().as_slice())
        .fetch_optional(&self.pool)
        .await?;
        index.map(|i| to_u64("log_index", i)).transpose()
    }

    pub(super) async fn entries_by_session_impl(
        &self,
        after: Option<(Uuid, u64)>,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError> {
        // Keyset pagination on the primary key, so each page is an index range scan.
        macro_rules! select_entries {
            ($filter:literal) => {
                concat!(
                    "SELECT e.session_id, e.session_seq, e.project, e.kind, e.batch_seq, \
                     e.received_at_ms, e.entry_bytes, e.leaf_hash, p.bytes AS payload \
                     FROM entries e LEFT JOIN payloads p \
                       ON p.session_id = e.session_id AND p.session_seq = e.session_seq ",
                    $filter,
                    " ORDER BY e.session_id, e.session_seq LIMIT ?"
                )
            };
        }
        let rows = match after {
            None => {
                sqlx::query(select_entries!(""))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
            Some((session, seq)) => {
                sqlx::query(select_entries!(
                    "WHERE (e.session_id, e.session_seq) > (?, ?)"
                ))
                .bind(session)
                .bind(to_i64("session_seq", seq)?)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(stored_entry).collect()
    }

    pub(super) async fn session_batches_impl(
        &self,
        session: Uuid,
        from_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError> {
        // `batch_seq >= …` implies NOT NULL, so this is a range scan of the partial
        // index on (session_id, batch_seq).
        let rows = sqlx::query(
            "SELECT e.session_id, e.session_seq, e.project, e.kind, e.batch_seq, \
                    e.received_at_ms, e.entry_bytes, e.leaf_hash, p.bytes AS payload \
             FROM entries e LEFT JOIN payloads p \
               ON p.session_id = e.session_id AND p.session_seq = e.session_seq \
             WHERE e.session_id = ? AND e.batch_seq >= ? \
             ORDER BY e.batch_seq LIMIT ?",
        )
        .bind(session)
        .bind(to_i64("batch seq", from_seq)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_entry).collect()
    }

    pub(super) async fn leaves_impl(
        &self,
        from: u64,
        limit: u32,
    ) -> Result<Vec<StoredLeaf>, StorageError> {
        let rows = sqlx::query(
            "SELECT log_index, session_id, session_seq, leaf_hash FROM tree_leaves \
             WHERE log_index >= ? ORDER BY log_index LIMIT ?",
        )
        .bind(to_i64("log_index", from)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredLeaf {
                    log_index: to_u64("log_index", row.try_get("log_index")?)?,
                    session: row.try_get("session_id")?,
                    session_seq: to_u64("session_seq", row.try_get("session_seq")?)?,
                    leaf_hash: row.try_get("leaf_hash")?,
                })
            })
            .collect()
    }

    pub(super) async fn pending_entries_impl(&self) -> Result<Vec<PendingEntry>, StorageError> {
        let rows = sqlx::query(
            "SELECT session_id, session_seq, leaf_hash, seal FROM integration_queue ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pending_entry).collect()
    }

    pub(super) async fn rejected_entries_impl(&self) -> Result<Vec<RejectedEntry>, StorageError> {
        let rows = sqlx::query(
            "SELECT session_id, session_seq, leaf_hash, rejected_at_ms FROM queue_rejections ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RejectedEntry {
                    session: row.try_get("session_id")?,
                    session_seq: to_u64("session_seq", row.try_get("session_seq")?)?,
                    leaf_hash: to_hash("leaf_hash", &row.try_get::<Vec<u8>, _>("leaf_hash")?)?,
                    rejected_at_ms: row.try_get("rejected_at_ms")?,
                })
            })
            .collect()
    }

    pub(super) async fn sessions_impl(&self) -> Result<Vec<SessionRow>, StorageError> {
        let rows = sqlx::query("SELECT * FROM sessions ORDER BY session_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(session_row).collect()
    }
}

fn project(row: &SqliteRow) -> Result<Project, StorageError> {
    Ok(Project {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        write_key: row.try_get("write_key")?,
        allowed_origins: origins_from_json(row.try_get("allowed_origins")?)?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn checkpoint(row: &SqliteRow) -> Result<StoredCheckpoint, StorageError> {
    Ok(StoredCheckpoint {
        size: to_u64("checkpoint size", row.try_get("size")?)?,
        root: to_hash("checkpoint root", &row.try_get::<Vec<u8>, _>("root")?)?,
        note: row.try_get("note")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn stored_entry(row: &SqliteRow) -> Result<StoredEntry, StorageError> {
    Ok(StoredEntry {
        session: row.try_get("session_id")?,
        project: row.try_get("project")?,
        session_seq: to_u64("session_seq", row.try_get("session_seq")?)?,
        kind_code: row.try_get("kind")?,
        batch_seq: row
            .try_get::<Option<i64>, _>("batch_seq")?
            .map(|s| to_u64("batch seq", s))
            .transpose()?,
        received_at_ms: row.try_get("received_at_ms")?,
        entry_bytes: row.try_get("entry_bytes")?,
        leaf_hash: row.try_get("leaf_hash")?,
        payload: row.try_get("payload")?,
    })
}

fn session_row(row: &SqliteRow) -> Result<SessionRow, StorageError> {
    Ok(SessionRow {
        session: row.try_get("session_id")?,
        head: SessionHead {
            project: row.try_get("project")?,
            next_entry_seq: to_u64("next_entry_seq", row.try_get("next_entry_seq")?)?,
            next_batch_seq: to_u64("next_batch_seq", row.try_get("next_batch_seq")?)?,
            head_hash: to_hash("head_hash", &row.try_get::<Vec<u8>, _>("head_hash")?)?,
            closed: row.try_get::<Option<i64>, _>("closed_at_ms")?.is_some(),
        },
        started_at_ms: row.try_get("started_at_ms")?,
        last_received_at_ms: row.try_get("last_received_at_ms")?,
        batch_count: to_u64("batch_count", row.try_get("batch_count")?)?,
        payload_bytes: to_u64("payload_bytes", row.try_get("payload_bytes")?)?,
    })
}

/// A queue row as the integrator and fsck read it.
pub(super) fn pending_entry(row: &sqlx::sqlite::SqliteRow) -> Result<PendingEntry, StorageError> {
    Ok(PendingEntry {
        session: row.try_get("session_id")?,
        session_seq: to_u64("session_seq", row.try_get("session_seq")?)?,
        leaf_hash: to_hash("leaf_hash", &row.try_get::<Vec<u8>, _>("leaf_hash")?)?,
        seal: row.try_get("seal")?,
    })
}
