//! One session's evidence checked as a whole: every entry of its chain, every
//! payload, every inclusion proof and the signed checkpoint they lead to.
//!
//! The viewer (in the browser), the CLI and the server all check a session with
//! [`verify_session`], so "verified" means the same thing everywhere. Unlike
//! [`ChainVerifier::push`], which stops at the first bad entry, this keeps going
//! and reports every entry's own verdict, because a reviewer needs to know
//! *which* batch failed *which* check, and whether the rest still hold.
//!
//! A session counts as verified only when every check ran and passed: a
//! recording entry not yet in the tree or a payload that was not supplied makes
//! the report [`Verdict::Incomplete`], never [`Verdict::Verified`]. The one
//! exception is an access entry (view, export, denial) still waiting for the
//! integrator: it records who watched, not what was recorded, and the view that
//! is verifying has just appended one. Its other checks still count.

use uuid::Uuid;

use crate::chain::{ChainError, ChainVerifier, check_payload};
use crate::checkpoint::{Checkpoint, CheckpointError, LogVerifier};
use crate::entry::{Entry, EntryKind};
use crate::hash::{Hash, leaf_hash};
use crate::proof::{ProofError, verify_inclusion};

/// What a verifier was handed for one session.
#[derive(Debug, Clone)]
pub struct SessionEvidence<'a> {
    /// The project the session is claimed to belong to (bound by the chain's genesis).
    pub project: &'a str,
    pub session: Uuid,
    /// The session's entries in chain order.
    pub entries: Vec<EvidenceEntry<'a>>,
    /// The signed checkpoint the inclusion proofs lead to; `None` before the log
    /// has signed one.
    pub checkpoint_note: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct EvidenceEntry<'a> {
    pub entry_bytes: &'a [u8],
    /// The payload exactly as stored; `None` when it was not supplied.
    pub payload: Option<&'a [u8]>,
    /// Where the entry sits in the tree of the checkpoint, and the RFC 9162 path;
    /// `None` when the entry is not integrated yet.
    pub inclusion: Option<InclusionEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionEvidence {
    pub index: u64,
    pub proof: Vec<Hash>,
}

/// Why the checkpoint cannot anchor the session.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointProblem {
    #[error("no signed checkpoint was supplied")]
    Missing,
    #[error("the checkpoint does not verify against the pinned log key: {0}")]
    Signature(CheckpointError),
    #[error("the checkpoint is for log {found:?}, the pinned key is for {expected:?}")]
    WrongLog { expected: String, found: String },
}

/// The outcome of one entry's payload check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadCheck {
    Verified,
    NotSupplied,
    /// The entry does not decode, so there is nothing to check the payload against.
    Unchecked,
    Failed(ChainError),
}

/// The outcome of one entry's inclusion check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InclusionCheck {
    /// The entry's leaf hash is at `index` in the checkpoint's tree.
    Verified {
        index: u64,
    },
    /// No proof: the entry is not in the checkpoint's tree yet.
    Pending,
    /// There is no valid checkpoint to check the proof against.
    NoCheckpoint,
    Failed {
        index: u64,
        error: ProofError,
    },
}

/// Everything checked about one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryReport {
    /// Position in the evidence (0-based); equals `session_seq` when the chain holds.
    pub position: usize,
    /// The decoded entry; `None` when its bytes do not decode.
    pub entry: Option<Entry>,
    /// Computed here from the bytes, never taken from the server.
    pub leaf_hash: Hash,
    /// Decoding, binding, sequence and link to the previous entry.
    pub chain: Result<(), ChainError>,
    /// Batch entries only: the batch numbers run 0, 1, 2, … in chain order.
    pub batch_order: Result<(), BatchOrderError>,
    pub payload: PayloadCheck,
    pub inclusion: InclusionCheck,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("entry {session_seq} carries batch {found}, expected batch {expected}")]
