//! The audit-log entry: a fixed, versioned, length-prefixed binary layout.
//!
//! Layout v1 (all integers big-endian, strings UTF-8 with a u16 length prefix):
//!
//! ```text
//! "affidavit/entry\0"   16 bytes  domain-separation header
//! version               u8        = 1
//! kind                  u8        EntryKind
//! origin                str       the log's origin line (binds the entry to one log)
//! project               str
//! session               16 bytes  UUID; nil for entries about no session
//! session_seq           u64       contiguous from 0 within the session's chain
//! prev_hash             32 bytes  leaf hash of the previous entry of the session,
//!                                 or genesis_hash(origin, project, session) for seq 0
//! received_at_ms        i64       Unix milliseconds
//! actor                 str       who caused the entry ("key:…", "user:…", "system")
//! payload_len           u64
//! payload_hash          32 bytes  SHA-256 of the payload bytes exactly as stored
//! batch_seq             u8 flag (0|1) [+ u64]   the batch's own seq, for batch entries
//! ```
//!
//! Decoding is strict: one byte sequence per entry, so hashes are unambiguous.

use uuid::Uuid;

use crate::hash::{Hash, leaf_hash, sha256};

/// Domain-separation header of every entry.
pub const ENTRY_DOMAIN: &[u8; 16] = b"affidavit/entry\0";
/// Domain-separation header of a session chain's genesis hash.
pub const GENESIS_DOMAIN: &[u8; 18] = b"affidavit/genesis\0";
/// The entry layout version this crate writes and reads.
pub const ENTRY_VERSION: u8 = 1;

/// What happened. The discriminants are part of the entry layout: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryKind {
    SessionOpened = 1,
    BatchReceived = 2,
    SessionClosed = 3,
    ReplayViewed = 4,
    EvidenceExported = 5,
    AccessDenied = 6,
    AdminAction = 7,
    /// A person signed in to the viewer (the access log's chain).
    SignedIn = 8,
    /// The session's data key was destroyed: its payloads can no longer be read,
    /// while every hash over them still verifies.
    SessionErased = 9,
}

impl EntryKind {
    pub const ALL: [EntryKind; 9] = [
        EntryKind::SessionOpened,
        EntryKind::BatchReceived,
        EntryKind::SessionClosed,
        EntryKind::ReplayViewed,
        EntryKind::EvidenceExported,
        EntryKind::AccessDenied,
        EntryKind::AdminAction,
        EntryKind::SignedIn,
        EntryKind::SessionErased,
    ];

    pub fn from_u8(value: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|k| *k as u8 == value)
    }

    /// A stable lowercase name for logs, JSON and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::SessionOpened => "session_opened",
            EntryKind::BatchReceived => "batch_received",
            EntryKind::SessionClosed => "session_closed",
            EntryKind::ReplayViewed => "replay_viewed",
            EntryKind::EvidenceExported => "evidence_exported",
            EntryKind::AccessDenied => "access_denied",
            EntryKind::AdminAction => "admin_action",
            EntryKind::SignedIn => "signed_in",
            EntryKind::SessionErased => "session_erased",
        }
    }
}

/// One audit-log entry. Every field is bound into the leaf hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub origin: String,
    pub project: String,
    pub session: Uuid,
    pub session_seq: u64,
    pub prev_hash: Hash,
    pub received_at_ms: i64,
    pub actor: String,
    pub payload_len: u64,
    pub payload_hash: Hash,
    pub batch_seq: Option<u64>,
}

