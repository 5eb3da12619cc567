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

/// One page of the global audit view (`GET /v1/audit`): access entries of
/// every chain, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogPage {
    pub entries: Vec<AccessLogEntry>,
    /// Pass as `cursor` for the next (older) page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// An access entry with the chain it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogEntry {
    /// The session whose chain holds it; the nil UUID for the access log itself.
    pub session_id: String,
    pub project: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The payload decoded, when it is an access record.
    pub record: Option<AccessRecord>,
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

/// The access record every access entry commits to (its payload, as JSON):
/// views, exports, sign-ins, refusals and admin actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    /// What was done or tried: `replay_viewed`, `evidence_exported`, `sign_in`,
    /// `ingest`, `user.add`, …
    pub action: String,
    /// The account that did it; for a refused sign-in, the name that was tried;
    /// empty when nobody was identified.
    pub user: String,
    pub role: String,
    /// The client's address as the server saw it (`cli` for the command line).
    pub client: String,
    pub user_agent: Option<String>,
    pub at_ms: i64,
    /// Refusals: why (`role`, `project`, `csrf`, `wrong_password`, `unknown_key`, …);
    /// erasures: the request or policy carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the action concerned besides a session: a user, a project, a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Refusals not recorded one by one (over the flood budget) since the last
    /// refusal that was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unrecorded_before: Option<u64>,
}

/// `POST /v1/sessions/{id}/erase`: the erasure as committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReceipt {
    pub session_id: String,
    /// The `session_erased` entry's place in the session's chain.
    pub session_seq: u64,
    pub erased_at_ms: i64,
    pub leaf_hash: String,
}
