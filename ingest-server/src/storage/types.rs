//! Rows and results that cross the storage boundary.

use bytes::Bytes;
use ledger::tree::NodeId;
use ledger::{EntryKind, Hash};
use uuid::Uuid;

/// Why a storage call failed. `Unavailable` maps to HTTP 503; the rest are bugs or
/// integrity problems and map to 500.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    #[error("{what} already exists")]
    Duplicate { what: String },
    #[error("stored data is inconsistent: {0}")]
    Integrity(String),
    /// Erasure asked of a session whose payloads cannot be erased by destroying a key.
    #[error("{0}")]
    NotErasable(String),
    /// The store cannot start as configured (bad URL, missing app role, …).
    #[error("storage is misconfigured: {0}")]
    Misconfigured(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StorageError::Unavailable(e.to_string()),
            sqlx::Error::Database(ref db) if is_transient(db.as_ref()) => {
                StorageError::Unavailable(e.to_string())
            }
            other => StorageError::Database(other),
        }
    }
}

/// Database errors that say "not now" rather than "wrong": worth a 503 and a retry.
fn is_transient(db: &dyn sqlx::error::DatabaseError) -> bool {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = pg.code();
        // 08: connection exception; 53: insufficient resources (too many
        // connections, disk full); 57: operator intervention (shutdown, statement
        // timeout); 40001/40P01: serialization failure / deadlock; 55P03: lock timeout.
        return code.starts_with("08")
            || code.starts_with("53")
            || code.starts_with("57")
            || matches!(code, "40001" | "40P01" | "55P03");
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // SQLite reports extended result codes; the primary code is the low byte.
        // BUSY, LOCKED (busy_timeout exceeded), IOERR, FULL, CANTOPEN.
        let primary = db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff);
        return matches!(primary, Some(5 | 6 | 10 | 13 | 14));
    }
    false
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub id: String,
    pub name: String,
    pub write_key: String,
    pub allowed_origins: Vec<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub write_key: String,
    /// Exact origins (`https://shop.example`) allowed to send batches; `*` allows any.
    pub allowed_origins: Vec<String>,
    pub created_at_ms: i64,
}

/// A decoded, validated batch ready to append. `bytes` are exactly as received.
#[derive(Debug, Clone)]
pub struct AppendBatch {
    pub project: String,
    pub session: Uuid,
    pub seq: u64,
    pub started_at_ms: i64,
    pub received_at_ms: i64,
    pub actor: String,
    pub event_count: u32,
    pub payload_hash: Hash,
    /// Reference-counted: the same buffer travels from the request body to the
    /// INSERT without being copied.
    pub bytes: Bytes,
}

/// What the server tells the client about an accepted batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub session: Uuid,
    pub seq: u64,
    pub session_seq: u64,
    pub leaf_hash: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    Appended(Receipt),
    /// Same (session, seq) with identical bytes: the original receipt.
    Duplicate(Receipt),
    /// Same (session, seq) with different bytes; recorded, nothing appended.
    Conflict {
        existing_payload_hash: Hash,
    },
    /// `seq` is not the next one; nothing appended.
    Gap {
        expected_seq: u64,
    },
    /// The session id already belongs to another project.
    ForeignSession,
    /// The session's chain was closed (`session_closed`); nothing appended.
    Closed,
}

/// The mutable head of a session's chain (the `sessions` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHead {
    pub project: String,
    pub next_entry_seq: u64,
    pub next_batch_seq: u64,
    pub head_hash: Hash,
    /// A `session_closed` entry ends the chain: no batch may follow it.
    pub closed: bool,
}

/// The stored batch entry with a given (session, seq), for duplicate detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingBatch {
    pub session_seq: u64,
    pub leaf_hash: Hash,
    pub payload_hash: Hash,
}

/// A fully computed row to insert into `entries` (+ `payloads`, + the queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub session: Uuid,
    pub project: String,
    pub session_seq: u64,
    pub kind: EntryKind,
    pub batch_seq: Option<u64>,
    pub received_at_ms: i64,
    pub entry_bytes: Vec<u8>,
    pub leaf_hash: Hash,
    pub payload: Bytes,
    /// The server's seal of `leaf_hash` (see `crate::seal`), stored with the queue row.
    pub seal: [u8; 32],
}