/// Why bytes are not a valid v1 entry, or an entry cannot be encoded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    #[error("entry does not start with the affidavit entry header")]
    BadHeader,
    #[error("entry layout version {found} is not supported (expected {ENTRY_VERSION})")]
    UnsupportedVersion { found: u8 },
    #[error("unknown entry kind {0}")]
    UnknownKind(u8),
    #[error("entry ends early while reading {field}")]
    Truncated { field: &'static str },
    #[error("field {field} is not valid UTF-8")]
    InvalidUtf8 { field: &'static str },
    #[error("field {field} is {len} bytes, longer than the 65535-byte limit")]
    StringTooLong { field: &'static str, len: usize },
    #[error("batch_seq presence flag is {0}, expected 0 or 1")]
    BadFlag(u8),
    #[error("{0} unexpected bytes after the end of the entry")]
    TrailingBytes(usize),
}

impl Entry {
    /// The payload fields for `payload`, hashed exactly as given.
    pub fn payload_fields(payload: &[u8]) -> (u64, Hash) {
        (payload.len() as u64, sha256(payload))
    }

    /// The canonical bytes of this entry.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let mut out =
            Vec::with_capacity(200 + self.origin.len() + self.project.len() + self.actor.len());
        out.extend_from_slice(ENTRY_DOMAIN);
        out.push(ENTRY_VERSION);
        out.push(self.kind as u8);
        put_str(&mut out, "origin", &self.origin)?;
        put_str(&mut out, "project", &self.project)?;
        out.extend_from_slice(self.session.as_bytes());
        out.extend_from_slice(&self.session_seq.to_be_bytes());
        out.extend_from_slice(&self.prev_hash.0);
        out.extend_from_slice(&self.received_at_ms.to_be_bytes());
        put_str(&mut out, "actor", &self.actor)?;
        out.extend_from_slice(&self.payload_len.to_be_bytes());
        out.extend_from_slice(&self.payload_hash.0);
        match self.batch_seq {
            None => out.push(0),
            Some(seq) => {
                out.push(1);
                out.extend_from_slice(&seq.to_be_bytes());
            }
        }
        Ok(out)
    }

    /// Parses canonical entry bytes; anything else is an error.
    pub fn decode(bytes: &[u8]) -> Result<Entry, EntryError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(ENTRY_DOMAIN.len(), "header")? != ENTRY_DOMAIN {
            return Err(EntryError::BadHeader);
        }
        let version = r.u8("version")?;
        if version != ENTRY_VERSION {
            return Err(EntryError::UnsupportedVersion { found: version });
        }
        let kind_byte = r.u8("kind")?;
        let kind = EntryKind::from_u8(kind_byte).ok_or(EntryError::UnknownKind(kind_byte))?;
        let origin = r.string("origin")?;
        let project = r.string("project")?;
        let session = Uuid::from_bytes(r.array::<16>("session")?);
        let session_seq = u64::from_be_bytes(r.array("session_seq")?);
        let prev_hash = Hash(r.array("prev_hash")?);
        let received_at_ms = i64::from_be_bytes(r.array("received_at_ms")?);
        let actor = r.string("actor")?;
        let payload_len = u64::from_be_bytes(r.array("payload_len")?);
        let payload_hash = Hash(r.array("payload_hash")?);
        let batch_seq = match r.u8("batch_seq flag")? {
            0 => None,
            1 => Some(u64::from_be_bytes(r.array("batch_seq")?)),
            other => return Err(EntryError::BadFlag(other)),
        };
        if r.pos != bytes.len() {
            return Err(EntryError::TrailingBytes(bytes.len() - r.pos));
        }
        Ok(Entry {
            kind,
            origin,
            project,
            session,
            session_seq,
            prev_hash,
            received_at_ms,
            actor,
            payload_len,
            payload_hash,
            batch_seq,
        })
    }

    /// The RFC 6962 leaf hash of this entry's canonical bytes.
    pub fn leaf_hash(&self) -> Result<Hash, EntryError> {
        Ok(leaf_hash(&self.encode()?))
    }
}

/// The `prev_hash` of a session chain's first entry: binds the chain to its log,
/// project and session so a chain cannot be transplanted.
pub fn genesis_hash(origin: &str, project: &str, session: &Uuid) -> Hash {
    let mut buf = Vec::with_capacity(64 + origin.len() + project.len());
    buf.extend_from_slice(GENESIS_DOMAIN);
    buf.push(ENTRY_VERSION);
    // Lengths were checked when entries were encoded; here an over-long string
    // simply hashes with a truncated length prefix, which no valid entry can use.
    buf.extend_from_slice(&(origin.len() as u16).to_be_bytes());
    buf.extend_from_slice(origin.as_bytes());
    buf.extend_from_slice(&(project.len() as u16).to_be_bytes());
    buf.extend_from_slice(project.as_bytes());
    buf.extend_from_slice(session.as_bytes());
    sha256(&buf)
}

fn put_str(out: &mut Vec<u8>, field: &'static str, s: &str) -> Result<(), EntryError> {
    let len = u16::try_from(s.len()).map_err(|_| EntryError::StringTooLong {
        field,
        len: s.len(),
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], EntryError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(EntryError::Truncated { field })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EntryError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, EntryError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn string(&mut self, field: &'static str) -> Result<String, EntryError> {
        let len = u16::from_be_bytes(self.array(field)?) as usize;
        let raw = self.take(len, field)?;
        String::from_utf8(raw.to_vec()).map_err(|_| EntryError::InvalidUtf8 { field })
    }
}

#[cfg(test)]
mod tests;