pub struct BatchOrderError {
    pub session_seq: u64,
    pub expected: u64,
    pub found: u64,
}

/// The report on a whole session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReport {
    pub checkpoint: Result<Checkpoint, CheckpointProblem>,
    pub entries: Vec<EntryReport>,
}

/// The one-word answer, with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every check ran and passed.
    Verified,
    /// Nothing failed, but some checks could not run (named).
    Incomplete(Vec<String>),
    /// At least one check failed; every failure, in chain order.
    Failed(Vec<String>),
}

/// Checks `evidence` against the pinned `key`. Never stops early; see [`SessionReport`].
pub fn verify_session(evidence: &SessionEvidence<'_>, key: &LogVerifier) -> SessionReport {
    let checkpoint = check_checkpoint(evidence.checkpoint_note, key);
    let mut chain = ChainVerifier::new(key.name(), evidence.project, evidence.session);
    let mut next_batch = 0u64;
    let entries = evidence
        .entries
        .iter()
        .enumerate()
        .map(|(position, given)| {
            let leaf = leaf_hash(given.entry_bytes);
            let (entry, chain_result) = match chain.push(given.entry_bytes, None) {
                Ok(entry) => (Some(entry), Ok(())),
                Err(error) => {
                    // Keep checking the rest against this entry, so one bad link
                    // is reported once rather than as a cascade.
                    let entry = Entry::decode(given.entry_bytes).ok();
                    if let Some(entry) = &entry {
                        chain.resync(given.entry_bytes, entry);
                    }
                    (entry, Err(error))
                }
            };
            let batch_order = match entry.as_ref().and_then(|e| e.batch_seq.map(|b| (e, b))) {
                Some((e, found)) => {
                    let expected = next_batch;
                    next_batch = found.saturating_add(1);
                    if found == expected {
                        Ok(())
                    } else {
                        Err(BatchOrderError {
                            session_seq: e.session_seq,
                            expected,
                            found,
                        })
                    }
                }
                None => Ok(()),
            };
            let payload = match (&entry, given.payload) {
                (_, None) => PayloadCheck::NotSupplied,
                // Already reported as the chain's decode failure.
                (None, Some(_)) => PayloadCheck::Unchecked,
                (Some(e), Some(bytes)) => match check_payload(e, bytes) {
                    Ok(()) => PayloadCheck::Verified,
                    Err(error) => PayloadCheck::Failed(error),
                },
            };
            let inclusion = match (&checkpoint, &given.inclusion) {
                (_, None) => InclusionCheck::Pending,
                (Err(_), Some(_)) => InclusionCheck::NoCheckpoint,
                (Ok(cp), Some(proof)) if proof.index >= cp.size => InclusionCheck::Failed {
                    index: proof.index,
                    error: ProofError::IndexOutOfRange {
                        index: proof.index,
                        size: cp.size,
                    },
                },
                (Ok(cp), Some(proof)) => {
                    match verify_inclusion(&leaf, proof.index, cp.size, &proof.proof, &cp.root) {
                        Ok(()) => InclusionCheck::Verified { index: proof.index },
                        Err(error) => InclusionCheck::Failed {
                            index: proof.index,
                            error,
                        },
                    }
                }
            };
            EntryReport {
                position,
                entry,
                leaf_hash: leaf,
                chain: chain_result,
                batch_order,
                payload,
                inclusion,
            }
        })
        .collect();
    SessionReport {
        checkpoint,
        entries,
    }
}

fn check_checkpoint(
    note: Option<&str>,
    key: &LogVerifier,
) -> Result<Checkpoint, CheckpointProblem> {
    let note = note.ok_or(CheckpointProblem::Missing)?;
    let checkpoint = key.verify(note).map_err(CheckpointProblem::Signature)?;
    if checkpoint.origin != key.name() {
        return Err(CheckpointProblem::WrongLog {
            expected: key.name().to_owned(),
            found: checkpoint.origin,
        });
    }
    Ok(checkpoint)
}

