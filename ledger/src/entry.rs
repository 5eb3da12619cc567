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
}

impl EntryKind {
    pub const ALL: [EntryKind; 7] = [
        EntryKind::SessionOpened,
        EntryKind::BatchReceived,
        EntryKind::SessionClosed,
        EntryKind::ReplayViewed,
        EntryKind::EvidenceExported,
        EntryKind::AccessDenied,
        EntryKind::AdminAction,
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
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Entry {
        let session = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        Entry {
            kind: EntryKind::BatchReceived,
            origin: "affidavit.test/log".into(),
            project: "demo".into(),
            session,
            session_seq: 1,
            prev_hash: genesis_hash("affidavit.test/log", "demo", &session),
            received_at_ms: 1_700_000_000_000,
            actor: "key:demo".into(),
            payload_len: 3,
            payload_hash: sha256(b"abc"),
            batch_seq: Some(0),
        }
    }

    /// Golden bytes: if this changes, the entry layout changed and every stored
    /// leaf hash would stop verifying. Bump ENTRY_VERSION instead.
    #[test]
    fn golden_entry_bytes_and_leaf_hash() {
        let bytes = sample().encode().expect("encodes");
        assert_eq!(
            hex::encode(&bytes),
            include_str!("../testdata/entry_v1.hex").trim()
        );
        assert_eq!(
            leaf_hash(&bytes).to_hex(),
            include_str!("../testdata/entry_v1.leaf").trim()
        );
    }

    #[test]
    fn decode_rejects_every_truncation_and_trailing_bytes() {
        let bytes = sample().encode().expect("encodes");
        for cut in 0..bytes.len() {
            assert!(
                Entry::decode(&bytes[..cut]).is_err(),
                "prefix of {cut} bytes accepted"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Entry::decode(&longer), Err(EntryError::TrailingBytes(1)));
    }

    #[test]
    fn decode_rejects_bad_header_version_kind_and_flag() {
        let bytes = sample().encode().expect("encodes");
        let mut b = bytes.clone();
        b[0] ^= 1;
        assert_eq!(Entry::decode(&b), Err(EntryError::BadHeader));
        let mut b = bytes.clone();
        b[16] = 2;
        assert_eq!(
            Entry::decode(&b),
            Err(EntryError::UnsupportedVersion { found: 2 })
        );
        let mut b = bytes.clone();
        b[17] = 99;
        assert_eq!(Entry::decode(&b), Err(EntryError::UnknownKind(99)));
        let mut b = bytes.clone();
        let flag_at = b.len() - 9;
        b[flag_at] = 7;
        assert_eq!(Entry::decode(&b), Err(EntryError::BadFlag(7)));
    }

    #[test]
    fn over_long_strings_are_refused_not_truncated() {
        let mut e = sample();
        e.actor = "x".repeat(70_000);
        assert_eq!(
            e.encode(),
            Err(EntryError::StringTooLong {
                field: "actor",
                len: 70_000
            })
        );
    }

    #[test]
    fn genesis_binds_origin_project_and_session() {
        let s = Uuid::from_u128(1);
        let g = genesis_hash("o", "p", &s);
        assert_ne!(g, genesis_hash("o2", "p", &s));
        assert_ne!(g, genesis_hash("o", "p2", &s));
        assert_ne!(g, genesis_hash("o", "p", &Uuid::from_u128(2)));
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        assert_ne!(genesis_hash("ab", "c", &s), genesis_hash("a", "bc", &s));
    }

    fn any_kind() -> impl Strategy<Value = EntryKind> {
        proptest::sample::select(EntryKind::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn round_trips(
            kind in any_kind(),
            origin in ".{0,40}",
            project in ".{0,40}",
            session in any::<u128>(),
            session_seq in any::<u64>(),
            prev in any::<[u8; 32]>(),
            received_at_ms in any::<i64>(),
            actor in ".{0,40}",
            payload_len in any::<u64>(),
            payload_hash in any::<[u8; 32]>(),
            batch_seq in proptest::option::of(any::<u64>()),
        ) {
            let e = Entry {
                kind, origin, project, session: Uuid::from_u128(session), session_seq,
                prev_hash: Hash(prev), received_at_ms, actor, payload_len,
                payload_hash: Hash(payload_hash), batch_seq,
            };
            let bytes = e.encode().expect("encodes");
            prop_assert_eq!(Entry::decode(&bytes).expect("decodes"), e);
        }

        #[test]
        fn any_single_bit_flip_changes_the_leaf_hash_or_fails_to_decode(
            byte in 0usize..200, bit in 0u8..8
        ) {
            let bytes = sample().encode().expect("encodes");
            let i = byte % bytes.len();
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            prop_assert_ne!(leaf_hash(&b), leaf_hash(&bytes));
            if let Ok(e) = Entry::decode(&b) {
                prop_assert_ne!(e, sample());
            }
        }
    }
}
