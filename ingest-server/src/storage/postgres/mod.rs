//! The production store: PostgreSQL, shared by any number of stateless ingest nodes.
//!
//! Concurrency comes from the database, not from this process: an append locks
//! only its sessions' rows (`SELECT … FOR UPDATE`), and the integrator is whichever
//! node wins a transaction-scoped advisory lock. Migrations run as the connecting
//! user; the pool can then drop to a role that may only INSERT into the log tables
//! ([`PostgresOptions::app_role`]), so a bug or an attacker inside the app cannot
//! rewrite history even if the append-only triggers were removed.

mod access;
mod append;
mod append_rows;
mod index;
mod integrate;
mod read;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use ledger::Hash;
use ledger::tree::NodeId;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

use super::accounts::{LoginRow, NewLogin, NewUser, UserRow};
use super::index_types::*;
use super::types::*;
use super::{IntegrationPlanner, Storage, index_sql, search_sql};
use crate::seal::EntrySeal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostgresOptions {
    pub max_connections: u32,
    /// How long a caller waits for a pooled connection before `Unavailable`.
    pub acquire_timeout_ms: u64,
    /// Role every pooled connection switches to (`SET ROLE`) after connecting,
    /// e.g. `affidavit_app` (created by the migrations). `None` keeps the
    /// connecting user, which is simpler but lets the app alter log rows if the
    /// triggers are dropped.
    pub app_role: Option<String>,
    /// Server-side limit for any one statement of the pool; 0 disables it.
    pub statement_timeout_ms: u64,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            max_connections: 16,
            acquire_timeout_ms: 5_000,
            app_role: None,
            statement_timeout_ms: 30_000,
        }
    }
}

#[derive(Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects, runs the migrations as the connecting user, then opens the pool
    /// (under `app_role`, if set).
    pub async fn connect(url: &str, options: PostgresOptions) -> Result<Self, StorageError> {
        let base = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::Misconfigured(format!("invalid Postgres URL: {e}")))?;
        let mut admin = base.connect().await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&mut admin)
            .await?;
        if let Some(role) = &options.app_role {
            // Checked once here so a missing role or grant is one clear error,
            // not a pool that silently retries failing connections.
            let can: Option<bool> = sqlx::query_scalar(
                "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = $1",
            )
            .bind(role)
            .fetch_optional(&mut admin)
            .await?;
            if can != Some(true) {
                return Err(StorageError::Misconfigured(format!(
                    "app_role {role:?} does not exist or the connecting user cannot SET ROLE to it"
                )));
            }
        }
        admin.close().await?;

        let mut pooled = base;
        if options.statement_timeout_ms > 0 {
            pooled = pooled.options([(
                "statement_timeout",
                format!("{}ms", options.statement_timeout_ms),
            )]);
        }
        let mut pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_millis(options.acquire_timeout_ms));
        if let Some(role) = options.app_role {
            pool = pool.after_connect(move |conn, _meta| {
                let role = role.clone();
                Box::pin(async move {
                    // set_config is SET ROLE with the role as a bind parameter, so
                    // the name needs no quoting.
                    sqlx::query("SELECT set_config('role', $1, false)")
                        .bind(role)
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(pooled).await?;
        Ok(PostgresStore { pool })
    }

    /// The underlying pool, for admin tooling and tests. With `app_role` set,
    /// its connections run as that role.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
        read::nodes(&mut conn, ids).await
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
