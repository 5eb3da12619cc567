//! A real bundle (real entry layout, tree and signature), then broken every way
//! a forger or an accident could: each break must fail verification, naming
//! the check that caught it, and the untouched bundle must pass.

use uuid::Uuid;

use super::*;
use crate::checkpoint::{Checkpoint, LogSigner, LogVerifier};
use crate::entry::{Entry, EntryKind, genesis_hash};
use crate::hash::{leaf_hash, sha256};
use crate::memtree::MemoryTree;
use crate::sealed::seal_payload;
use crate::session::InclusionEvidence;

const ORIGIN: &str = "affidavit.test/log";
const DATA_KEY: [u8; 32] = [5; 32];
const PROJECT: &str = "demo";

fn session_a() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00aa)
}
fn session_b() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00bb)
}

struct Log {
    signer: LogSigner,
    tree: MemoryTree,
}

/// Appends a session's chain to `log` (a foreign leaf before each entry, so
/// log indices and positions differ) and returns (entry bytes, payload, index).
fn record(
    log: &mut Log,
    session: Uuid,
    kinds: &[(EntryKind, Option<u64>)],
) -> Vec<(Vec<u8>, Vec<u8>, u64)> {
    let mut prev = genesis_hash(ORIGIN, PROJECT, &session);
    let mut out = Vec::new();
    for (seq, (kind, batch_seq)) in kinds.iter().enumerate() {
        let plain = format!("{session} payload {seq}").into_bytes();
        // Batches are sealed with the session's data key, as the server stores them.
        let payload = match batch_seq {
            Some(b) => seal_payload(&DATA_KEY, &session, *b, &plain),
            None => plain,
        };
        let bytes = Entry {
            kind: *kind,
            origin: ORIGIN.into(),
            project: PROJECT.into(),
            session,
            session_seq: seq as u64,
            prev_hash: prev,
            received_at_ms: 1_700_000_000_000 + seq as i64,
            actor: if batch_seq.is_some() {
                "key:demo".into()
            } else {
                "user:alice".into()
            },
            payload_len: payload.len() as u64,
            payload_hash: sha256(&payload),
            batch_seq: *batch_seq,
        }
        .encode()
        .expect("encodes");
        prev = leaf_hash(&bytes);
        log.tree
            .push(sha256(format!("other {session} {seq}").as_bytes()));
        let index = log.tree.size();
        log.tree.push(prev);
        out.push((bytes, payload, index));
    }
    out
}

const RECORDING: [(EntryKind, Option<u64>); 6] = [
    (EntryKind::SessionOpened, None),
    (EntryKind::BatchReceived, Some(0)),
    (EntryKind::BatchReceived, Some(1)),
    (EntryKind::ReplayViewed, None),
    (EntryKind::BatchReceived, Some(2)),
    (EntryKind::EvidenceExported, None),
];

struct Fixture {
    log: Log,
    bundle: Bundle,
    /// A checkpoint signed before session A was recorded.
    earlier_note: String,
    other_session: Vec<(Vec<u8>, Vec<u8>, u64)>,
}

/// Session A's bundle against the tree of `size`, without entries yet.
fn session_a_bundle(log: &Log, size: u64) -> Bundle {
    Bundle {
        origin: ORIGIN.into(),
        project: PROJECT.into(),
        session: session_a(),
        checkpoint_note: sign(log, size),
        entries: Vec::new(),
        consistency: Vec::new(),
        data_key: Some(DATA_KEY),
    }
}

/// A recorded chain's entries with their inclusion proofs in the tree of `size`.
fn proven(log: &Log, chain: Vec<(Vec<u8>, Vec<u8>, u64)>, size: u64) -> Vec<BundleEntry> {
    chain
        .into_iter()
        .enumerate()
        .map(|(seq, (entry_bytes, payload, index))| BundleEntry {
            session_seq: seq as u64,
            entry_bytes,
            payload,
            inclusion: Some(InclusionEvidence {
                index,
                proof: log.tree.inclusion_proof(index, size).expect("proof"),
            }),
        })
        .collect()
}

fn sign(log: &Log, size: u64) -> String {
    log.signer.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: log.tree.root_at(size).expect("root"),
        extensions: vec![Checkpoint::timestamp_line(1_700_000_100_000)],
    })
}

