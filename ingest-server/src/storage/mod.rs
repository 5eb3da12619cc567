//! One storage contract, two implementations (embedded SQLite, PostgreSQL).
//!
//! The stores only move rows. Every decision about what to write — the entry bytes,
//! the chain link, the receipt, which tree nodes an integration step completes — is
//! made by pure code shared by both ([`append_plan`], [`crate::integrator::plan`]),
//! so the two backends cannot drift apart in what they record.

pub mod accounts;
pub mod append_plan;
pub mod index_types;
pub mod types;

mod access_sql;
mod accounts_sql;
mod append_group;
mod audit_sql;
mod checkpoints_sql;
mod convert;
mod index_sql;
mod integrate_check;
mod keys_sql;
mod retention_sql;
mod search_sql;
mod session_state_sql;
mod shared_sql;

mod postgres;
mod sqlite;

use async_trait::async_trait;
use ledger::Hash;
use ledger::tree::NodeId;
use std::collections::HashMap;
use uuid::Uuid;

use crate::seal::EntrySeal;

pub use accounts::{LoginRow, NewLogin, NewUser, UserRow};
pub use index_types::*;
pub use postgres::{PostgresOptions, PostgresStore};
pub use sqlite::{SqliteOptions, SqliteStore, SqliteSyncMode};
pub use types::*;

