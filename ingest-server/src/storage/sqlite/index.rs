//! Writing the session index on SQLite. Writes queue behind the store's writer lock
//! like every other write (see the module doc of `sqlite`); each is a few small
//! statements, so ingest waits at most that long.

use sqlx::Sqlite;

use super::SqliteStore;
use crate::storage::index_sql::{self, INDEX_TABLES};
use crate::storage::index_types::IndexUpdate;
use crate::storage::types::StorageError;

impl SqliteStore {
    pub(super) async fn write_index_impl(
        &self,
        update: &IndexUpdate,
    ) -> Result<bool, StorageError> {
        let mut row = index_sql::write_row::<Sqlite>(update)?;
        let lists = index_sql::write_lists::<Sqlite>(update);
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if row.build().fetch_optional(&mut *tx).await?.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        for mut statement in lists {
            statement.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn clear_index_impl(&self) -> Result<u64, StorageError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut sessions = 0;
        for table in INDEX_TABLES {
            let sql = sqlx::AssertSqlSafe(format!("DELETE FROM {table}"));
            // The last table is session_index: one row per session.
            sessions = sqlx::query(sql).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(sessions)
    }
}