fn fixture() -> Fixture {
    let mut log = Log {
        signer: LogSigner::from_seed(ORIGIN, [7; 32]).expect("key"),
        tree: MemoryTree::new(),
    };
    let other_session = record(&mut log, session_b(), &RECORDING);
    let earlier = log.tree.size();
    let earlier_note = sign(&log, earlier);
    let chain = record(&mut log, session_a(), &RECORDING);
    let size = log.tree.size();
    let bundle = Bundle {
        entries: proven(&log, chain, size),
        consistency: vec![ConsistencyEvidence {
            from_size: earlier,
            from_root: log.tree.root_at(earlier).expect("root"),
            proof: log
                .tree
                .consistency_proof(earlier, size)
                .expect("consistency"),
        }],
        ..session_a_bundle(&log, size)
    };
    Fixture {
        log,
        bundle,
        earlier_note,
        other_session,
    }
}

fn key(f: &Fixture) -> LogVerifier {
    f.log.signer.verifier()
}

fn failed_checks(report: &BundleReport) -> Vec<&'static str> {
    report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail(_) | Outcome::NotRun(_)))
        .map(|c| c.name)
        .collect()
}

fn with_member(archive: &[u8], name: &str, change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut members = read_archive(archive).expect("read");
    let member = members.iter_mut().find(|(n, _)| n == name).expect("member");
    change(&mut member.1);
    write_archive(&members).expect("write")
}

#[test]
fn an_untouched_bundle_passes_every_check_and_reads_back_whole() {
    let f = fixture();
    let archive = f.bundle.to_archive().expect("archive");
    let report = verify_bundle(&archive, &key(&f), Some(&f.earlier_note));
    assert!(report.passed(), "{:?}", report.failures());
    assert_eq!(report.bundle.as_ref(), Some(&f.bundle));
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "archive",
            "files",
            "manifest",
            "checkpoint",
            "chain",
            "batches",
            "payloads",
            "inclusion",
            "sealed payloads",
            "session close",
            "export entry",
            "consistency proofs",
            "known checkpoint"
        ]
    );
    assert_eq!(
        f.bundle.batches().map(|(b, _)| b).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn the_same_evidence_always_makes_the_same_bytes() {
    let f = fixture();
    assert_eq!(
        f.bundle.to_archive().expect("a"),
        fixture().bundle.to_archive().expect("b")
    );
}

#[test]
fn flipping_any_byte_of_the_bundle_fails_verification() {
    let f = fixture();
    let key = key(&f);
    let archive = f.bundle.to_archive().expect("archive");
    for at in 0..archive.len() {
        let mut broken = archive.clone();
        broken[at] ^= 0x01;
        let report = verify_bundle(&broken, &key, None);
        assert!(!report.passed(), "flipping byte {at} went unnoticed");
    }
}

#[test]
fn flipping_any_byte_of_any_file_names_a_failed_check() {
    let f = fixture();
    let key = key(&f);
    let archive = f.bundle.to_archive().expect("archive");
    for (name, bytes) in read_archive(&archive).expect("read") {
        for at in 0..bytes.len() {
            let broken = with_member(&archive, &name, |b| b[at] ^= 0x80);
            let report = verify_bundle(&broken, &key, None);
            let failed = failed_checks(&report);
            assert!(!failed.is_empty(), "{name} byte {at}: unnoticed");
            assert!(
                failed.iter().all(|c| *c != "archive"),
                "{name} byte {at}: rewritten canonically, yet {failed:?}"
            );
        }
    }
}

#[test]
fn a_dropped_file_is_named() {
    let f = fixture();
    let key = key(&f);
    let archive = f.bundle.to_archive().expect("archive");
    for (name, _) in read_archive(&archive).expect("read") {
        let mut members = read_archive(&archive).expect("read");
        members.retain(|(n, _)| *n != name);
        let report = verify_bundle(
            &write_archive(&members).expect("write"),
            &key,
            Some(&f.earlier_note),
        );
        assert!(!report.passed(), "dropping {name} went unnoticed");
        assert!(
            report.failures().iter().any(|m| m.contains(&name)
                || (name.starts_with("consistency/") && m.starts_with("known checkpoint"))),
            "dropping {name}: {:?}",
            report.failures()
        );
    }
}

#[test]
fn reordered_entries_break_the_chain() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    let (a, b) = (bundle.entries[1].clone(), bundle.entries[2].clone());
    bundle.entries[1] = BundleEntry {
        session_seq: 1,
        ..b
    };
    bundle.entries[2] = BundleEntry {
        session_seq: 2,
        ..a
    };
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key(&f), None);
    assert!(
        failed_checks(&report).contains(&"chain"),
        "{:?}",
        report.failures()
    );
}

