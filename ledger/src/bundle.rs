//! The evidence bundle: one session's proof, in one file anyone can check offline.
//!
//! A bundle is a POSIX ustar archive whose bytes are a pure function of its
//! contents (decision 0014): members sorted by name, every header with mode
//! 0644, owner 0, time 0. The verifier rebuilds the archive from the members it
//! read and requires it byte for byte, so there is exactly one bundle for one
//! body of evidence and no byte of it (header, padding, order) goes unchecked.
//!
//! ```text
//! checkpoint                          the signed checkpoint note, as the log signed it
//! data-key                            the session's 32-byte data key, when its payloads
//!                                     are sealed and the key still exists (decision 0016)
//! consistency/<size, 20 digits>.proof consistency proof from an earlier tree size (optional)
//! entries/<seq, 20 digits>.entry      each entry of the session's chain, exactly as logged
//! manifest.json                       an index of the rest; rebuilt and compared when verifying
//! payloads/<seq, 20 digits>.payload   each entry's payload, exactly as stored
//! proofs/<seq, 20 digits>.proof       u64 big-endian log index, then the RFC 9162 path
//! consistency/… .proof                the earlier root, then the RFC 9162 consistency path
//! ```
//!
//! Proofs are binary (no spelling of a hash other than its bytes); the manifest is
//! derived from the rest, so it adds no claim of its own that could go unchecked.

mod archive;
mod manifest;
mod verify;

use uuid::Uuid;

use crate::hash::Hash;
use crate::sealed::{KEY_LEN, SealError, open_payload};
use crate::session::InclusionEvidence;

pub use archive::{ArchiveError, read_archive, write_archive};
pub use manifest::{MANIFEST_FORMAT, Manifest, ManifestEntry};
pub use verify::{BundleReport, Check, Outcome, verify_bundle};

/// The media type of a bundle, for HTTP answers.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.affidavit.bundle";

/// One batch as the recorder sent it: (batch_seq, plaintext payload).
pub type OpenedBatch = (u64, Vec<u8>);

/// One session's evidence, as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub origin: String,
    pub project: String,
    pub session: Uuid,
    /// The signed checkpoint every inclusion proof leads to.
    pub checkpoint_note: String,
    /// The session's chain from its first entry, in order.
    pub entries: Vec<BundleEntry>,
    /// Proofs that earlier trees are prefixes of the checkpoint's, for verifiers
    /// that remember an earlier checkpoint.
    pub consistency: Vec<ConsistencyEvidence>,
    /// The key that opens the sealed batch payloads; `None` when they are stored
    /// as received, or when the session was erased.
    pub data_key: Option<[u8; KEY_LEN]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    pub session_seq: u64,
    pub entry_bytes: Vec<u8>,
    pub payload: Vec<u8>,
    pub inclusion: Option<InclusionEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyEvidence {
    pub from_size: u64,
    /// The earlier tree's root, so the proof is checked even by a verifier
    /// that remembers no checkpoint; one that does compares it with its own.
    pub from_root: Hash,
    pub proof: Vec<Hash>,
}

/// Member names, fixed width so that name order is number order.
pub fn entry_name(seq: u64) -> String {
    format!("entries/{seq:020}.entry")
}
pub fn payload_name(seq: u64) -> String {
    format!("payloads/{seq:020}.payload")
}
pub fn proof_name(seq: u64) -> String {
    format!("proofs/{seq:020}.proof")
}
pub fn consistency_name(from_size: u64) -> String {
    format!("consistency/{from_size:020}.proof")
}
pub const CHECKPOINT_NAME: &str = "checkpoint";
pub const DATA_KEY_NAME: &str = "data-key";
pub const MANIFEST_NAME: &str = "manifest.json";

/// Inclusion proof files: the index (u64 big-endian) then the path's hashes.
pub fn encode_inclusion(inclusion: &InclusionEvidence) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 32 * inclusion.proof.len());
    out.extend_from_slice(&inclusion.index.to_be_bytes());
    for hash in &inclusion.proof {
        out.extend_from_slice(hash.as_bytes());
    }
    out
}

pub fn decode_inclusion(bytes: &[u8]) -> Option<InclusionEvidence> {
    let (index, path) = bytes.split_first_chunk::<8>()?;
    Some(InclusionEvidence {
        index: u64::from_be_bytes(*index),
        proof: decode_hashes(path)?,
    })
}

/// Consistency proof files: the earlier root, then the path's hashes.
pub fn encode_consistency(c: &ConsistencyEvidence) -> Vec<u8> {
    let mut out = c.from_root.as_bytes().to_vec();
    out.extend(c.proof.iter().flat_map(|h| *h.as_bytes()));
    out
}

pub fn decode_consistency(from_size: u64, bytes: &[u8]) -> Option<ConsistencyEvidence> {
    let mut hashes = decode_hashes(bytes)?.into_iter();
    Some(ConsistencyEvidence {
        from_size,
        from_root: hashes.next()?,
        proof: hashes.collect(),
    })
}

fn decode_hashes(bytes: &[u8]) -> Option<Vec<Hash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    bytes
        .chunks_exact(32)
        .map(|c| Hash::from_slice(c).ok())
        .collect()
}

impl Bundle {
    /// The bundle's members, sorted by name, manifest included.
    pub fn members(&self) -> Result<Vec<(String, Vec<u8>)>, manifest::ManifestError> {
        let mut out = vec![
            (
                CHECKPOINT_NAME.to_owned(),
                self.checkpoint_note.as_bytes().to_vec(),
            ),
            (MANIFEST_NAME.to_owned(), Manifest::of(self)?.to_bytes()),
        ];
        if let Some(key) = &self.data_key {
            out.push((DATA_KEY_NAME.to_owned(), key.to_vec()));
        }
        for c in &self.consistency {
            out.push((consistency_name(c.from_size), encode_consistency(c)));
        }
        for e in &self.entries {
            out.push((entry_name(e.session_seq), e.entry_bytes.clone()));
            out.push((payload_name(e.session_seq), e.payload.clone()));
            if let Some(inclusion) = &e.inclusion {
                out.push((proof_name(e.session_seq), encode_inclusion(inclusion)));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The bundle file.
    pub fn to_archive(&self) -> Result<Vec<u8>, ArchiveError> {
        let members = self
            .members()
            .map_err(|e| ArchiveError::Manifest(e.to_string()))?;
        write_archive(&members)
    }

    /// The batch payloads as stored (sealed or not): (batch_seq, payload) in order.
    pub fn batches(&self) -> impl Iterator<Item = (u64, &[u8])> {
        self.entries.iter().filter_map(|e| {
            let entry = crate::Entry::decode(&e.entry_bytes).ok()?;
            Some((entry.batch_seq?, e.payload.as_slice()))
        })
    }

    /// The batches as the recorder sent them, for a player: opened with the data
    /// key when there is one. Fails on the first payload that does not open.
    pub fn replay_batches(&self) -> Result<Vec<OpenedBatch>, (u64, SealError)> {
        self.batches()
            .map(|(seq, payload)| match &self.data_key {
                Some(key) => open_payload(key, &self.session, seq, payload)
                    .map(|plain| (seq, plain))
                    .map_err(|e| (seq, e)),
                None => Ok((seq, payload.to_vec())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
