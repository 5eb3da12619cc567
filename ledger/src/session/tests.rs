//! A session built with the real entry layout, tree and signer, then broken one
//! way at a time: each break must be reported against the entry it hit, and
//! only there.

use super::*;
use crate::checkpoint::LogSigner;
use crate::entry::genesis_hash;
use crate::hash::sha256;
use crate::memtree::MemoryTree;

const ORIGIN: &str = "affidavit.test/log";
const PROJECT: &str = "demo";

fn session_id() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042)
}

struct Fixture {
    signer: LogSigner,
    entries: Vec<Vec<u8>>,
    payloads: Vec<Vec<u8>>,
    tree: MemoryTree,
    /// Log index of each entry (other sessions' leaves are interleaved).
    indices: Vec<u64>,
}

/// session_opened, three batches, one replay_viewed; a foreign leaf between
/// each so log indices differ from session positions.
fn fixture() -> Fixture {
    let signer = LogSigner::from_seed(ORIGIN, [9; 32]).expect("key");
    let kinds = [
        (EntryKind::SessionOpened, None),
        (EntryKind::BatchReceived, Some(0)),
        (EntryKind::BatchReceived, Some(1)),
        (EntryKind::BatchReceived, Some(2)),
        (EntryKind::ReplayViewed, None),
    ];
    let mut tree = MemoryTree::new();
    let mut prev = genesis_hash(ORIGIN, PROJECT, &session_id());
    let (mut entries, mut payloads, mut indices) = (Vec::new(), Vec::new(), Vec::new());
    for (seq, (kind, batch_seq)) in kinds.into_iter().enumerate() {
        let payload = format!("payload {seq}").into_bytes();
        let entry = Entry {
            kind,
            origin: ORIGIN.into(),
            project: PROJECT.into(),
            session: session_id(),
            session_seq: seq as u64,
            prev_hash: prev,
            received_at_ms: 1_700_000_000_000 + seq as i64,
            actor: "key:demo".into(),
            payload_len: payload.len() as u64,
            payload_hash: sha256(&payload),
            batch_seq,
        };
        let bytes = entry.encode().expect("encodes");
        prev = leaf_hash(&bytes);
        tree.push(sha256(format!("someone else {seq}").as_bytes()));
        indices.push(tree.size());
        tree.push(prev);
        entries.push(bytes);
        payloads.push(payload);
    }
    Fixture {
        signer,
        entries,
        payloads,
        tree,
        indices,
    }
}

impl Fixture {
    fn note(&self) -> String {
        self.signer.sign(&Checkpoint {
            origin: ORIGIN.into(),
            size: self.tree.size(),
            root: self.tree.root(),
            extensions: Vec::new(),
        })
    }

    fn evidence<'a>(&'a self, note: &'a str) -> SessionEvidence<'a> {
        SessionEvidence {
            project: PROJECT,
            session: session_id(),
            entries: self
                .entries
                .iter()
                .zip(&self.payloads)
                .zip(&self.indices)
                .map(|((entry, payload), index)| EvidenceEntry {
                    entry_bytes: entry,
                    payload: Some(payload),
                    inclusion: Some(InclusionEvidence {
                        index: *index,
                        proof: self
                            .tree
                            .inclusion_proof(*index, self.tree.size())
                            .expect("proof"),
                    }),
                })
                .collect(),
            checkpoint_note: Some(note),
        }
    }

    fn key(&self) -> LogVerifier {
        self.signer.verifier()
    }
}

fn failures(report: &SessionReport) -> Vec<String> {
    match report.verdict() {
        Verdict::Failed(f) => f,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn an_untouched_session_is_verified() {
    let f = fixture();
    let note = f.note();
    let report = verify_session(&f.evidence(&note), &f.key());
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(report.verified_batches(), 3);
    assert!(report.chain_intact());
    assert_eq!(
        report.entries[4].inclusion,
        InclusionCheck::Verified {
            index: f.indices[4]
        }
    );
}

#[test]
fn a_changed_payload_byte_names_that_batch_only() {
    let f = fixture();
    let note = f.note();
    let mut payload = f.payloads[2].clone();
    payload[0] ^= 1;
    let mut evidence = f.evidence(&note);
    evidence.entries[2].payload = Some(&payload);
    let report = verify_session(&evidence, &f.key());
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("batch 1 (entry 2): payload"),
        "{failed:?}"
    );
    assert!(report.chain_intact(), "the chain itself still holds");
    assert_eq!(report.verified_batches(), 2);
}

#[test]
fn a_changed_entry_breaks_its_inclusion_and_the_next_link() {
    let f = fixture();
    let note = f.note();
    let mut entry = Entry::decode(&f.entries[1]).expect("decodes");
    entry.received_at_ms += 1;
    let forged = entry.encode().expect("encodes");
    let mut evidence = f.evidence(&note);
    evidence.entries[1].entry_bytes = &forged;
    let failed = failures(&verify_session(&evidence, &f.key()));
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed[0].starts_with("batch 0 (entry 1): inclusion"),
        "{failed:?}"
    );
    assert!(
        failed[1].starts_with("batch 1 (entry 2): chain"),
        "{failed:?}"
    );
}