impl EntryReport {
    /// Each failed check of this entry, as a sentence naming the entry.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        let name = self.name();
        if let Err(e) = &self.chain {
            out.push(format!("{name}: chain: {e}"));
        }
        if let Err(e) = &self.batch_order {
            out.push(format!("{name}: batch order: {e}"));
        }
        if let PayloadCheck::Failed(e) = &self.payload {
            out.push(format!("{name}: payload: {e}"));
        }
        if let InclusionCheck::Failed { index, error } = &self.inclusion {
            out.push(format!("{name}: inclusion at log index {index}: {error}"));
        }
        out
    }

    /// True when every check of this entry ran and passed.
    pub fn is_verified(&self) -> bool {
        self.chain.is_ok()
            && self.batch_order.is_ok()
            && self.payload == PayloadCheck::Verified
            && matches!(self.inclusion, InclusionCheck::Verified { .. })
    }

    /// A view, export, denial, sign-in or admin action: a record of who reached
    /// the recording (or the log), not part of a recording. Such entries are appended while people watch, so the newest is
    /// usually not in a signed tree yet; that leaves the recording's proof whole.
    pub fn is_access(&self) -> bool {
        self.entry.as_ref().is_some_and(|e| {
            matches!(
                e.kind,
                EntryKind::ReplayViewed
                    | EntryKind::EvidenceExported
                    | EntryKind::AccessDenied
                    | EntryKind::AdminAction
                    | EntryKind::SignedIn
                    | EntryKind::SessionErased
            )
        })
    }

    /// "batch 3 (entry 4)", "replay_viewed (entry 9)", or "entry 2" when it does not decode.
    pub fn name(&self) -> String {
        match &self.entry {
            Some(e) => match (e.kind, e.batch_seq) {
                (EntryKind::BatchReceived, Some(b)) => {
                    format!("batch {b} (entry {})", e.session_seq)
                }
                (kind, _) => format!("{} (entry {})", kind.name(), e.session_seq),
            },
            None => format!("entry at position {}", self.position),
        }
    }
}

impl SessionReport {
    pub fn verdict(&self) -> Verdict {
        let mut failures = Vec::new();
        let mut missing = Vec::new();
        match &self.checkpoint {
            Ok(_) => {}
            Err(CheckpointProblem::Missing) => missing.push(CheckpointProblem::Missing.to_string()),
            Err(other) => failures.push(format!("checkpoint: {other}")),
        }
        if self.entries.is_empty() {
            missing.push("the session has no entries".to_owned());
        }
        let mut pending = 0;
        let mut unsupplied = 0;
        for entry in &self.entries {
            failures.extend(entry.failures());
            if matches!(entry.inclusion, InclusionCheck::Pending) && !entry.is_access() {
                pending += 1;
            }
            if entry.payload == PayloadCheck::NotSupplied {
                unsupplied += 1;
            }
        }
        if pending > 0 {
            missing.push(format!("{pending} entries are not in the signed tree yet"));
        }
        if unsupplied > 0 {
            missing.push(format!("{unsupplied} payloads were not supplied"));
        }
        if !failures.is_empty() {
            Verdict::Failed(failures)
        } else if !missing.is_empty() {
            Verdict::Incomplete(missing)
        } else {
            Verdict::Verified
        }
    }

    /// Batch entries whose every check passed.
    pub fn verified_batches(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.is_verified())
            .filter(|e| {
                e.entry
                    .as_ref()
                    .is_some_and(|e| e.kind == EntryKind::BatchReceived)
            })
            .count()
    }

    /// No entry has a chain, order or decoding failure.
    pub fn chain_intact(&self) -> bool {
        self.entries
            .iter()
            .all(|e| e.chain.is_ok() && e.batch_order.is_ok())
    }
}

#[cfg(test)]
mod tests;
