//! JSON bodies of the read API that the server writes and the viewer reads
//! (`GET /v1/sessions/{id}/audit`, `…/proofs`, `GET /v1/log-key`), defined once so
//! the two cannot drift.
//!
//! Binary fields travel as text: entry bytes and access payloads in standard
//! base64, hashes in lowercase hex (as everywhere else in the API). The verifier
//! recomputes every hash from the bytes; the hex hashes here are for display and
//! lookups only, never trusted.

use serde::{Deserialize, Serialize};

/// A session's whole chain, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAudit {
    pub session_id: String,
    pub project: String,
    /// The log's origin line, as bound into every entry.
    pub origin: String,
    pub entries: Vec<AuditEntry>,
}

/// One entry of a session's chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub session_seq: u64,
    /// `ledger::EntryKind::name()`: `session_opened`, `batch_received`, `replay_viewed`, …
    pub kind: String,
    pub batch_seq: Option<u64>,
    pub received_at_ms: i64,
    /// Who caused it: `key:PROJECT` for ingest, `user:NAME` for people.
    pub actor: String,
    pub leaf_hash: String,
    /// The entry's index in the Merkle log once the integrator has placed it.
    pub log_index: Option<u64>,
    /// The entry's canonical bytes (base64): what the leaf hash commits to.
    pub entry: String,
    /// The payload (base64) for entries that are not batches: the access record of
    /// a view or export. Batch payloads come from the events stream instead.
    pub payload: Option<String>,
}

/// Inclusion proofs for a session's integrated entries, all against one tree size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionProofs {
    pub session_id: String,
    pub size: u64,
    /// The tree root at `size` (hex), for display; verifiers take the root from the
    /// signed checkpoint.
    pub root: String,
    pub proofs: Vec<EntryProof>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryProof {
    pub session_seq: u64,
    pub log_index: u64,
    /// RFC 9162 audit path, hex, leaf to root.
    pub proof: Vec<String>,
}

/// The log's public key as the deployment pins it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogKey {
    pub origin: String,
    /// C2SP verifier key (`name+id+base64`).
    pub vkey: String,
    /// SHA-256 of the key, short form, for people to compare out of band.
    pub fingerprint: String,
}

/// The access record a `replay_viewed` or `evidence_exported` entry commits to
/// (its payload, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// What was done: `replay_viewed`, `evidence_exported`.
    pub action: String,
    /// The account that did it.
    pub user: String,
    pub role: String,
    /// The client's address as the server saw it.
    pub client: String,
    pub user_agent: Option<String>,
    pub at_ms: i64,
}
