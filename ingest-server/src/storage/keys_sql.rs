//! Sessions' wrapped data keys (`session_keys`), written once for both stores
//! (`shared_sql`). The table is mutable on purpose: erasure destroys a key.

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::shared_sql::{Bind, SqlDialect};
use super::types::{SessionKeyRow, StorageError};

/// See [`crate::storage::Storage::session_key`].
pub(crate) async fn session_key<DB: SqlDialect>(
    pool: &Pool<DB>,
    session: Uuid,
) -> Result<Option<SessionKeyRow>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT wrapped_key, erased_at_ms FROM session_keys WHERE session_id = ",
    );
    DB::bind(&mut qb, Bind::Uuid(session));
    let mut conn = pool.acquire().await?;
    let Some(row) = DB::fetch_optional(&mut conn, &mut qb).await? else {
        return Ok(None);
    };
    Ok(Some(SessionKeyRow {
        wrapped_key: DB::opt_bytes_at(&row, "wrapped_key")?,
        erased_at_ms: DB::opt_i64_at(&row, "erased_at_ms")?,
    }))
}

/// See [`crate::storage::Storage::create_session_key`]: the first key stored
/// for a session wins; a concurrent second one is dropped.
pub(crate) async fn create_session_key<DB: SqlDialect>(
    pool: &Pool<DB>,
    session: Uuid,
    wrapped: &[u8],
    now_ms: i64,
) -> Result<(), StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO session_keys (session_id, wrapped_key, created_at_ms) VALUES (",
    );
    DB::bind(&mut qb, Bind::Uuid(session));
    qb.push(", ");
    DB::bind(&mut qb, Bind::Bytes(wrapped.to_vec()));
    qb.push(", ");
    DB::bind(&mut qb, Bind::I64(now_ms));
    qb.push(") ON CONFLICT (session_id) DO NOTHING");
    let mut conn = pool.acquire().await?;
    DB::execute(&mut conn, &mut qb).await?;
    Ok(())
}

/// Erases `session` inside the caller's transaction (the one that commits the
/// `session_erased` entry): destroys its data key and forgets its indexed facts.
pub(crate) async fn erase_session<DB: SqlDialect>(
    conn: &mut DB::Connection,
    session: Uuid,
    now_ms: i64,
) -> Result<(), StorageError> {
    destroy_session_key::<DB>(conn, session, now_ms).await?;
    forget_session_facts::<DB>(conn, session).await
}

/// Exactly one live key must be destroyed.
async fn destroy_session_key<DB: SqlDialect>(
    conn: &mut DB::Connection,
    session: Uuid,
    now_ms: i64,
) -> Result<(), StorageError> {
    let mut qb =
        QueryBuilder::<DB>::new("UPDATE session_keys SET wrapped_key = NULL, erased_at_ms = ");
    DB::bind(&mut qb, Bind::I64(now_ms));
    qb.push(" WHERE wrapped_key IS NOT NULL AND session_id = ");
    DB::bind(&mut qb, Bind::Uuid(session));
    match DB::execute(conn, &mut qb).await? {
        1 => Ok(()),
        _ => Err(StorageError::NotErasable(format!(
            "session {session} has no data key to destroy (already erased, or recorded before payloads were sealed)"
        ))),
    }
}

/// Forgets what the session index learnt from an erased session's recording, in
/// the erasure's transaction: URLs, user id, traits and event names go; counts
/// and times stay (they describe the log, not the people). The emptied state
/// makes any later indexing start over, and it finds the key destroyed.
async fn forget_session_facts<DB: SqlDialect>(
    conn: &mut DB::Connection,
    session: Uuid,
) -> Result<(), StorageError> {
    for table in ["session_pages", "session_traits", "session_event_names"] {
        let mut qb = QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE session_id = "));
        DB::bind(&mut qb, Bind::Uuid(session));
        DB::execute(conn, &mut qb).await?;
    }
    let mut qb = QueryBuilder::<DB>::new(
        "UPDATE session_index SET first_url = NULL, user_id = NULL, page_count = 0, state = '' WHERE session_id = ",
    );
    DB::bind(&mut qb, Bind::Uuid(session));
    DB::execute(conn, &mut qb).await?;
    Ok(())
}
