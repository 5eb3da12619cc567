//! Everything the server sent about one session, checked by the ledger's own
//! code before anything is called verified.
//!
//! The server supplies the chain (`/audit`), the batch payloads (`/events`), the
//! proofs (`/proofs`) and the checkpoint; none of it is trusted. Entry and leaf
//! hashes are recomputed from the bytes, payloads are hashed here, the
//! checkpoint is checked against the key the deployment pins, and each batch's
//! own envelope must name this session and its place in it.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ledger::sealed::{KEY_LEN, open_payload};
use ledger::session::{
    EvidenceEntry, InclusionEvidence, SessionEvidence, SessionReport, Verdict, verify_session,
};
use ledger::{Checkpoint, Hash, LogVerifier};
use protocol::api::{SessionAudit, SessionProofs};
use protocol::frames::read_frames;
use protocol::{Batch, Limits};
use uuid::Uuid;

/// Why the server's answers cannot even be put together (as opposed to failing
/// verification, which is a [`Verification`]).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("the audit names session {found}, not {expected}")]
    WrongSession { expected: Uuid, found: String },
    #[error("entry {session_seq}: {field} is not valid {encoding}")]
    BadEncoding {
        session_seq: u64,
        field: &'static str,
        encoding: &'static str,
    },
    #[error("the events stream is malformed: {0}")]
    Frames(#[from] protocol::frames::FrameError),
}

/// A session as loaded: the chain with payloads, and the batches decoded for replay.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    pub session: Uuid,
    pub audit: SessionAudit,
    entry_bytes: Vec<Vec<u8>>,
    payloads: Vec<Option<Vec<u8>>>,
    /// Batches whose payload decoded and names this session, in chain order.
    pub batches: Vec<Batch>,
    /// What failed before the ledger's checks, in chain order: batch payloads
    /// that cannot be replayed, and listing fields that disagree with the entry
    /// bytes they describe.
    pub problems: Vec<String>,
}

