//! The access log: every access to Affidavit is an entry in the same
//! tamper-evident log as the recordings.
//!
//! Key decision (0015): access that concerns one session — a view, an export, a
//! refused view — goes into that session's own chain (decision 0012), so its
//! evidence bundle carries it. Everything else — sign-ins, refused requests that
//! name no session, admin actions — goes into one chain of its own, the access
//! log: session id nil, the reserved project [`ACCESS_LOG_PROJECT`], opened by
//! its first entry. It is chained, sealed, integrated, checked by `fsck` and
//! verified by the viewer exactly like a recording's chain. Refusals are
//! budgeted ([`budget`]) so a flood of bad requests cannot become a flood of
//! writes; what the budget leaves out is counted into the next refusal recorded.

pub mod budget;

use bytes::Bytes;
use ledger::EntryKind;
use protocol::api::AccessRecord;
use uuid::Uuid;

use crate::seal::EntrySeal;
use crate::storage::{AccessReceipt, AppendAccess, OpenChain, Storage, StorageError};

/// The project the access log's entries name; no write key reaches it.
pub const ACCESS_LOG_PROJECT: &str = "affidavit:access";
/// The access log's session id.
pub const ACCESS_LOG_SESSION: Uuid = Uuid::nil();

/// Which chain an access entry extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    AccessLog,
    Session(Uuid),
}

impl Chain {
    pub fn session(self) -> Uuid {
        match self {
            Chain::AccessLog => ACCESS_LOG_SESSION,
            Chain::Session(id) => id,
        }
    }
}

/// One access entry to append.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    pub chain: Chain,
    pub kind: EntryKind,
    /// `user:NAME`, `cli:NAME`, `key:PROJECT` or `anonymous`.
    pub actor: String,
    pub record: AccessRecord,
}

/// Appends `entry` and commits it. `None` when its session does not exist (the
/// access log is opened on first use, so it always does).
pub async fn append(
    store: &dyn Storage,
    origin: &str,
    seal: &EntrySeal,
    entry: &AccessEntry,
) -> Result<Option<AccessReceipt>, StorageError> {
    let payload = serde_json::to_vec(&entry.record)
        .map_err(|e| StorageError::Integrity(format!("access record: {e}")))?;
    let access = AppendAccess {
        session: entry.chain.session(),
        kind: entry.kind,
        actor: entry.actor.clone(),
        received_at_ms: entry.record.at_ms,
        payload: Bytes::from(payload),
    };
    if let Some(receipt) = store.append_access(origin, seal, &access).await? {
        return Ok(Some(receipt));
    }
    if entry.chain != Chain::AccessLog {
        return Ok(None);
    }
    store
        .open_chain(
            origin,
            seal,
            &OpenChain {
                project: ACCESS_LOG_PROJECT.into(),
                session: ACCESS_LOG_SESSION,
                actor: "system".into(),
                received_at_ms: entry.record.at_ms,
            },
        )
        .await?;
    store.append_access(origin, seal, &access).await
}