#[test]
fn archive_members_out_of_order_are_not_canonical() {
    let f = fixture();
    let mut members = read_archive(&f.bundle.to_archive().expect("archive")).expect("read");
    members.swap(0, 1);
    let report = verify_bundle(&write_archive(&members).expect("write"), &key(&f), None);
    assert_eq!(failed_checks(&report), ["archive"]);
}

#[test]
fn another_sessions_payload_is_caught() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    bundle.entries[2].payload = f.other_session[2].1.clone();
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key(&f), None);
    // Its hash is wrong, and it was sealed for another session, so it does not open.
    assert_eq!(
        failed_checks(&report),
        ["payloads", "sealed payloads"],
        "{:?}",
        report.failures()
    );
    assert!(report.failures()[0].contains("batch 1 (entry 2)"));
}

#[test]
fn another_sessions_entry_is_caught() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    bundle.entries[2].entry_bytes = f.other_session[2].0.clone();
    bundle.entries[2].payload = f.other_session[2].1.clone();
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key(&f), None);
    assert!(
        failed_checks(&report).contains(&"chain"),
        "{:?}",
        report.failures()
    );
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused_even_if_it_is_consistent() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    let impostor = LogSigner::from_seed(ORIGIN, [8; 32]).expect("key");
    bundle.checkpoint_note = impostor.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size: f.log.tree.size(),
        root: f.log.tree.root(),
        extensions: vec![Checkpoint::timestamp_line(1_700_000_100_000)],
    });
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key(&f), None);
    assert_eq!(
        failed_checks(&report),
        ["checkpoint", "inclusion", "consistency proofs"],
        "{:?}",
        report.failures()
    );
    // The impostor's own key would accept it: the pin is what refuses it.
    assert!(
        verify_bundle(
            &bundle.to_archive().expect("archive"),
            &impostor.verifier(),
            None
        )
        .passed()
    );
}

#[test]
fn a_bundle_without_its_export_entry_fails() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    bundle.entries.pop();
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key(&f), None);
    assert_eq!(failed_checks(&report), ["export entry"]);
}

#[test]
fn consistency_with_a_known_checkpoint() {
    let f = fixture();
    let key = key(&f);
    let archive = f.bundle.to_archive().expect("archive");
    let consistency = |report: &BundleReport| report.checks.last().map(|c| c.outcome.clone());

    // Same tree: passes without a proof.
    let same = verify_bundle(&archive, &key, Some(&f.bundle.checkpoint_note));
    assert!(same.passed(), "{:?}", same.failures());

    // An earlier size the bundle has no proof for.
    let other = sign(&f.log, 3);
    let report = verify_bundle(&archive, &key, Some(&other));
    assert!(
        matches!(consistency(&report), Some(Outcome::Fail(m)) if m[0].contains("known_size=3"))
    );

    // A fork: the same size with another root, properly signed.
    let forked = f.log.signer.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size: 12,
        root: sha256(b"another history"),
        extensions: Vec::new(),
    });
    let report = verify_bundle(&archive, &key, Some(&forked));
    assert!(
        matches!(consistency(&report), Some(Outcome::Fail(m)) if m[0].contains("consistency/")),
        "{:?}",
        report.failures()
    );

    // A known checkpoint from another key proves nothing.
    let impostor = LogSigner::from_seed(ORIGIN, [8; 32]).expect("key");
    let foreign = impostor.sign(&Checkpoint {
        origin: ORIGIN.into(),
        size: 12,
        root: f.log.tree.root_at(12).expect("root"),
        extensions: Vec::new(),
    });
    assert!(!verify_bundle(&archive, &key, Some(&foreign)).passed());
}