impl LoadedSession {
    /// Joins the chain with the framed payloads. Payloads are matched to entries
    /// by `session_seq`; a frame for an entry that is not a batch, or a batch
    /// entry without a frame, shows up in verification as a payload problem.
    /// With a `data_key` the batch payloads are sealed at rest: they are kept as
    /// stored (what the entries hash) and opened only to be replayed.
    pub fn assemble(
        session: Uuid,
        audit: SessionAudit,
        frames: &[u8],
        data_key: Option<&[u8; KEY_LEN]>,
        limits: &Limits,
    ) -> Result<LoadedSession, LoadError> {
        if audit.session_id != session.to_string() {
            return Err(LoadError::WrongSession {
                expected: session,
                found: audit.session_id,
            });
        }
        let mut framed: HashMap<u64, &[u8]> = HashMap::new();
        for frame in read_frames(frames, limits.max_compressed_bytes)? {
            framed.insert(frame.session_seq, frame.payload);
        }
        let mut entry_bytes = Vec::with_capacity(audit.entries.len());
        let mut payloads = Vec::with_capacity(audit.entries.len());
        let mut batches = Vec::new();
        let mut problems = Vec::new();
        for entry in &audit.entries {
            let bad = |field, encoding| LoadError::BadEncoding {
                session_seq: entry.session_seq,
                field,
                encoding,
            };
            let bytes = STANDARD
                .decode(&entry.entry)
                .map_err(|_| bad("entry", "base64"))?;
            problems.extend(listing_mismatch(entry, &bytes));
            entry_bytes.push(bytes);
            let payload = match (&entry.payload, framed.get(&entry.session_seq)) {
                (Some(text), _) => Some(
                    STANDARD
                        .decode(text)
                        .map_err(|_| bad("payload", "base64"))?,
                ),
                (None, Some(bytes)) => Some(bytes.to_vec()),
                (None, None) => None,
            };
            if let (Some(batch_seq), Some(stored)) = (entry.batch_seq, &payload) {
                let opened = match data_key {
                    Some(key) => open_payload(key, &session, batch_seq, stored),
                    None => Ok(stored.clone()),
                };
                let bytes = match opened {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        problems.push(format!(
                            "batch {batch_seq}: does not open with the session's data key ({e})"
                        ));
                        payloads.push(payload);
                        continue;
                    }
                };
                match protocol::decode_batch(&bytes, limits) {
                    Ok(batch) => match batch.check_binding(&audit.project, session, batch_seq) {
                        Ok(()) => batches.push(batch),
                        Err(e) => problems.push(format!("batch {batch_seq}: {e}")),
                    },
                    Err(e) => problems.push(format!("batch {batch_seq}: does not decode: {e}")),
                }
            }
            payloads.push(payload);
        }
        Ok(LoadedSession {
            session,
            audit,
            entry_bytes,
            payloads,
            batches,
            problems,
        })
    }

    /// The chain only up to the entry at `upto` (the view this load recorded):
    /// what the events stream holds. Entries appended since belong to later views.
    pub fn truncate_audit(audit: &mut SessionAudit, upto: u64) {
        audit.entries.retain(|e| e.session_seq <= upto);
    }

    /// Runs every check against `key` with `proofs` and the checkpoint `note`.
    pub fn verify(
        &self,
        key: &LogVerifier,
        note: Option<&str>,
        proofs: Option<&SessionProofs>,
    ) -> Verification {
        let by_seq: HashMap<u64, InclusionEvidence> = proofs
            .map(|p| {
                p.proofs
                    .iter()
                    .map(|proof| {
                        let path: Result<Vec<Hash>, _> =
                            proof.proof.iter().map(|h| Hash::from_hex(h)).collect();
                        // An unparsable path is as good as a wrong one: it fails.
                        let path = path.unwrap_or_else(|_| vec![Hash::default()]);
                        (
                            proof.session_seq,
                            InclusionEvidence {
                                index: proof.log_index,
                                proof: path,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let evidence = SessionEvidence {
            project: &self.audit.project,
            session: self.session,
            entries: self
                .audit
                .entries
                .iter()
                .zip(&self.entry_bytes)
                .zip(&self.payloads)
                .map(|((entry, bytes), payload)| EvidenceEntry {
                    entry_bytes: bytes,
                    payload: payload.as_deref(),
                    inclusion: by_seq.get(&entry.session_seq).cloned(),
                })
                .collect(),
            checkpoint_note: note,
        };
        let report = verify_session(&evidence, key);
        let mut problems = self.problems.clone();
        // The log index the panel shows must be the one the proof proved.
        for entry in &self.audit.entries {
            if let (Some(listed), Some(proved)) = (entry.log_index, by_seq.get(&entry.session_seq))
                && listed != proved.index
            {
                problems.push(format!(
                    "entry {}: the listing says log index {listed}, its proof is for {}",
                    entry.session_seq, proved.index
                ));
            }
        }
        Verification { report, problems }
    }
}

/// What the audit listing says about an entry that its bytes do not. The panel
/// shows the listing's fields; they must be the bytes' own.
fn listing_mismatch(listed: &protocol::api::AuditEntry, bytes: &[u8]) -> Vec<String> {
    let Ok(entry) = ledger::Entry::decode(bytes) else {
        return Vec::new(); // the chain check reports an undecodable entry
    };
    let seq = listed.session_seq;
    let mut out = Vec::new();
    let mut differ = |field: &str, says: String, is: String| {
        if says != is {
            out.push(format!(
                "entry {seq}: the listing says {field} {says}, its bytes say {is}"
            ));
        }
    };
    differ(
        "session_seq",
        seq.to_string(),
        entry.session_seq.to_string(),
    );
    differ("kind", listed.kind.clone(), entry.kind.name().to_owned());
    differ(
        "batch",
        format!("{:?}", listed.batch_seq),
        format!("{:?}", entry.batch_seq),
    );
    differ(
        "received at",
        listed.received_at_ms.to_string(),
        entry.received_at_ms.to_string(),
    );
    differ("actor", listed.actor.clone(), entry.actor.clone());
    differ(
        "leaf hash",
        listed.leaf_hash.clone(),
        ledger::leaf_hash(bytes).to_hex(),
    );
    out
}

/// The verdict the viewer shows, with everything it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub report: SessionReport,
    /// Batches whose payload verified against its entry but cannot be replayed
    /// (does not decode, or its envelope names another session or seq).
    pub problems: Vec<String>,
}

/// What the verification panel says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Verified(String),
    Incomplete(Vec<String>),
    Failed(Vec<String>),
}

impl Verification {
    pub fn status(&self) -> Status {
        match self.report.verdict() {
            Verdict::Failed(mut failures) => {
                failures.extend(self.problems.iter().cloned());
                Status::Failed(failures)
            }
            _ if !self.problems.is_empty() => Status::Failed(self.problems.clone()),
            Verdict::Incomplete(why) => Status::Incomplete(why),
            Verdict::Verified => Status::Verified(self.summary()),
        }
    }

    /// "verified: 12 batches, chain intact, included in checkpoint of size 345
    /// signed at 2026-12-04 21:00:00 UTC".
    fn summary(&self) -> String {
        let checkpoint = self.report.checkpoint.as_ref().ok();
        let size = checkpoint.map_or(0, |c| c.size);
        let signed = checkpoint
            .and_then(Checkpoint::timestamp_ms)
            .map_or_else(|| "an unstated time".to_owned(), crate::time::utc);
        format!(
            "verified: {} batches, chain intact, included in checkpoint of size {size} signed at {signed}",
            self.report.verified_batches()
        )
    }

    /// Entries not in the signed tree yet (access entries included).
    pub fn pending(&self) -> usize {
        self.report
            .entries
            .iter()
            .filter(|e| e.inclusion == ledger::session::InclusionCheck::Pending)
            .count()
    }

    /// The verdict on one entry (by chain position) for the audit panel.
    pub fn entry_state(&self, position: usize) -> EntryState {
        let Some(entry) = self.report.entries.get(position) else {
            return EntryState::Unchecked;
        };
        if !entry.failures().is_empty() {
            EntryState::Failed(entry.failures().join("; "))
        } else if entry.is_verified() {
            EntryState::Verified
        } else {
            EntryState::Pending
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryState {
    Verified,
    /// Every check that ran passed; the entry is not in the signed tree yet.
    Pending,
    Failed(String),
    Unchecked,
}

#[cfg(test)]
mod tests;
