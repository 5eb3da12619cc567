//! `manifest.json`: a readable index of a bundle, derived entirely from the rest.
//!
//! A reader can see what a bundle holds without decoding binary entries; a
//! verifier rebuilds it from the entries, proofs and checkpoint and requires the
//! same bytes, so a manifest can never say something the evidence does not.

use serde::{Deserialize, Serialize};

use super::Bundle;
use crate::checkpoint::Checkpoint;
use crate::entry::Entry;
use crate::hash::leaf_hash;

/// The `format` value of this layout.
pub const MANIFEST_FORMAT: &str = "affidavit-bundle/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub origin: String,
    pub project: String,
    pub session: String,
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
    /// Tree sizes this bundle proves consistency from.
    pub consistency_from: Vec<u64>,
    /// `sealed` (with the data key inside), `erased` (sealed, key destroyed) or
    /// `as_received` (recorded before sealing).
    pub payloads: String,
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub session_seq: u64,
    pub kind: String,
    pub batch_seq: Option<u64>,
    pub received_at_ms: i64,
    pub actor: String,
    pub leaf_hash: String,
    pub payload_len: u64,
    pub payload_sha256: String,
    pub log_index: Option<u64>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("entry {0} does not decode")]
    EntryUndecodable(u64),
    #[error("the checkpoint does not parse: {0}")]
    Checkpoint(String),
    #[error("manifest.json is not a manifest: {0}")]
    Unparsable(String),
}

impl Manifest {
    /// The manifest of `bundle`, from its entries, proofs and checkpoint.
    pub fn of(bundle: &Bundle) -> Result<Manifest, ManifestError> {
        let body = bundle
            .checkpoint_note
            .split_once("\n\n")
            .map_or(bundle.checkpoint_note.as_str(), |(body, _)| body);
        let checkpoint = Checkpoint::parse_body(&format!("{body}\n"))
            .map_err(|e| ManifestError::Checkpoint(e.to_string()))?;
        let entries = bundle
            .entries
            .iter()
            .map(|e| {
                let entry = Entry::decode(&e.entry_bytes)
                    .map_err(|_| ManifestError::EntryUndecodable(e.session_seq))?;
                Ok(ManifestEntry {
                    session_seq: entry.session_seq,
                    kind: entry.kind.name().to_owned(),
                    batch_seq: entry.batch_seq,
                    received_at_ms: entry.received_at_ms,
                    actor: entry.actor,
                    leaf_hash: leaf_hash(&e.entry_bytes).to_hex(),
                    payload_len: entry.payload_len,
                    payload_sha256: entry.payload_hash.to_hex(),
                    log_index: e.inclusion.as_ref().map(|i| i.index),
                })
            })
            .collect::<Result<Vec<_>, ManifestError>>()?;
        Ok(Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            origin: bundle.origin.clone(),
            project: bundle.project.clone(),
            session: bundle.session.to_string(),
            checkpoint_size: checkpoint.size,
            checkpoint_root: checkpoint.root.to_hex(),
            consistency_from: bundle.consistency.iter().map(|c| c.from_size).collect(),
            payloads: payload_form(bundle, &entries).to_owned(),
            entries,
        })
    }

    /// Pretty JSON with a final newline: read by people, compared by machines.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        serde_json::from_slice(bytes).map_err(|e| ManifestError::Unparsable(e.to_string()))
    }
}

fn payload_form(bundle: &Bundle, entries: &[ManifestEntry]) -> &'static str {
    if bundle.data_key.is_some() {
        "sealed"
    } else if entries
        .iter()
        .any(|e| e.kind == crate::EntryKind::SessionErased.name())
    {
        "erased"
    } else {
        "as_received"
    }
}
