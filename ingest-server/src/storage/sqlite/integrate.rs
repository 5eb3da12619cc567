//! One integrator step on SQLite: pending entries become leaves, nodes and a checkpoint.

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::SqliteStore;
use super::read::pending_entry;
use super::rows::{insert_chunked, nodes};
use crate::storage::IntegrationPlanner;
use crate::storage::convert::{len_i64, to_i64, to_u64};
use crate::storage::integrate_check::{check_plan, frontier, tree_size};
use crate::storage::types::{IntegrationOutcome, IntegrationPlan, PendingEntry, StorageError};

impl SqliteStore {
    pub(super) async fn integrate_impl(
        &self,
        max_entries: usize,
        planner: &(dyn IntegrationPlanner + Sync),
    ) -> Result<Option<IntegrationOutcome>, StorageError> {
        let Ok(_integrator) = self.integrator.try_lock() else {
            return Ok(None);
        };
        if max_entries == 0 {
            return Ok(None);
        }
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (ids, pending) = pending(&mut tx, max_entries).await?;
        if pending.is_empty() {
            // No checkpoint when the tree did not grow.
            tx.rollback().await?;
            return Ok(None);
        }
        let size = stored_size(&mut tx).await?;
        let stored = nodes(&mut tx, &ledger::tree::Frontier::nodes_for(size)).await?;
        let plan = planner.plan(frontier(size, &stored)?, &pending)?;
        check_plan(size, &pending, &plan)?;
        write_plan(&mut tx, &plan).await?;
        delete_queued(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(Some(IntegrationOutcome {
            integrated: plan.leaves.len() as u64,
            rejected: plan.rejected,
            checkpoint: plan.checkpoint,
        }))
    }
}

/// The tree size, from the leaves and cross-checked with the latest checkpoint.
pub(super) async fn stored_size(conn: &mut SqliteConnection) -> Result<u64, StorageError> {
    let row = sqlx::query(
        "SELECT (SELECT max(log_index) FROM tree_leaves) AS max_index, \
                (SELECT max(size) FROM checkpoints) AS checkpoint_size",
    )
    .fetch_one(&mut *conn)
    .await?;
    let max_index = row
        .try_get::<Option<i64>, _>("max_index")?
        .map(|v| to_u64("log_index", v))
        .transpose()?;
    let checkpoint = row
        .try_get::<Option<i64>, _>("checkpoint_size")?
        .map(|v| to_u64("checkpoint size", v))
        .transpose()?;
    tree_size(max_index, checkpoint)
}

/// The oldest `limit` queued entries, with their queue ids.
async fn pending(
    conn: &mut SqliteConnection,
    limit: usize,
) -> Result<(Vec<i64>, Vec<PendingEntry>), StorageError> {
    let rows = sqlx::query(
        "SELECT id, session_id, session_seq, leaf_hash, seal FROM integration_queue ORDER BY id LIMIT ?",
    )
    .bind(len_i64("integration batch size", limit)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut pending = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(row.try_get("id")?);
        pending.push(pending_entry(&row)?);
    }
    Ok((ids, pending))
}

async fn write_plan(
    conn: &mut SqliteConnection,
    plan: &IntegrationPlan,
) -> Result<(), StorageError> {
    let leaves = plan
        .leaves
        .iter()
        .map(|(index, e)| {
            Ok((
                to_i64("log_index", *index)?,
                e,
                to_i64("session_seq", e.session_seq)?,
            ))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    insert_chunked(
        conn,
        "INSERT INTO tree_leaves (log_index, session_id, session_seq, leaf_hash) ",
        4,
        &leaves,
        |mut b, (index, e, seq)| {
            b.push_bind(*index)
                .push_bind(e.session)
                .push_bind(*seq)
                .push_bind(e.leaf_hash.as_bytes().as_slice());
        },
    )
    .await?;
    let nodes = plan
        .nodes
        .iter()
        .map(|(id, hash)| Ok((i64::from(id.level), to_i64("node index", id.index)?, hash)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    insert_chunked(
        conn,
        "INSERT INTO tree_nodes (level, idx, hash) ",
        3,
        &nodes,
        |mut b, (level, idx, hash)| {
            b.push_bind(*level)
                .push_bind(*idx)
                .push_bind(hash.as_bytes().as_slice());
        },
    )
    .await?;
    if let Some(cp) = &plan.checkpoint {
        sqlx::query(
            "INSERT INTO checkpoints (size, root, note, created_at_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(to_i64("checkpoint size", cp.size)?)
        .bind(cp.root.as_bytes().as_slice())
        .bind(&cp.note)
        .bind(cp.created_at_ms)
        .execute(&mut *conn)
        .await?;
    }
    let rejected = plan
        .rejected
        .iter()
        .map(|e| Ok((e, to_i64("session_seq", e.session_seq)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    insert_chunked(
        conn,
        "INSERT INTO queue_rejections (session_id, session_seq, leaf_hash, seal, rejected_at_ms) ",
        5,
        &rejected,
        |mut b, (e, seq)| {
            b.push_bind(e.session)
                .push_bind(*seq)
                .push_bind(e.leaf_hash.as_bytes().as_slice())
                .push_bind(e.seal.as_slice())
                .push_bind(plan.now_ms);
        },
    )
    .await?;
    Ok(())
}

async fn delete_queued(conn: &mut SqliteConnection, ids: &[i64]) -> Result<(), StorageError> {
    for chunk in ids.chunks(32_766) {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM integration_queue WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        qb.build().execute(&mut *conn).await?;
    }
    Ok(())
}
