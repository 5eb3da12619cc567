//! The reference: what the database does with no group commit. Each batch is
//! one single-row INSERT in its own autocommit transaction (so its own WAL flush,
//! unless PostgreSQL happens to flush several together), into a plain table in
//! the same cluster, from one connection per session (up to `--raw-connections`).

use actix_web::web::Bytes;
use sqlx::postgres::{PgPool, PgPoolOptions};
use uuid::Uuid;

use crate::load::{SendError, SessionSender};

/// A fresh table in the database at `url`, and a pool with `connections` open.
pub async fn prepare(url: &str, connections: u32) -> anyhow::Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .min_connections(connections)
        .connect(url)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS raw_batches")
        .execute(&pool)
        .await?;
    sqlx::query(
        "CREATE TABLE raw_batches (id bigserial PRIMARY KEY, session_id uuid NOT NULL, \
         seq bigint NOT NULL, received_at_ms bigint NOT NULL, payload bytea NOT NULL)",
    )
    .execute(&pool)
    .await?;
    // Open every connection now, so the run does not pay for backend start-up.
    let held = futures_util::future::try_join_all((0..connections).map(|_| pool.acquire())).await?;
    drop(held);
    Ok(pool)
}

pub struct RawSender {
    pub pool: PgPool,
}

impl SessionSender for RawSender {
    async fn send(&mut self, session: Uuid, seq: u64, body: Bytes) -> Result<(), SendError> {
        sqlx::query(
            "INSERT INTO raw_batches (session_id, seq, received_at_ms, payload) VALUES ($1, $2, $3, $4)",
        )
        .bind(session)
        .bind(seq as i64)
        .bind(ingest_server::clock::now_ms())
        .bind(&body[..])
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(|e| SendError::Fatal(format!("INSERT: {e}")))
    }
}