/// An entry waiting to be integrated, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    pub session: Uuid,
    pub session_seq: u64,
    pub leaf_hash: Hash,
    /// The seal stored with the queue row; only the server can make a valid one.
    pub seal: Vec<u8>,
}

/// A queued entry the integrator refused because its seal did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEntry {
    pub session: Uuid,
    pub session_seq: u64,
    pub leaf_hash: Hash,
    pub rejected_at_ms: i64,
}

/// What one integration step writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationPlan {
    /// (log index, entry) for every pending entry, densely after the current size.
    pub leaves: Vec<(u64, PendingEntry)>,
    /// Every perfect subtree completed by the new leaves (level 0 included).
    pub nodes: Vec<(NodeId, Hash)>,
    /// Pending entries whose seal did not verify: moved to `queue_rejections`,
    /// never integrated.
    pub rejected: Vec<PendingEntry>,
    /// The new signed checkpoint; `None` when no leaf was added.
    pub checkpoint: Option<StoredCheckpoint>,
    /// When the step ran (stamped on rejections).
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationOutcome {
    pub integrated: u64,
    pub rejected: Vec<PendingEntry>,
    pub checkpoint: Option<StoredCheckpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed note exactly as served at `/v1/checkpoint`.
    pub note: String,
    pub created_at_ms: i64,
}

/// An entry row with its payload, as stored (for verification: nothing recomputed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub session: Uuid,
    pub project: String,
    pub session_seq: u64,
    pub kind_code: i64,
    pub batch_seq: Option<u64>,
    pub received_at_ms: i64,
    pub entry_bytes: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    /// `None` when the payload row is missing.
    pub payload: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLeaf {
    pub log_index: u64,
    pub session: Uuid,
    pub session_seq: u64,
    pub leaf_hash: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub session: Uuid,
    pub head: SessionHead,
    pub started_at_ms: i64,
    pub last_received_at_ms: i64,
    pub batch_count: u64,
    pub payload_bytes: u64,
}

/// A record of someone reaching a session (a replay view, an export), to be
/// appended to the session's chain like any batch.
#[derive(Debug, Clone)]
pub struct AppendAccess {
    pub session: Uuid,
    pub kind: EntryKind,
    /// `user:NAME`.
    pub actor: String,
    pub received_at_ms: i64,
    /// The access record (JSON), hashed into the entry exactly as stored.
    pub payload: Bytes,
}

/// A chain to start with its `session_opened` entry, before anything is in it
/// (the access log's chain, which no batch ever opens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenChain {
    pub project: String,
    pub session: Uuid,
    pub actor: String,
    pub received_at_ms: i64,
}

/// Where an access entry landed in its session's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessReceipt {
    pub session_seq: u64,
    pub leaf_hash: Hash,
}

/// One entry of a session's chain for the audit view, with its place in the
/// tree once integrated. `payload` is filled for entries that are not batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub session_seq: u64,
    pub kind_code: i64,
    pub batch_seq: Option<u64>,
    pub received_at_ms: i64,
    pub entry_bytes: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    pub log_index: Option<u64>,
    pub payload: Option<Vec<u8>>,
}

/// A session's chain for the audit view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAuditRows {
    pub project: String,
    pub entries: Vec<AuditRow>,
}

/// Which access entries to read (views, exports, refusals, sign-ins, admin
/// actions: everything but batches and session openings), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessQuery {
    /// Only these kinds; empty means every access kind.
    pub kinds: Vec<ledger::EntryKind>,
    pub project: Option<String>,
    pub session: Option<Uuid>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Strictly older than this sort key: (received_at_ms, session, session_seq).
    pub before: Option<(i64, Uuid, u64)>,
    pub limit: u32,
}

/// One access entry with its place in the tree once integrated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    pub session: Uuid,
    pub project: String,
    pub session_seq: u64,
    pub kind_code: i64,
    pub received_at_ms: i64,
    pub entry_bytes: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    pub log_index: Option<u64>,
    pub payload: Option<Vec<u8>>,
}

/// A session's data key as stored: wrapped by the master key, or gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeyRow {
    /// `None` once erased.
    pub wrapped_key: Option<Vec<u8>>,
    pub erased_at_ms: Option<i64>,
}

/// A project's retention: its sessions are erased `days` after they started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub project: String,
    pub days: u32,
    pub set_at_ms: i64,
}
