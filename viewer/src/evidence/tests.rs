//! A session as the server would send it, built with the real codec, entry
//! layout, tree and signer; then changed the ways a dishonest server could.

use super::*;
use ledger::checkpoint::LogSigner;
use ledger::{Entry, EntryKind, MemoryTree, genesis_hash, sha256};
use protocol::api::{AuditEntry, EntryProof};
use protocol::frames::write_frame;
use protocol::{Event, EventData, Track, Value};

const ORIGIN: &str = "affidavit.test/log";
const PROJECT: &str = "demo";

fn session() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0007)
}

fn other_session() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0008)
}

fn payload(session: Uuid, seq: u64) -> Vec<u8> {
    let event = Event::new(
        1_000 + seq as i64,
        EventData::Track(Track {
            name: format!("step {seq}"),
            data: Value::Null,
        }),
    );
    protocol::encode_batch(&Batch::new(PROJECT, session, seq, 1_000, vec![event]), 3)
        .expect("encodes")
}

struct Server {
    signer: LogSigner,
    audit: SessionAudit,
    frames: Vec<u8>,
    proofs: SessionProofs,
    note: String,
}

/// session_opened, batches 0 and 1 (batch payloads given by `batch_payload`),
/// then a replay_viewed entry that is not integrated yet.
fn server(batch_payload: impl Fn(u64) -> Vec<u8>) -> Server {
    let signer = LogSigner::from_seed(ORIGIN, [4; 32]).expect("key");
    let access = br#"{"action":"replay_viewed"}"#.to_vec();
    let items: Vec<(EntryKind, Option<u64>, Vec<u8>)> = vec![
        (EntryKind::SessionOpened, None, Vec::new()),
        (EntryKind::BatchReceived, Some(0), batch_payload(0)),
        (EntryKind::BatchReceived, Some(1), batch_payload(1)),
        (EntryKind::ReplayViewed, None, access),
    ];
    let mut prev = genesis_hash(ORIGIN, PROJECT, &session());
    let mut tree = MemoryTree::new();
    let (mut entries, mut frames) = (Vec::new(), Vec::new());
    for (seq, (kind, batch_seq, bytes)) in items.into_iter().enumerate() {
        let entry = Entry {
            kind,
            origin: ORIGIN.into(),
            project: PROJECT.into(),
            session: session(),
            session_seq: seq as u64,
            prev_hash: prev,
            received_at_ms: 2_000 + seq as i64,
            actor: "key:demo".into(),
            payload_len: bytes.len() as u64,
            payload_hash: sha256(&bytes),
            batch_seq,
        };
        let entry_bytes = entry.encode().expect("encodes");
        prev = ledger::leaf_hash(&entry_bytes);
        let integrated = kind != EntryKind::ReplayViewed;
        if integrated {
            tree.push(prev);
        }
        if let Some(batch) = batch_seq {
            write_frame(&mut frames, seq as u64, batch, &bytes).expect("frames");
        }
        entries.push(AuditEntry {
            session_seq: seq as u64,
            kind: kind.name().into(),
            batch_seq,
            received_at_ms: entry.received_at_ms,
            actor: entry.actor.clone(),
            leaf_hash: prev.to_hex(),
            log_index: integrated.then(|| tree.size() - 1),
            entry: STANDARD.encode(&entry_bytes),
            payload: batch_seq.is_none().then(|| STANDARD.encode(&bytes)),
        });
    }
    let size = tree.size();
    let proofs = SessionProofs {
        session_id: session().to_string(),
        size,
        root: tree.root().to_hex(),
        proofs: entries
            .iter()
            .filter_map(|e| e.log_index.map(|i| (e.session_seq, i)))
            .map(|(session_seq, log_index)| EntryProof {
                session_seq,
                log_index,
                proof: tree
                    .inclusion_proof(log_index, size)
                    .expect("proof")
                    .iter()
                    .map(Hash::to_hex)
                    .collect(),
            })
            .collect(),
    };
    let note = signer.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: tree.root(),
        extensions: vec![Checkpoint::timestamp_line(1_733_346_000_000)],
    });
    Server {
        signer,
        audit: SessionAudit {
            session_id: session().to_string(),
            project: PROJECT.into(),
            origin: ORIGIN.into(),
            entries,
        },
        frames,
        proofs,
        note,
    }
}

fn status(s: &Server, frames: &[u8]) -> Status {
    let loaded =
        LoadedSession::assemble(session(), s.audit.clone(), frames, None, &Limits::default())
            .expect("assembles");
    loaded
        .verify(&s.signer.verifier(), Some(&s.note), Some(&s.proofs))
        .status()
}

#[test]
fn an_honest_session_verifies_with_its_checkpoint_and_replays() {
    let s = server(|seq| payload(session(), seq));
    let loaded = LoadedSession::assemble(
        session(),
        s.audit.clone(),
        &s.frames,
        None,
        &Limits::default(),
    )
    .expect("assembles");
    assert_eq!(loaded.batches.len(), 2, "both batches decode for replay");
    assert_eq!(
        status(&s, &s.frames),
        Status::Verified(
            "verified: 2 batches, chain intact, included in checkpoint of size 3 signed at 2024-12-04 21:00:00 UTC"
                .into()
        )
    );
}

