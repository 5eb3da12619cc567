//! The embedded store: one SQLite file, so `affidavit serve` works on a bare machine.
//!
//! SQLite allows one writer at a time. Rather than let every writer spin in
//! SQLite's busy handler, write transactions queue on an in-process mutex and
//! then take the file's write lock up front with `BEGIN IMMEDIATE` (a deferred
//! transaction that upgrades from read to write can fail with SQLITE_BUSY instead
//! of waiting). `busy_timeout` still covers other processes, such as `fsck`,
//! opening the same file. Readers run concurrently thanks to WAL.

mod access;
mod append;
mod index;
mod integrate;
mod read;
mod rows;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use ledger::Hash;
use ledger::tree::NodeId;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::accounts::{LoginRow, NewLogin, NewUser, UserRow};
use super::index_types::*;
use super::types::*;
use super::{IntegrationPlanner, Storage, index_sql, search_sql};
use crate::seal::EntrySeal;

/// How SQLite makes commits durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSyncMode {
    Off,
    /// Durable against application crashes; a power loss may drop the last commits.
    Normal,
    /// Every commit reaches the disk before it is acknowledged (default: a
    /// receipt promises the batch is recorded).
    #[default]
    Full,
    Extra,
}

impl From<SqliteSyncMode> for SqliteSynchronous {
    fn from(mode: SqliteSyncMode) -> Self {
        match mode {
            SqliteSyncMode::Off => SqliteSynchronous::Off,
            SqliteSyncMode::Normal => SqliteSynchronous::Normal,
            SqliteSyncMode::Full => SqliteSynchronous::Full,
            SqliteSyncMode::Extra => SqliteSynchronous::Extra,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SqliteOptions {
    pub max_connections: u32,
    /// How long a caller waits for a pooled connection before `Unavailable`.
    pub acquire_timeout_ms: u64,
    /// How long SQLite waits for another process's lock before SQLITE_BUSY.
    pub busy_timeout_ms: u64,
    pub synchronous: SqliteSyncMode,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            max_connections: 8,
            acquire_timeout_ms: 5_000,
            busy_timeout_ms: 5_000,
            synchronous: SqliteSyncMode::Full,
        }
    }
}

#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Serializes this process's write transactions (see the module doc).
    writer: Mutex<()>,
    /// Held for a whole integration step; a second caller gets `None`, like
    /// Postgres's advisory lock.
    integrator: Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path, options: SqliteOptions) -> Result<Self, StorageError> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(options.synchronous.into())
            .foreign_keys(true)
            .busy_timeout(Duration::from_millis(options.busy_timeout_ms));
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_millis(options.acquire_timeout_ms))
            .connect_with(connect)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore {
            pool,
            writer: Mutex::new(()),
            integrator: Mutex::new(()),
        })
    }

    /// The underlying pool, for admin tooling and tests. The log tables' triggers
    /// still refuse updates and deletes made through it.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_project(&self, project: &NewProject) -> Result<Project, StorageError> {
        self.create_project_impl(project).await
    }

    async fn project_by_write_key(&self, write_key: &str) -> Result<Option<Project>, StorageError> {
        self.project_by_write_key_impl(write_key).await
    }

    async fn list_projects(&self) -> Result<Vec<Project>, StorageError> {
        self.list_projects_impl().await
    }

    async fn append_batches(
        &self,
        origin: &str,
        seal: &EntrySeal,
        group: &[AppendBatch],
    ) -> Result<Vec<AppendOutcome>, StorageError> {
        self.append_impl(origin, seal, group).await
    }

    async fn integrate_step(
        &self,
        max_entries: usize,
        planner: &(dyn IntegrationPlanner + Sync),
    ) -> Result<Option<IntegrationOutcome>, StorageError> {
        self.integrate_impl(max_entries, planner).await
    }

    async fn pending_count(&self) -> Result<u64, StorageError> {
        self.pending_count_impl().await
    }

    async fn tree_size(&self) -> Result<u64, StorageError> {
        self.tree_size_impl().await
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError> {
        self.latest_checkpoint_impl().await
    }

    async fn checkpoints_after(
        &self,
        after_size: u64,
        limit: u32,
    ) -> Result<Vec<StoredCheckpoint>, StorageError> {
        crate::storage::checkpoints_sql::checkpoints_after(&self.pool, after_size, limit).await
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StorageError> {
        self.checkpoints_impl().await
    }

    async fn nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StorageError> {
        let mut conn = self.pool.acquire().await?;
        rows::nodes(&mut conn, ids).await
    }

    async fn leaf_index_by_hash(&self, leaf_hash: &Hash) -> Result<Option<u64>, StorageError> {
        self.leaf_index_by_hash_impl(leaf_hash).await
    }

    async fn entries_by_session(
        &self,
        after: Option<(Uuid, u64)>,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError> {
        self.entries_by_session_impl(after, limit).await
    }

    async fn session_batches(
        &self,
        session: Uuid,
        from_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError> {
        self.session_batches_impl(session, from_seq, limit).await
    }

    async fn leaves(&self, from_index: u64, limit: u32) -> Result<Vec<StoredLeaf>, StorageError> {
        self.leaves_impl(from_index, limit).await
    }

    async fn pending_entries(&self) -> Result<Vec<PendingEntry>, StorageError> {
        self.pending_entries_impl().await
    }

    async fn rejected_entries(&self) -> Result<Vec<RejectedEntry>, StorageError> {
        self.rejected_entries_impl().await
    }

    async fn sessions(&self) -> Result<Vec<SessionRow>, StorageError> {
        self.sessions_impl().await
    }

    async fn append_access(
        &self,
        origin: &str,
        seal: &EntrySeal,
        access: &AppendAccess,
    ) -> Result<Option<AccessReceipt>, StorageError> {
        self.append_access_impl(origin, seal, access).await
    }

    async fn open_chain(
        &self,
        origin: &str,
        seal: &EntrySeal,
        opening: &OpenChain,
    ) -> Result<bool, StorageError> {
        self.open_chain_impl(origin, seal, opening).await
    }

    async fn session_key(&self, session: Uuid) -> Result<Option<SessionKeyRow>, StorageError> {
        crate::storage::keys_sql::session_key(&self.pool, session).await
    }

    async fn create_session_key(
        &self,
        session: Uuid,
        wrapped: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        crate::storage::keys_sql::create_session_key(&self.pool, session, wrapped, now_ms).await
    }

    async fn set_retention(
        &self,
        project: &str,
        days: Option<u32>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        crate::storage::retention_sql::set_retention(&self.pool, project, days, now_ms).await
    }

    async fn retention_policies(&self) -> Result<Vec<RetentionPolicy>, StorageError> {
        crate::storage::retention_sql::retention_policies(&self.pool).await
    }

    async fn expired_sessions(
        &self,
        project: &str,
        started_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<Uuid>, StorageError> {
        crate::storage::retention_sql::expired_sessions(
            &self.pool,
            project,
            started_before_ms,
            limit,
        )
        .await
    }

    async fn idle_sessions(
        &self,
        last_received_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<Uuid>, StorageError> {
        crate::storage::session_state_sql::idle_sessions(&self.pool, last_received_before_ms, limit)
            .await
    }

    async fn access_entries(&self, query: &AccessQuery) -> Result<Vec<AccessRow>, StorageError> {
        crate::storage::access_sql::access_entries(&self.pool, query).await
    }

    async fn session_audit(&self, session: Uuid) -> Result<Option<SessionAuditRows>, StorageError> {
        crate::storage::audit_sql::session_audit(&self.pool, session).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<(), StorageError> {
        crate::storage::accounts_sql::create_user(&self.pool, user).await
    }

    async fn user(&self, name: &str) -> Result<Option<UserRow>, StorageError> {
        crate::storage::accounts_sql::user(&self.pool, name).await
    }

    async fn list_users(&self) -> Result<Vec<UserRow>, StorageError> {
        crate::storage::accounts_sql::list_users(&self.pool).await
    }

    async fn create_login(&self, login: &NewLogin) -> Result<(), StorageError> {
        crate::storage::accounts_sql::create_login(&self.pool, login).await
    }

    async fn login(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<LoginRow>, StorageError> {
        crate::storage::accounts_sql::login(&self.pool, token_hash, now_ms).await
    }

    async fn delete_login(&self, token_hash: &[u8; 32]) -> Result<(), StorageError> {
        crate::storage::accounts_sql::delete_login(&self.pool, token_hash).await
    }

    async fn index_work(&self, since_ms: i64, limit: u32) -> Result<Vec<IndexWork>, StorageError> {
        index_sql::read_work(&self.pool, since_ms, limit).await
    }

    async fn settle_work(
        &self,
        idle_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<IndexWork>, StorageError> {
        index_sql::read_settle_work(&self.pool, idle_before_ms, limit).await
    }

    async fn index_state(&self, session: Uuid) -> Result<Option<IndexState>, StorageError> {
        index_sql::read_state(&self.pool, session).await
    }

    async fn write_index(&self, update: &IndexUpdate) -> Result<bool, StorageError> {
        self.write_index_impl(update).await
    }

    async fn clear_index(&self) -> Result<u64, StorageError> {
        self.clear_index_impl().await
    }

    async fn search_sessions(&self, query: &SessionQuery) -> Result<SessionPage, StorageError> {
        search_sql::search(&self.pool, query).await
    }

    async fn session_summary(&self, session: Uuid) -> Result<Option<SessionDetail>, StorageError> {
        search_sql::detail(&self.pool, session).await
    }
}