#[test]
fn a_closed_session_may_not_record_after_its_close() {
    let mut log = Log {
        signer: LogSigner::from_seed(ORIGIN, [7; 32]).expect("key"),
        tree: MemoryTree::new(),
    };
    let kinds = [
        (EntryKind::SessionOpened, None),
        (EntryKind::BatchReceived, Some(0)),
        (EntryKind::SessionClosed, None),
        (EntryKind::BatchReceived, Some(1)),
        (EntryKind::EvidenceExported, None),
    ];
    let chain = record(&mut log, session_a(), &kinds);
    let size = log.tree.size();
    let bundle = Bundle {
        entries: proven(&log, chain, size),
        ..session_a_bundle(&log, size)
    };
    let report = verify_bundle(
        &bundle.to_archive().expect("archive"),
        &log.signer.verifier(),
        None,
    );
    assert_eq!(failed_checks(&report), ["session close"]);
}

#[test]
fn garbage_fails_cleanly() {
    let f = fixture();
    for bytes in [Vec::new(), b"not a bundle".to_vec(), vec![0u8; 4096]] {
        let report = verify_bundle(&bytes, &key(&f), None);
        assert!(!report.passed());
    }
}

/// The checked-in bundle, its log key and an earlier checkpoint: a known-good
/// bundle that other tools (and `affidavit verify` in the server's tests) can
/// check, and a guard against changing the format by accident. Regenerate with
/// `AFFIDAVIT_WRITE_FIXTURES=1 cargo test -p ledger bundle::tests::fixture`.
#[test]
fn fixture_files_are_current_and_verify() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bundle");
    let f = fixture();
    let files = [
        ("good.affidavit", f.bundle.to_archive().expect("archive")),
        ("log.vkey", format!("{}\n", key(&f).to_vkey()).into_bytes()),
        ("earlier-checkpoint", f.earlier_note.clone().into_bytes()),
    ];
    if std::env::var_os("AFFIDAVIT_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).expect("fixture dir");
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes).expect("write fixture");
        }
    }
    for (name, bytes) in &files {
        let stored = std::fs::read(dir.join(name)).expect("fixture present");
        assert!(
            stored == *bytes,
            "{name} differs from what this code writes: the bundle format changed"
        );
    }
    let stored = std::fs::read(dir.join("good.affidavit")).expect("fixture");
    let report = verify_bundle(&stored, &key(&f), Some(&f.earlier_note));
    assert!(report.passed(), "{:?}", report.failures());
}

#[test]
fn an_erased_session_still_verifies_but_cannot_be_replayed() {
    let mut log = Log {
        signer: LogSigner::from_seed(ORIGIN, [7; 32]).expect("key"),
        tree: MemoryTree::new(),
    };
    let kinds = [
        (EntryKind::SessionOpened, None),
        (EntryKind::BatchReceived, Some(0)),
        (EntryKind::SessionErased, None),
        (EntryKind::EvidenceExported, None),
    ];
    let chain = record(&mut log, session_a(), &kinds);
    let size = log.tree.size();
    let mut bundle = Bundle {
        entries: proven(&log, chain, size),
        data_key: None,
        ..session_a_bundle(&log, size)
    };
    let key = log.signer.verifier();
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key, None);
    assert!(report.passed(), "{:?}", report.failures());
    let sealed = report
        .checks
        .iter()
        .find(|c| c.name == "sealed payloads")
        .expect("check");
    assert!(matches!(&sealed.outcome, Outcome::Info(m) if m.starts_with("erased at")));
    let manifest = Manifest::of(&bundle).expect("manifest");
    assert_eq!(manifest.payloads, "erased");

    // A key smuggled back into an erased session's bundle is a contradiction.
    bundle.data_key = Some(DATA_KEY);
    let report = verify_bundle(&bundle.to_archive().expect("archive"), &key, None);
    assert_eq!(failed_checks(&report), ["sealed payloads"]);
}

#[test]
fn replay_batches_are_the_recorders_bytes() {
    let f = fixture();
    let batches = f.bundle.replay_batches().expect("open");
    assert_eq!(batches.len(), 3);
    assert_eq!(
        batches[0].1,
        format!("{} payload 1", session_a()).into_bytes()
    );
    let mut wrong = f.bundle.clone();
    wrong.data_key = Some([6; 32]);
    assert_eq!(
        wrong.replay_batches().map(|_| ()),
        Err((0, crate::sealed::SealError::DoesNotOpen))
    );
}
