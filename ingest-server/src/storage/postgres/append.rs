//! Group commit of ingested batches into Postgres.
//!
//! The group's existing sessions are locked in one statement, in session-id order
//! (so two groups never wait on each other in a cycle). A session that does not
//! exist yet has no row to lock; if another node creates it between our read and
//! our insert, the insert reports the conflict and the whole group is planned
//! again from fresh heads. Rows are written with `unnest` arrays: one statement
//! per table with a constant text (prepared once per connection) and no bind
//! limit, whatever the group size.

use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::PostgresStore;
use crate::seal::EntrySeal;
use crate::storage::append_group::{GroupPlanner, GroupWrite, existing_batch, sessions_of};
use crate::storage::convert::{to_hash, to_i64, to_u64};
use crate::storage::types::{AppendBatch, AppendOutcome, ExistingBatch, SessionHead, StorageError};

/// Attempts per group before giving up with `Unavailable`.
const MAX_ATTEMPTS: u32 = 4;

pub(super) enum Attempt {
    /// Worth planning again from fresh heads (a session was created concurrently,
    /// or Postgres broke a deadlock by aborting us).
    Retry(String),
    Fail(StorageError),
}

impl From<sqlx::Error> for Attempt {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && matches!(db.code().as_deref(), Some("40P01" | "40001"))
        {
            return Attempt::Retry(e.to_string());
        }
        Attempt::Fail(e.into())
    }
}

impl From<StorageError> for Attempt {
    fn from(e: StorageError) -> Self {
        Attempt::Fail(e)
    }
}

impl PostgresStore {
    pub(super) async fn append_impl(
        &self,
        origin: &str,
        seal: &EntrySeal,
        group: &[AppendBatch],
    ) -> Result<Vec<AppendOutcome>, StorageError> {
        if group.is_empty() {
            return Ok(Vec::new());
        }
        let mut attempt = 1;
        loop {
            match self.try_append(origin, seal, group).await {
                Ok(outcomes) => return Ok(outcomes),
                Err(Attempt::Fail(e)) => return Err(e),
                Err(Attempt::Retry(why)) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(attempt, %why, "append group raced another writer; planning it again");
                    attempt += 1;
                }
                Err(Attempt::Retry(why)) => {
                    return Err(StorageError::Unavailable(format!(
                        "append gave up after {MAX_ATTEMPTS} attempts: {why}"
                    )));
                }
            }
        }
    }

    async fn try_append(
        &self,
        origin: &str,
        seal: &EntrySeal,
        group: &[AppendBatch],
    ) -> Result<Vec<AppendOutcome>, Attempt> {
        let mut tx = self.pool.begin().await?;
        let heads = lock_heads(&mut tx, &sessions_of(group)).await?;
        let mut planner = GroupPlanner::new(origin, seal, heads);
        for req in group {
            let stored = match planner.needs_stored_batch(req) {
                Some(seq) => stored_batch(&mut tx, req.session, seq).await?,
                None => None,
            };
            planner.apply(req, stored)?;
        }
        let write = planner.finish();
        write_sessions(&mut tx, &write).await?;
        super::append_rows::write_rows(&mut tx, &write).await?;
        tx.commit().await?;
        Ok(write.outcomes)
    }
}

/// Locks and reads the heads of those of `sessions` that exist, in id order.
async fn lock_heads(
    conn: &mut PgConnection,
    sessions: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, SessionHead>, Attempt> {
    let rows = sqlx::query(
        "SELECT session_id, project, next_entry_seq, next_batch_seq, head_hash, closed_at_ms FROM sessions \
         WHERE session_id = ANY($1) ORDER BY session_id FOR UPDATE",
    )
    .bind(sessions)
    .fetch_all(&mut *conn)
    .await?;
    let mut heads = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let head = SessionHead {
            project: row.try_get("project")?,
            next_entry_seq: to_u64("next_entry_seq", row.try_get("next_entry_seq")?)?,
            next_batch_seq: to_u64("next_batch_seq", row.try_get("next_batch_seq")?)?,
            head_hash: to_hash("head_hash", &row.try_get::<Vec<u8>, _>("head_hash")?)?,
            closed: row.try_get::<Option<i64>, _>("closed_at_ms")?.is_some(),
        };
        heads.insert(row.try_get("session_id")?, head);
    }
    Ok(heads)
}

