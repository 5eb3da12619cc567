//! Pages of signed checkpoints for archivers, written once for both stores
//! (`shared_sql`).

use sqlx::{Pool, QueryBuilder};

use super::convert::{to_hash, to_i64, to_u64};
use super::shared_sql::{Bind, SqlDialect};
use super::types::{StorageError, StoredCheckpoint};

/// See [`crate::storage::Storage::checkpoints_after`].
pub(crate) async fn checkpoints_after<DB: SqlDialect>(
    pool: &Pool<DB>,
    after_size: u64,
    limit: u32,
) -> Result<Vec<StoredCheckpoint>, StorageError> {
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT size, root, note, created_at_ms FROM checkpoints WHERE size > ",
    );
    DB::bind(&mut qb, Bind::I64(to_i64("checkpoint size", after_size)?));
    qb.push(" ORDER BY size LIMIT ");
    DB::bind(&mut qb, Bind::I64(i64::from(limit)));
    let mut conn = pool.acquire().await?;
    DB::fetch_all(&mut conn, &mut qb)
        .await?
        .iter()
        .map(|row| {
            Ok(StoredCheckpoint {
                size: to_u64("checkpoint size", DB::i64_at(row, "size")?)?,
                root: to_hash("checkpoint root", &DB::bytes_at(row, "root")?)?,
                note: DB::text_at(row, "note")?,
                created_at_ms: DB::i64_at(row, "created_at_ms")?,
            })
        })
        .collect()
}
