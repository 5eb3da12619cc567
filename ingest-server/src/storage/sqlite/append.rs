//! Group commit of ingested batches into SQLite.
//!
//! Writers are already serialized (see the module doc of `sqlite`), so the heads
//! read at the start of the transaction stay true until it commits: no row locks
//! or retries are needed here, unlike Postgres.

use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use super::SqliteStore;
use super::rows::{insert_chunked, load_heads};
use crate::seal::EntrySeal;
use crate::storage::append_group::{GroupPlanner, GroupWrite, existing_batch, sessions_of};
use crate::storage::convert::{to_i64, to_u64};
use crate::storage::types::{AppendBatch, AppendOutcome, ExistingBatch, StorageError};

impl SqliteStore {
    pub(super) async fn append_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        group: &[AppendBatch],
    ) -> Result<Vec<AppendOutcome>, StorageError> {
        if group.is_empty() {
            return Ok(Vec::new());
        }
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let heads = load_heads(&mut tx, &sessions_of(group)).await?;
        let mut planner = GroupPlanner::new(origin, seal, heads);
        for req in group {
            let stored = match planner.needs_stored_batch(req) {
                Some(seq) => stored_batch(&mut tx, req.session, seq).await?,
                None => None,
            };
            planner.apply(req, stored)?;
        }
        let write = planner.finish();
        write_group(&mut tx, &write).await?;
        tx.commit().await?;
        Ok(write.outcomes)
    }
}

/// The batch entry already stored at (session, batch seq), if any.
async fn stored_batch(
    conn: &mut SqliteConnection,
    session: Uuid,
    seq: u64,
) -> Result<Option<ExistingBatch>, StorageError> {
    let row = sqlx::query(
        "SELECT session_seq, leaf_hash, entry_bytes FROM entries \
         WHERE session_id = ? AND batch_seq = ?",
    )
    .bind(session)
    .bind(to_i64("batch seq", seq)?)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        existing_batch(
            to_u64("session_seq", row.try_get("session_seq")?)?,
            &row.try_get::<Vec<u8>, _>("leaf_hash")?,
            &row.try_get::<Vec<u8>, _>("entry_bytes")?,
        )
    })
    .transpose()
}

/// One row of `entries` with every u64 already checked into an i64.
struct EntryRow<'a> {
    session: Uuid,
    session_seq: i64,
    project: &'a str,
    kind: i64,
    batch_seq: Option<i64>,
    received_at_ms: i64,
    entry_bytes: &'a [u8],
    leaf_hash: &'a [u8],
    payload: &'a [u8],
    seal: &'a [u8],
}

pub(super) async fn write_group(
    conn: &mut SqliteConnection,
    write: &GroupWrite,
) -> Result<(), StorageError> {
    for s in &write.sessions {
        let next_entry_seq = to_i64("next_entry_seq", s.head.next_entry_seq)?;
        let next_batch_seq = to_i64("next_batch_seq", s.head.next_batch_seq)?;
        let added_batches = to_i64("batch count", s.added_batches)?;
        let added_bytes = to_i64("payload bytes", s.added_bytes)?;
        let head_hash = s.head.head_hash.as_bytes().as_slice();
        let done = if s.is_new {
            sqlx::query(
                "INSERT INTO sessions (session_id, project, next_entry_seq, next_batch_seq, \
                 head_hash, started_at_ms, last_received_at_ms, batch_count, payload_bytes) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(s.session)
            .bind(&s.head.project)
            .bind(next_entry_seq)
            .bind(next_batch_seq)
            .bind(head_hash)
            .bind(s.started_at_ms)
            .bind(s.last_received_at_ms)
            .bind(added_batches)
            .bind(added_bytes)
            .execute(&mut *conn)
            .await?
        } else {
            sqlx::query(
                "UPDATE sessions SET next_entry_seq = ?, next_batch_seq = ?, head_hash = ?, \
                 last_received_at_ms = ?, batch_count = batch_count + ?, \
                 payload_bytes = payload_bytes + ? WHERE session_id = ?",
            )
            .bind(next_entry_seq)
            .bind(next_batch_seq)
            .bind(head_hash)
            .bind(s.last_received_at_ms)
            .bind(added_batches)
            .bind(added_bytes)
            .bind(s.session)
            .execute(&mut *conn)
            .await?
        };
        if done.rows_affected() != 1 {
            return Err(StorageError::Integrity(format!(
                "session row {} vanished during append",
                s.session
            )));
        }
    }

    write_rows(conn, write).await
}

/// The log rows of a group (entries, payloads, queue, conflicts), in chain order.
pub(super) async fn write_rows(
    conn: &mut SqliteConnection,
    write: &GroupWrite,
) -> Result<(), StorageError> {
    let rows = write
        .entries
        .iter()
        .map(|e| {
            Ok(EntryRow {
                session: e.session,
                session_seq: to_i64("session_seq", e.session_seq)?,
                project: &e.project,
                kind: i64::from(e.kind as u8),
                batch_seq: e
                    .batch_seq
                    .map(|seq| to_i64("batch seq", seq))
                    .transpose()?,
                received_at_ms: e.received_at_ms,
                entry_bytes: &e.entry_bytes,
                leaf_hash: e.leaf_hash.as_bytes(),
                payload: &e.payload,
                seal: &e.seal,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    insert_chunked(
        conn,
        "INSERT INTO entries (session_id, session_seq, project, kind, batch_seq, \
         received_at_ms, entry_bytes, leaf_hash) ",
        8,
        &rows,
        |mut b, r| {
            b.push_bind(r.session)
                .push_bind(r.session_seq)
                .push_bind(r.project)
                .push_bind(r.kind)
                .push_bind(r.batch_seq)
                .push_bind(r.received_at_ms)
                .push_bind(r.entry_bytes)
                .push_bind(r.leaf_hash);
        },
    )
    .await?;
    insert_chunked(
        conn,
        "INSERT INTO payloads (session_id, session_seq, bytes) ",
        3,
        &rows,
        |mut b, r| {
            b.push_bind(r.session)
                .push_bind(r.session_seq)
                .push_bind(r.payload);
        },
    )
    .await?;
    insert_chunked(
        conn,
        "INSERT INTO integration_queue (session_id, session_seq, leaf_hash, seal) ",
        4,
        &rows,
        |mut b, r| {
            b.push_bind(r.session)
                .push_bind(r.session_seq)
                .push_bind(r.leaf_hash)
                .push_bind(r.seal);
        },
    )
    .await?;

    let conflicts = write
        .conflicts
        .iter()
        .map(|c| Ok((c, to_i64("batch seq", c.seq)?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    insert_chunked(
        conn,
        "INSERT INTO ingest_conflicts (session_id, seq, payload_hash, received_at_ms, actor) ",
        5,
        &conflicts,
        |mut b, (c, seq)| {
            b.push_bind(c.session)
                .push_bind(*seq)
                .push_bind(c.payload_hash.as_bytes().as_slice())
                .push_bind(c.received_at_ms)
                .push_bind(c.actor.as_str());
        },
    )
    .await?;
    Ok(())
}