/// The batch entry already stored at (session, batch seq), if any.
async fn stored_batch(
    conn: &mut PgConnection,
    session: Uuid,
    seq: u64,
) -> Result<Option<ExistingBatch>, Attempt> {
    let row = sqlx::query(
        "SELECT session_seq, leaf_hash, entry_bytes FROM entries WHERE session_id = $1 AND batch_seq = $2",
    )
    .bind(session)
    .bind(to_i64("batch seq", seq)?)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(existing_batch(
        to_u64("session_seq", row.try_get("session_seq")?)?,
        &row.try_get::<Vec<u8>, _>("leaf_hash")?,
        &row.try_get::<Vec<u8>, _>("entry_bytes")?,
    )?))
}

/// Session rows as columns, for `unnest`.
#[derive(Default)]
struct SessionColumns<'a> {
    ids: Vec<Uuid>,
    projects: Vec<&'a str>,
    next_entry: Vec<i64>,
    next_batch: Vec<i64>,
    heads: Vec<&'a [u8]>,
    started: Vec<i64>,
    last: Vec<i64>,
    batches: Vec<i64>,
    bytes: Vec<i64>,
}

/// Inserts the group's new sessions and moves the heads of the existing ones.
pub(super) async fn write_sessions(
    conn: &mut PgConnection,
    write: &GroupWrite,
) -> Result<(), Attempt> {
    let (mut new, mut old) = (SessionColumns::default(), SessionColumns::default());
    for s in &write.sessions {
        let cols = if s.is_new { &mut new } else { &mut old };
        cols.ids.push(s.session);
        cols.projects.push(&s.head.project);
        cols.next_entry
            .push(to_i64("next_entry_seq", s.head.next_entry_seq)?);
        cols.next_batch
            .push(to_i64("next_batch_seq", s.head.next_batch_seq)?);
        cols.heads.push(s.head.head_hash.as_bytes());
        cols.started.push(s.started_at_ms);
        cols.last.push(s.last_received_at_ms);
        cols.batches.push(to_i64("batch count", s.added_batches)?);
        cols.bytes.push(to_i64("payload bytes", s.added_bytes)?);
    }
    if !new.ids.is_empty() {
        let created = sqlx::query(
            "INSERT INTO sessions (session_id, project, next_entry_seq, next_batch_seq, head_hash, \
             started_at_ms, last_received_at_ms, batch_count, payload_bytes) \
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[], $5::bytea[], \
                                  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[]) \
             ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(&new.ids)
        .bind(&new.projects)
        .bind(&new.next_entry)
        .bind(&new.next_batch)
        .bind(&new.heads)
        .bind(&new.started)
        .bind(&new.last)
        .bind(&new.batches)
        .bind(&new.bytes)
        .execute(&mut *conn)
        .await?;
        if created.rows_affected() != new.ids.len() as u64 {
            // Another node opened one of these sessions since we looked; our plan
            // for it started a chain that already exists.
            return Err(Attempt::Retry(
                "a new session was created concurrently".into(),
            ));
        }
    }
    if !old.ids.is_empty() {
        let moved = sqlx::query(
            "UPDATE sessions AS s SET next_entry_seq = v.next_entry_seq, \
                 next_batch_seq = v.next_batch_seq, head_hash = v.head_hash, \
                 last_received_at_ms = v.last_received_at_ms, \
                 batch_count = s.batch_count + v.added_batches, \
                 payload_bytes = s.payload_bytes + v.added_bytes \
             FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bytea[], $5::bigint[], \
                         $6::bigint[], $7::bigint[]) \
                  AS v(session_id, next_entry_seq, next_batch_seq, head_hash, \
                       last_received_at_ms, added_batches, added_bytes) \
             WHERE s.session_id = v.session_id",
        )
        .bind(&old.ids)
        .bind(&old.next_entry)
        .bind(&old.next_batch)
        .bind(&old.heads)
        .bind(&old.last)
        .bind(&old.batches)
        .bind(&old.bytes)
        .execute(&mut *conn)
        .await?;
        if moved.rows_affected() != old.ids.len() as u64 {
            return Err(Attempt::Fail(StorageError::Integrity(
                "a locked session row vanished during append".into(),
            )));
        }
    }
    Ok(())
}
