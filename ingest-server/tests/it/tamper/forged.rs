//! Forgeries: an entry the server never accepted, and a checkpoint the log key
//! never signed.

use ledger::checkpoint::LogSigner;
use ledger::{Entry, EntryKind};
use uuid::Uuid;

use super::sql::{Tamper, text};
use super::{At, BATCHES, ENTRIES, Log, expect_finding, show};
use crate::api::batches;
use crate::api::harness::{ORIGIN, PROJECT, start};
use crate::api::pinned_key;
use crate::support::Backend;

/// Inserts an entry built exactly as the server would build the next batch's entry
/// of `session` (chained to its last entry, bound to log, project and session),
/// with its payload, around the server. Returns its leaf hash and session seq.
async fn insert_forged_entry(log: &Log, t: &Tamper, session: Uuid) -> (ledger::Hash, u64) {
    let last = log.entry(session, BATCHES).await;
    let previous = Entry::decode(&last.entry_bytes).expect("stored entry decodes");
    let payload = batches::encoded(PROJECT, session, BATCHES, 9);
    let (payload_len, payload_hash) = Entry::payload_fields(&payload);
    let forged = Entry {
        kind: EntryKind::BatchReceived,
        origin: ORIGIN.into(),
        project: PROJECT.into(),
        session,
        session_seq: BATCHES + 1,
        prev_hash: ledger::leaf_hash(&last.entry_bytes),
        received_at_ms: previous.received_at_ms + 1_000,
        actor: previous.actor,
        payload_len,
        payload_hash,
        batch_seq: Some(BATCHES),
    };
    let bytes = forged.encode().expect("entry encodes");
    t.run(&format!(
        "INSERT INTO entries (session_id, session_seq, project, kind, batch_seq, received_at_ms, entry_bytes, leaf_hash) \
         VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        t.session(session),
        forged.session_seq,
        text(PROJECT),
        forged.kind as u8,
        BATCHES,
        forged.received_at_ms,
        t.bytes(&bytes),
        t.bytes(&ledger::leaf_hash(&bytes).0),
    ))
    .await;
    t.run(&format!(
        "INSERT INTO payloads (session_id, session_seq, bytes) VALUES ({}, {}, {})",
        t.session(session),
        forged.session_seq,
        t.bytes(&payload)
    ))
    .await;
    (ledger::leaf_hash(&bytes), forged.session_seq)
}

crate::both_backends!(a_forged_entry_appended_to_a_session_is_named);
async fn a_forged_entry_appended_to_a_session_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let session = log.sessions[1];
    let (_, seq) = insert_forged_entry(&log, &log.tamper().await, session).await;

    let report = log.fsck().await;

    expect_finding(
        &report,
        "tree",
        At::entry(session, seq),
        "neither in the tree nor queued",
    );
    expect_finding(
        &report,
        "session",
        At::session(session),
        "does not match its chain",
    );
    assert_eq!(report.findings.len(), 2, "fsck found:\n{}", show(&report));
}

crate::both_backends!(a_forged_entry_queued_for_signing_is_refused_and_named);
async fn a_forged_entry_queued_for_signing_is_refused_and_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let session = log.sessions[2];
    let t = log.tamper().await;
    let (leaf, seq) = insert_forged_entry(&log, &t, session).await;
    // Queued like a real entry; the forger cannot make the server's seal.
    t.run(&format!(
        "INSERT INTO integration_queue (session_id, session_seq, leaf_hash, seal) VALUES ({}, {seq}, {}, {})",
        t.session(session),
        t.bytes(&leaf.0),
        t.bytes(&[0x5a; 32]),
    ))
    .await;

    let before = log.fsck().await;
    expect_finding(
        &before,
        "queue",
        At::entry(session, seq),
        "no valid seal of this server",
    );

    let Log {
        backend,
        settings,
        store,
        data_dir,
        ..
    } = log;
    let app = start(backend, settings, store, data_dir, false).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.store.pending_count().await.expect("pending") > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the integrator never took the forged entry off the queue"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    let checkpoint = app.checkpoint().await;
    let (settings, store, data_dir) = app.stop().await;

    assert_eq!(checkpoint.size, ENTRIES, "nothing was signed");
    assert!(
        metrics.contains("affidavit_integrator_rejected_entries_total 1"),
        "{metrics}"
    );
    let rejected = store.rejected_entries().await.expect("rejections");
    assert_eq!(
        rejected
            .iter()
            .map(|r| (r.session, r.session_seq))
            .collect::<Vec<_>>(),
        vec![(session, seq)]
    );
    let after = crate::api::fsck(store.as_ref(), &settings, &data_dir).await;
    expect_finding(
        &after,
        "queue",
        At::entry(session, seq),
        "the integrator refused this entry",
    );
    assert!(
        after.failures("tree").is_empty(),
        "accounted for as refused, not orphaned:\n{}",
        show(&after)
    );
}

crate::both_backends!(a_checkpoint_signed_by_another_key_is_reported);
async fn a_checkpoint_signed_by_another_key_is_reported(backend: Backend) {
    let log = Log::arranged(backend).await;
    let genuine = log
        .store
        .latest_checkpoint()
        .await
        .expect("checkpoint")
        .expect("a checkpoint exists");
    let checkpoint = pinned_key(&log.data_dir)
        .verify(&genuine.note)
        .expect("the stored checkpoint is genuine");
    // Same origin, same size and root: only the key differs.
    let impostor = LogSigner::from_seed(ORIGIN, [7; 32]).expect("key");
    let forged = impostor.sign(&checkpoint);
    let t = log.tamper().await;
    let replaced = t
        .run(&format!(
            "UPDATE checkpoints SET note = {} WHERE size = {}",
            text(&forged),
            genuine.size
        ))
        .await;
    assert_eq!(replaced, 1);

    let report = log.fsck().await;

    expect_finding(
        &report,
        "checkpoint",
        At::log(),
        &format!("the checkpoint of size {ENTRIES} does not verify"),
    );
    assert_eq!(report.findings.len(), 1, "fsck found:\n{}", show(&report));
}
