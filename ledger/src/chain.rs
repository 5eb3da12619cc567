//! Per-session hash chain verification, one entry at a time.
//!
//! Incremental so fsck and the viewer can stream a session of any length in
//! constant memory. The chain proves order and completeness *within* a
//! session up to its last entry; truncation of the tail and rewriting the
//! whole chain are caught by the Merkle log and signed checkpoints instead.

use uuid::Uuid;

use crate::entry::{Entry, EntryError, genesis_hash};
use crate::hash::{Hash, leaf_hash, sha256};

/// Why an entry does not continue the session's chain. Each variant names the
/// entry (its position or `session_seq`) and what was expected versus found.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ChainError {
    #[error("entry at position {position} of the session does not decode: {source}")]
    Decode { position: u64, source: EntryError },
    #[error("expected session_seq {expected}, found {found}")]
    SeqGap { expected: u64, found: u64 },
    #[error(
        "entry {session_seq}: prev_hash {found} does not link to the previous entry {expected}"
    )]
    BrokenLink {
        session_seq: u64,
        expected: Hash,
        found: Hash,
    },
    #[error("entry {session_seq}: {field} is {found:?}, expected {expected:?}")]
    WrongBinding {
        session_seq: u64,
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error("entry {session_seq}: payload hashes to {calculated}, entry records {expected}")]
    PayloadMismatch {
        session_seq: u64,
        expected: Hash,
        calculated: Hash,
    },
    #[error("entry {session_seq}: payload is {actual} bytes, entry records {expected}")]
    PayloadLength {
        session_seq: u64,
        expected: u64,
        actual: u64,
    },
}

/// Verifies one session's entries in order.
///
/// Invariant: after `n` accepted entries, `len() == n` and `head()` is the
/// leaf hash of entry `n - 1` (the genesis hash when `n == 0`). A rejected
/// entry leaves the verifier unchanged.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    origin: String,
    project: String,
    session: Uuid,
    len: u64,
    head: Hash,
}

impl ChainVerifier {
    /// A verifier for the chain of `session` in `project` on the log `origin`.
    pub fn new(origin: &str, project: &str, session: Uuid) -> Self {
        ChainVerifier {
            origin: origin.to_owned(),
            project: project.to_owned(),
            session,
            len: 0,
            head: genesis_hash(origin, project, &session),
        }
    }

    /// Checks the next entry of the session: decodes it, checks origin/project/session binding, session_seq contiguous from 0,
    /// prev_hash links to the previous entry's leaf hash (genesis_hash for seq 0), and, when `payload` is Some, payload_len and payload_hash.
    pub fn push(
        &mut self,
        entry_bytes: &[u8],
        payload: Option<&[u8]>,
    ) -> Result<Entry, ChainError> {
        let entry = Entry::decode(entry_bytes).map_err(|source| ChainError::Decode {
            position: self.len,
            source,
        })?;
        self.check_binding(&entry)?;
        if entry.session_seq != self.len {
            return Err(ChainError::SeqGap {
                expected: self.len,
                found: entry.session_seq,
            });
        }
        if entry.prev_hash != self.head {
            return Err(ChainError::BrokenLink {
                session_seq: entry.session_seq,
                expected: self.head,
                found: entry.prev_hash,
            });
        }
        if let Some(payload) = payload {
            check_payload(&entry, payload)?;
        }
        // Decoding is strict (one byte string per entry), so hashing the bytes
        // as given is the same as hashing the canonical encoding.
        self.head = leaf_hash(entry_bytes);
        self.len += 1;
        Ok(entry)
    }

    /// Continues after an entry that [`Self::push`] rejected, as if it had been
    /// accepted: the next entry must follow `entry` and link to these bytes.
    /// For reports that check every entry ([`crate::session`]); a verifier that
    /// was resynced has stopped proving the chain from genesis.
    pub fn resync(&mut self, entry_bytes: &[u8], entry: &Entry) {
        self.head = leaf_hash(entry_bytes);
        self.len = entry.session_seq.saturating_add(1);
    }

    /// Number of entries accepted so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Leaf hash of the last entry (genesis if empty).
    pub fn head(&self) -> Hash {
        self.head
    }

    fn check_binding(&self, entry: &Entry) -> Result<(), ChainError> {
        let wrong = |field, expected: &str, found: &str| ChainError::WrongBinding {
            session_seq: entry.session_seq,
            field,
            expected: expected.to_owned(),
            found: found.to_owned(),
        };
        if entry.origin != self.origin {
            return Err(wrong("origin", &self.origin, &entry.origin));
        }
        if entry.project != self.project {
            return Err(wrong("project", &self.project, &entry.project));
        }
        if entry.session != self.session {
            return Err(wrong(
                "session",
                &self.session.to_string(),
                &entry.session.to_string(),
            ));
        }
        Ok(())
    }
}

/// Checks that `payload` is the one `entry` commits to (length, then SHA-256).
pub fn check_payload(entry: &Entry, payload: &[u8]) -> Result<(), ChainError> {
    let actual = payload.len() as u64;
    if actual != entry.payload_len {
        return Err(ChainError::PayloadLength {
            session_seq: entry.session_seq,
            expected: entry.payload_len,
            actual,
        });
    }
    let calculated = sha256(payload);
    if calculated != entry.payload_hash {
        return Err(ChainError::PayloadMismatch {
            session_seq: entry.session_seq,
            expected: entry.payload_hash,
            calculated,
        });
    }
    Ok(())
}