/// Everything the server, the integrator and `fsck` need from a database.
///
/// Invariants every implementation keeps (checked by the contract suite in
/// `tests/storage_contract`):
/// - `entries`, `payloads`, `tree_leaves`, `tree_nodes`, `checkpoints` and
///   `ingest_conflicts` are append-only: nothing here updates or deletes them.
/// - A session's entries are written with contiguous `session_seq` and correct
///   `prev_hash`, serialized per session (a row lock on the session), never by a
///   global lock.
/// - The log index of an entry is assigned only by [`Storage::integrate_step`],
///   densely from 0, never by a sequence/autoincrement.
#[async_trait]
pub trait Storage: Send + Sync + std::fmt::Debug + 'static {
    /// `"sqlite"` or `"postgres"`, for logs and metrics.
    fn backend(&self) -> &'static str;

    /// Cheap liveness check used by `/healthz`.
    async fn ping(&self) -> Result<(), StorageError>;

    // ---- projects -------------------------------------------------------------

    /// Creates a project. Fails with [`StorageError::Duplicate`] if the id exists.
    async fn create_project(&self, project: &NewProject) -> Result<Project, StorageError>;
    async fn project_by_write_key(&self, write_key: &str) -> Result<Option<Project>, StorageError>;
    async fn list_projects(&self) -> Result<Vec<Project>, StorageError>;

    // ---- ingest (hot path) ----------------------------------------------------

    /// Appends a group of batches in ONE transaction (group commit) and returns one
    /// outcome per request, in order. Requests may name the same session several
    /// times; they are applied in order. A request that is a duplicate, conflict or
    /// gap changes nothing but its outcome (conflicts are recorded in
    /// `ingest_conflicts`). An `Err` means nothing of the group was committed.
    async fn append_batches(
        &self,
        origin: &str,
        seal: &EntrySeal,
        group: &[AppendBatch],
    ) -> Result<Vec<AppendOutcome>, StorageError>;

    // ---- integrator -------------------------------------------------------------

    /// One integrator step in one transaction, under the integrator lock: reads the
    /// tree's right edge and up to `max_entries` pending entries (oldest first),
    /// asks `planner` what to write, writes the leaves, the completed nodes and the
    /// checkpoint, and removes the entries from the pending queue. Returns `None`
    /// when another node holds the lock or nothing is pending.
    async fn integrate_step(
        &self,
        max_entries: usize,
        planner: &(dyn IntegrationPlanner + Sync),
    ) -> Result<Option<IntegrationOutcome>, StorageError>;

    /// Number of entries accepted but not yet in the tree.
    async fn pending_count(&self) -> Result<u64, StorageError>;

    /// Tree size, from the leaves table.
    async fn tree_size(&self) -> Result<u64, StorageError>;

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StorageError>;

    /// Up to `limit` checkpoints larger than `after_size`, smallest first (for
    /// archivers: `GET /v1/checkpoints`).
    async fn checkpoints_after(
        &self,
        after_size: u64,
        limit: u32,
    ) -> Result<Vec<StoredCheckpoint>, StorageError>;

    /// All checkpoints, smallest size first (for `fsck`).
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StorageError>;

    /// The stored hashes of these perfect subtrees; missing ones are absent.
    async fn nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StorageError>;

    /// The log index of the entry with this leaf hash, if integrated.
    async fn leaf_index_by_hash(&self, leaf_hash: &Hash) -> Result<Option<u64>, StorageError>;

    // ---- reading the log (fsck, and later the viewer) ---------------------------

    /// Entries with their payloads ordered by (session, session_seq), starting
    /// strictly after `after` (keyset pagination), at most `limit`.
    async fn entries_by_session(
        &self,
        after: Option<(Uuid, u64)>,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError>;

    /// One session's batch entries with `batch_seq >= from_seq`, in batch order, at
    /// most `limit`, each with its payload exactly as received (`session dump`, the
    /// viewer). Entries without a batch (session opened, views) are left out.
    async fn session_batches(
        &self,
        session: Uuid,
        from_seq: u64,
        limit: u32,
    ) -> Result<Vec<StoredEntry>, StorageError>;

    /// Tree leaves ordered by log index, from `from_index`, at most `limit`.
    async fn leaves(&self, from_index: u64, limit: u32) -> Result<Vec<StoredLeaf>, StorageError>;

    /// Entries waiting in the integration queue, in queue order, with their seals.
    async fn pending_entries(&self) -> Result<Vec<PendingEntry>, StorageError>;

    /// Queued entries the integrator refused (their seal did not verify).
    async fn rejected_entries(&self) -> Result<Vec<RejectedEntry>, StorageError>;

    /// Sessions, for `fsck` to check the mutable session heads against the chain.
    async fn sessions(&self) -> Result<Vec<SessionRow>, StorageError>;

    // ---- access to recordings (the viewer) ------------------------------------

    /// Appends a view or export record to the session's chain, serialized with
    /// ingest into the same chain, and commits it before returning. A
    /// `session_erased` entry destroys the session's data key in the same
    /// transaction ([`StorageError::NotErasable`] when it has none). `None` when
    /// the session does not exist (nothing is written).
    async fn append_access(
        &self,
        origin: &str,
        seal: &EntrySeal,
        access: &AppendAccess,
    ) -> Result<Option<AccessReceipt>, StorageError>;

    /// Starts `opening.session`'s chain with its `session_opened` entry unless the
    /// chain exists; `true` when this call opened it. For chains no batch opens
    /// (the access log).
    async fn open_chain(
        &self,
        origin: &str,
        seal: &EntrySeal,
        opening: &OpenChain,
    ) -> Result<bool, StorageError>;

    /// The session's whole chain in order, each entry with its log index once
    /// integrated and, for entries that are not batches, its payload.
    async fn session_audit(&self, session: Uuid) -> Result<Option<SessionAuditRows>, StorageError>;

    /// The session's data key row; `None` for sessions recorded before sealing.
    async fn session_key(&self, session: Uuid) -> Result<Option<SessionKeyRow>, StorageError>;

    /// Stores a session's wrapped data key unless one exists (the first wins).
    async fn create_session_key(
        &self,
        session: Uuid,
        wrapped: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError>;

    /// Sets (`Some`) or removes (`None`) `project`'s retention; `false` when there
    /// is no such project.
    async fn set_retention(
        &self,
        project: &str,
        days: Option<u32>,
        now_ms: i64,
    ) -> Result<bool, StorageError>;

    /// Every project's retention policy.
    async fn retention_policies(&self) -> Result<Vec<RetentionPolicy>, StorageError>;

    /// Up to `limit` sessions of `project` started before `started_before_ms`
    /// whose data key still exists, oldest first.
    async fn expired_sessions(
        &self,
        project: &str,
        started_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<Uuid>, StorageError>;

    /// Up to `limit` open sessions (no `session_closed` entry) whose last batch
    /// arrived before `last_received_before_ms`, least recently written first.
    async fn idle_sessions(
        &self,
        last_received_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<Uuid>, StorageError>;

    /// Access entries of every chain matching `query`, newest first.
    async fn access_entries(&self, query: &AccessQuery) -> Result<Vec<AccessRow>, StorageError>;

    // ---- accounts -------------------------------------------------------------

    /// Fails with [`StorageError::Duplicate`] if the name is taken.
    async fn create_user(&self, user: &NewUser) -> Result<(), StorageError>;
    async fn user(&self, name: &str) -> Result<Option<UserRow>, StorageError>;
    async fn list_users(&self) -> Result<Vec<UserRow>, StorageError>;
    /// Stores a login (and drops expired ones).
    async fn create_login(&self, login: &NewLogin) -> Result<(), StorageError>;
    /// The unexpired login whose token hashes to `token_hash`, with its user.
    async fn login(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<LoginRow>, StorageError>;
    async fn delete_login(&self, token_hash: &[u8; 32]) -> Result<(), StorageError>;
    // ---- the session index (a projection of the log, see `crate::search`) -------

    /// Sessions last received at or after `since_ms` whose stored batches are ahead
    /// of their index row (or that have none), least recently received first.
    async fn index_work(&self, since_ms: i64, limit: u32) -> Result<Vec<IndexWork>, StorageError>;

    /// Indexed sessions with clicks still waiting for a reaction that have received
    /// nothing since before `idle_before_ms`.
    async fn settle_work(
        &self,
        idle_before_ms: i64,
        limit: u32,
    ) -> Result<Vec<IndexWork>, StorageError>;

    /// What the indexer stored for this session last time.
    async fn index_state(&self, session: Uuid) -> Result<Option<IndexState>, StorageError>;

    /// Writes one session's index rows in one transaction, unless the row changed
    /// since it was read (`update.expected`): then nothing is written and the answer
    /// is `false`.
    async fn write_index(&self, update: &IndexUpdate) -> Result<bool, StorageError>;

    /// Deletes the whole index (for a rebuild); returns how many sessions it held.
    async fn clear_index(&self) -> Result<u64, StorageError>;

    /// One page of indexed sessions matching `query`, with the total.
    async fn search_sessions(&self, query: &SessionQuery) -> Result<SessionPage, StorageError>;

    /// One session with its pages, traits and event names; its facts are `None`
    /// until indexed. `None` for an unknown session.
    async fn session_summary(&self, session: Uuid) -> Result<Option<SessionDetail>, StorageError>;
}

/// The pure part of an integration step, supplied by the integrator.
pub trait IntegrationPlanner: Send {
    /// Given the current tree (its size and right edge) and the pending entries in
    /// queue order, decides the leaves, nodes and signed checkpoint to write.
    fn plan(
        &self,
        frontier: ledger::tree::Frontier,
        pending: &[PendingEntry],
    ) -> Result<IntegrationPlan, StorageError>;
}