#[test]
fn sealed_payloads_verify_as_stored_and_replay_as_sent() {
    const KEY: [u8; KEY_LEN] = [9; KEY_LEN];
    let s =
        server(|seq| ledger::sealed::seal_payload(&KEY, &session(), seq, &payload(session(), seq)));
    let loaded = LoadedSession::assemble(
        session(),
        s.audit.clone(),
        &s.frames,
        Some(&KEY),
        &Limits::default(),
    )
    .expect("assembles");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.batches.len(), 2, "opened and decoded for replay");
    assert!(matches!(
        loaded
            .verify(&s.signer.verifier(), Some(&s.note), Some(&s.proofs))
            .status(),
        Status::Verified(_)
    ));

    let wrong = [8; KEY_LEN];
    let loaded = LoadedSession::assemble(
        session(),
        s.audit.clone(),
        &s.frames,
        Some(&wrong),
        &Limits::default(),
    )
    .expect("assembles");
    assert!(
        loaded.batches.is_empty(),
        "nothing replays without the right key"
    );
    assert_eq!(loaded.problems.len(), 2);
    assert!(
        loaded.problems[0].starts_with("batch 0: does not open"),
        "{:?}",
        loaded.problems
    );
    assert!(
        !matches!(
            loaded
                .verify(&s.signer.verifier(), Some(&s.note), Some(&s.proofs))
                .status(),
            Status::Verified(_)
        ),
        "a batch that cannot be replayed is not called verified"
    );
}

#[test]
fn one_changed_payload_byte_fails_and_names_its_batch() {
    let s = server(|seq| payload(session(), seq));
    let mut frames = s.frames.clone();
    let last = frames.len() - 1;
    frames[last] ^= 0x01;
    match status(&s, &frames) {
        Status::Failed(failures) => {
            assert!(
                failures
                    .iter()
                    .any(|f| f.starts_with("batch 1 (entry 2): payload")),
                "{failures:?}"
            );
            assert!(
                !failures.iter().any(|f| f.starts_with("batch 0")),
                "batch 0 is intact: {failures:?}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_batch_recorded_for_another_session_is_not_replayed_as_this_one() {
    // The chain is honest about the bytes, but the bytes are another session's.
    let s = server(|seq| payload(if seq == 0 { other_session() } else { session() }, seq));
    match status(&s, &s.frames) {
        Status::Failed(failures) => {
            assert_eq!(failures.len(), 1, "{failures:?}");
            assert!(
                failures[0].starts_with("batch 0: the batch names session"),
                "{failures:?}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_missing_payload_or_checkpoint_is_never_verified() {
    let s = server(|seq| payload(session(), seq));
    assert!(matches!(status(&s, &[]), Status::Incomplete(_)));
    let loaded = LoadedSession::assemble(
        session(),
        s.audit.clone(),
        &s.frames,
        None,
        &Limits::default(),
    )
    .expect("assembles");
    assert!(matches!(
        loaded.verify(&s.signer.verifier(), None, None).status(),
        Status::Incomplete(_)
    ));
    let other_key = LogSigner::from_seed(ORIGIN, [5; 32])
        .expect("key")
        .verifier();
    assert!(matches!(
        loaded
            .verify(&other_key, Some(&s.note), Some(&s.proofs))
            .status(),
        Status::Failed(_)
    ));
}

#[test]
fn answers_that_do_not_fit_together_are_refused_before_verifying() {
    let s = server(|seq| payload(session(), seq));
    assert!(matches!(
        LoadedSession::assemble(
            other_session(),
            s.audit.clone(),
            &s.frames,
            None,
            &Limits::default()
        ),
        Err(LoadError::WrongSession { .. })
    ));
    let mut audit = s.audit.clone();
    audit.entries[1].entry = "not base64!".into();
    assert!(matches!(
        LoadedSession::assemble(session(), audit, &s.frames, None, &Limits::default()),
        Err(LoadError::BadEncoding { session_seq: 1, .. })
    ));
    assert!(matches!(
        LoadedSession::assemble(
            session(),
            s.audit.clone(),
            &s.frames[..5],
            None,
            &Limits::default()
        ),
        Err(LoadError::Frames(_))
    ));
}

#[test]
fn entry_states_follow_the_report() {
    let s = server(|seq| payload(session(), seq));
    let loaded = LoadedSession::assemble(
        session(),
        s.audit.clone(),
        &s.frames,
        None,
        &Limits::default(),
    )
    .expect("assembles");
    let verification = loaded.verify(&s.signer.verifier(), Some(&s.note), Some(&s.proofs));
    assert_eq!(verification.entry_state(1), EntryState::Verified);
    assert_eq!(verification.entry_state(3), EntryState::Pending);
    assert_eq!(verification.entry_state(99), EntryState::Unchecked);
}

#[test]
fn listing_fields_that_disagree_with_the_entry_bytes_fail() {
    let s = server(|seq| payload(session(), seq));
    let mut audit = s.audit.clone();
    audit.entries[2].actor = "user:someone-else".into();
    audit.entries[1].log_index = Some(2);
    let loaded = LoadedSession::assemble(session(), audit, &s.frames, None, &Limits::default())
        .expect("assembles");
    match loaded
        .verify(&s.signer.verifier(), Some(&s.note), Some(&s.proofs))
        .status()
    {
        Status::Failed(failures) => {
            assert!(
                failures.iter().any(|f| f
                    == "entry 2: the listing says actor user:someone-else, its bytes say key:demo"),
                "{failures:?}"
            );
            assert!(
                failures
                    .iter()
                    .any(|f| f == "entry 1: the listing says log index 2, its proof is for 1"),
                "{failures:?}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn entries_after_this_view_are_left_out() {
    let s = server(|seq| payload(session(), seq));
    let mut audit = s.audit.clone();
    LoadedSession::truncate_audit(&mut audit, 2);
    assert_eq!(audit.entries.len(), 3);
}