#[test]
fn a_dropped_entry_is_a_sequence_gap() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    evidence.entries.remove(2);
    let failed = failures(&verify_session(&evidence, &f.key()));
    assert!(
        failed
            .iter()
            .any(|m| m.contains("expected session_seq 2, found 3")),
        "{failed:?}"
    );
}

#[test]
fn swapped_entries_are_reported() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    evidence.entries.swap(1, 2);
    let report = verify_session(&evidence, &f.key());
    assert!(!report.chain_intact());
    assert!(matches!(report.verdict(), Verdict::Failed(_)));
}

#[test]
fn another_sessions_chain_is_refused() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    evidence.session = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0043);
    let failed = failures(&verify_session(&evidence, &f.key()));
    assert!(failed[0].contains("session"), "{failed:?}");
}

#[test]
fn a_checkpoint_signed_by_another_key_fails_and_proofs_are_not_trusted() {
    let f = fixture();
    let other = LogSigner::from_seed(ORIGIN, [1; 32]).expect("key");
    let note = other.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size: f.tree.size(),
        root: f.tree.root(),
        extensions: Vec::new(),
    });
    let report = verify_session(&f.evidence(&note), &f.key());
    assert!(matches!(
        report.checkpoint,
        Err(CheckpointProblem::Signature(_))
    ));
    assert!(
        report
            .entries
            .iter()
            .all(|e| e.inclusion == InclusionCheck::NoCheckpoint)
    );
    assert!(matches!(report.verdict(), Verdict::Failed(_)));
}

#[test]
fn a_proof_for_the_wrong_index_fails() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    let other = evidence.entries[3].inclusion.clone();
    evidence.entries[2].inclusion = other;
    let failed = failures(&verify_session(&evidence, &f.key()));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("batch 1 (entry 2): inclusion"),
        "{failed:?}"
    );
}

#[test]
fn pending_entries_and_missing_payloads_are_incomplete_not_verified() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    evidence.entries[3].inclusion = None;
    evidence.entries[0].payload = None;
    match verify_session(&evidence, &f.key()).verdict() {
        Verdict::Incomplete(why) => {
            assert_eq!(why.len(), 2, "{why:?}");
        }
        other => panic!("expected incomplete, got {other:?}"),
    }
    let mut no_checkpoint = f.evidence(&note);
    no_checkpoint.checkpoint_note = None;
    assert!(matches!(
        verify_session(&no_checkpoint, &f.key()).verdict(),
        Verdict::Incomplete(_)
    ));
    let empty = SessionEvidence {
        entries: Vec::new(),
        ..f.evidence(&note)
    };
    assert!(matches!(
        verify_session(&empty, &f.key()).verdict(),
        Verdict::Incomplete(_)
    ));
}

#[test]
fn a_view_not_yet_in_the_tree_leaves_the_recording_verified_but_its_other_checks_count() {
    let f = fixture();
    let note = f.note();
    let mut evidence = f.evidence(&note);
    evidence.entries[4].inclusion = None;
    let report = verify_session(&evidence, &f.key());
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(report.entries[4].inclusion, InclusionCheck::Pending);

    let mut payload = f.payloads[4].clone();
    payload.push(b'!');
    evidence.entries[4].payload = Some(&payload);
    let failed = failures(&verify_session(&evidence, &f.key()));
    assert!(
        failed[0].starts_with("replay_viewed (entry 4): payload"),
        "{failed:?}"
    );
}

#[test]
fn batch_numbers_must_run_in_order() {
    // Rebuild a chain whose batches are numbered 0, 2: every link is fine, the
    // numbering is not.
    let signer = LogSigner::from_seed(ORIGIN, [9; 32]).expect("key");
    let mut prev = genesis_hash(ORIGIN, PROJECT, &session_id());
    let mut entries = Vec::new();
    for (seq, batch) in [(0u64, 0u64), (1, 2)] {
        let entry = Entry {
            kind: EntryKind::BatchReceived,
            origin: ORIGIN.into(),
            project: PROJECT.into(),
            session: session_id(),
            session_seq: seq,
            prev_hash: prev,
            received_at_ms: 1,
            actor: "key:demo".into(),
            payload_len: 0,
            payload_hash: sha256(b""),
            batch_seq: Some(batch),
        };
        let bytes = entry.encode().expect("encodes");
        prev = leaf_hash(&bytes);
        entries.push(bytes);
    }
    let evidence = SessionEvidence {
        project: PROJECT,
        session: session_id(),
        entries: entries
            .iter()
            .map(|e| EvidenceEntry {
                entry_bytes: e,
                payload: Some(b""),
                inclusion: None,
            })
            .collect(),
        checkpoint_note: None,
    };
    let failed = failures(&verify_session(&evidence, &signer.verifier()));
    assert_eq!(
        failed,
        vec!["batch 2 (entry 1): batch order: entry 1 carries batch 2, expected batch 1"]
    );
}
