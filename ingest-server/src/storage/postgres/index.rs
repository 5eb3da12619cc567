//! Writing the session index on Postgres. Several nodes may run an indexer: each
//! write is conditional on the row being as its indexer read it, so the loser of a
//! race writes nothing and no lock is needed.

use sqlx::Postgres;

use super::PostgresStore;
use crate::storage::index_sql::{self, INDEX_TABLES};
use crate::storage::index_types::IndexUpdate;
use crate::storage::types::StorageError;

impl PostgresStore {
    pub(super) async fn write_index_impl(
        &self,
        update: &IndexUpdate,
    ) -> Result<bool, StorageError> {
        let mut row = index_sql::write_row::<Postgres>(update)?;
        let lists = index_sql::write_lists::<Postgres>(update);
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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
