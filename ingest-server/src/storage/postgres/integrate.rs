//! One integrator step on Postgres, run by whichever node holds the advisory lock.
//!
//! The lock is transaction-scoped, so it is released by the same commit that
//! makes the step's rows visible: the next holder always reads the tree this step
//! left. Any node may run the integrator loop; at most one step runs at a time.

use sqlx::{PgConnection, Row};

use super::PostgresStore;
use super::read::{nodes, pending_entry};
use crate::storage::IntegrationPlanner;
use crate::storage::convert::{len_i64, to_i64, to_u64};
use crate::storage::integrate_check::{check_plan, frontier, tree_size};
use crate::storage::types::{IntegrationOutcome, IntegrationPlan, PendingEntry, StorageError};

impl PostgresStore {
    /// Advisory lock key of the integrator: the ASCII bytes of "affidavt".
    pub const INTEGRATOR_LOCK_KEY: i64 = 0x6166_6669_6461_7674;

    pub(super) async fn integrate_impl(
        &self,
        max_entries: usize,
        planner: &(dyn IntegrationPlanner + Sync),
    ) -> Result<Option<IntegrationOutcome>, StorageError> {
        if max_entries == 0 {
            return Ok(None);
        }
        let mut tx = self.pool.begin().await?;
        let leader: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(Self::INTEGRATOR_LOCK_KEY)
            .fetch_one(&mut *tx)
            .await?;
        if !leader {
            tx.rollback().await?;
            return Ok(None);
        }
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
        sqlx::query("DELETE FROM integration_queue WHERE id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(IntegrationOutcome {
            integrated: plan.leaves.len() as u64,
            rejected: plan.rejected,
            checkpoint: plan.checkpoint,
        }))
    }
}

/// The tree size, from the leaves and cross-checked with the latest checkpoint.
async fn stored_size(conn: &mut PgConnection) -> Result<u64, StorageError> {
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

/// The oldest `limit` queued entries visible now, with their queue ids.
async fn pending(
    conn: &mut PgConnection,
    limit: usize,
) -> Result<(Vec<i64>, Vec<PendingEntry>), StorageError> {
    let rows = sqlx::query(
        "SELECT id, session_id, session_seq, leaf_hash, seal FROM integration_queue ORDER BY id LIMIT $1",
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

async fn write_plan(conn: &mut PgConnection, plan: &IntegrationPlan) -> Result<(), StorageError> {
    let n = plan.leaves.len();
    let (mut indices, mut sessions, mut seqs, mut hashes) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (index, e) in &plan.leaves {
        indices.push(to_i64("log_index", *index)?);
        sessions.push(e.session);
        seqs.push(to_i64("session_seq", e.session_seq)?);
        hashes.push(e.leaf_hash.as_bytes().as_slice());
    }
    sqlx::query(
        "INSERT INTO tree_leaves (log_index, session_id, session_seq, leaf_hash) \
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bytea[])",
    )
    .bind(&indices)
    .bind(&sessions)
    .bind(&seqs)
    .bind(&hashes)
    .execute(&mut *conn)
    .await?;

    let n = plan.nodes.len();
    let (mut levels, mut idxs, mut node_hashes) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (id, hash) in &plan.nodes {
        levels.push(i16::from(id.level));
        idxs.push(to_i64("node index", id.index)?);
        node_hashes.push(hash.as_bytes().as_slice());
    }
    sqlx::query(
        "INSERT INTO tree_nodes (level, idx, hash) \
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
    )
    .bind(&levels)
    .bind(&idxs)
    .bind(&node_hashes)
    .execute(&mut *conn)
    .await?;

    if let Some(cp) = &plan.checkpoint {
        sqlx::query(
            "INSERT INTO checkpoints (size, root, note, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(to_i64("checkpoint size", cp.size)?)
        .bind(cp.root.as_bytes().as_slice())
        .bind(&cp.note)
        .bind(cp.created_at_ms)
        .execute(&mut *conn)
        .await?;
    }
    if !plan.rejected.is_empty() {
        let n = plan.rejected.len();
        let (mut sessions, mut seqs, mut hashes, mut seals) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for e in &plan.rejected {
            sessions.push(e.session);
            seqs.push(to_i64("session_seq", e.session_seq)?);
            hashes.push(e.leaf_hash.as_bytes().as_slice());
            seals.push(e.seal.as_slice());
        }
        sqlx::query(
            "INSERT INTO queue_rejections (session_id, session_seq, leaf_hash, seal, rejected_at_ms) \
             SELECT s, q, h, m, $5 FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::bytea[]) AS t(s, q, h, m)",
        )
        .bind(&sessions)
        .bind(&seqs)
        .bind(&hashes)
        .bind(&seals)
        .bind(plan.now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
