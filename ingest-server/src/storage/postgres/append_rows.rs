//! The log rows of one group commit (entries, payloads, queue, conflicts), one
//! `unnest` INSERT per table.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::storage::append_group::GroupWrite;
use crate::storage::convert::to_i64;
use crate::storage::types::StorageError;

pub(super) async fn write_rows(
    conn: &mut PgConnection,
    write: &GroupWrite,
) -> Result<(), StorageError> {
    if !write.entries.is_empty() {
        let n = write.entries.len();
        let mut sessions: Vec<Uuid> = Vec::with_capacity(n);
        let mut seqs: Vec<i64> = Vec::with_capacity(n);
        let mut projects: Vec<&str> = Vec::with_capacity(n);
        let mut kinds: Vec<i16> = Vec::with_capacity(n);
        let mut batch_seqs: Vec<Option<i64>> = Vec::with_capacity(n);
        let mut received: Vec<i64> = Vec::with_capacity(n);
        let mut entry_bytes: Vec<&[u8]> = Vec::with_capacity(n);
        let mut leaf_hashes: Vec<&[u8]> = Vec::with_capacity(n);
        let mut payloads: Vec<&[u8]> = Vec::with_capacity(n);
        let mut seals: Vec<&[u8]> = Vec::with_capacity(n);
        for e in &write.entries {
            sessions.push(e.session);
            seqs.push(to_i64("session_seq", e.session_seq)?);
            projects.push(&e.project);
            kinds.push(i16::from(e.kind as u8));
            batch_seqs.push(e.batch_seq.map(|s| to_i64("batch seq", s)).transpose()?);
            received.push(e.received_at_ms);
            entry_bytes.push(&e.entry_bytes);
            leaf_hashes.push(e.leaf_hash.as_bytes());
            payloads.push(&e.payload);
            seals.push(&e.seal);
        }
        sqlx::query(
            "INSERT INTO entries (session_id, session_seq, project, kind, batch_seq, \
             received_at_ms, entry_bytes, leaf_hash) \
             SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::smallint[], \
                                  $5::bigint[], $6::bigint[], $7::bytea[], $8::bytea[])",
        )
        .bind(&sessions)
        .bind(&seqs)
        .bind(&projects)
        .bind(&kinds)
        .bind(&batch_seqs)
        .bind(&received)
        .bind(&entry_bytes)
        .bind(&leaf_hashes)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO payloads (session_id, session_seq, bytes) \
             SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[])",
        )
        .bind(&sessions)
        .bind(&seqs)
        .bind(&payloads)
        .execute(&mut *conn)
        .await?;
        // WITH ORDINALITY keeps the queue order equal to the chain order.
        sqlx::query(
            "INSERT INTO integration_queue (session_id, session_seq, leaf_hash, seal) \
             SELECT s, q, h, m FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::bytea[]) \
                  WITH ORDINALITY AS t(s, q, h, m, n) ORDER BY n",
        )
        .bind(&sessions)
        .bind(&seqs)
        .bind(&leaf_hashes)
        .bind(&seals)
        .execute(&mut *conn)
        .await?;
    }
    if !write.conflicts.is_empty() {
        let n = write.conflicts.len();
        let mut sessions: Vec<Uuid> = Vec::with_capacity(n);
        let mut seqs: Vec<i64> = Vec::with_capacity(n);
        let mut hashes: Vec<&[u8]> = Vec::with_capacity(n);
        let mut received: Vec<i64> = Vec::with_capacity(n);
        let mut actors: Vec<&str> = Vec::with_capacity(n);
        for c in &write.conflicts {
            sessions.push(c.session);
            seqs.push(to_i64("batch seq", c.seq)?);
            hashes.push(c.payload_hash.as_bytes());
            received.push(c.received_at_ms);
            actors.push(&c.actor);
        }
        sqlx::query(
            "INSERT INTO ingest_conflicts (session_id, seq, payload_hash, received_at_ms, actor) \
             SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::bigint[], $5::text[])",
        )
        .bind(&sessions)
        .bind(&seqs)
        .bind(&hashes)
        .bind(&received)
        .bind(&actors)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
