//! Forgeries: an entry the server never accepted, and a checkpoint the log key
//! never signed.

use ledger::checkpoint::LogSigner;
use ledger::{Entry, EntryKind};

use super::sql::text;
use super::{At, BATCHES, ENTRIES, Log, expect_finding, show};
use crate::api::batches;
use crate::api::harness::{ORIGIN, PROJECT};
use crate::api::pinned_key;
use crate::support::Backend;

crate::both_backends!(a_forged_entry_appended_to_a_session_is_named);
async fn a_forged_entry_appended_to_a_session_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let session = log.sessions[1];
    // Built exactly as the server would build the next batch's entry: chained to
    // the session's last entry, bound to the log, project and session.
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
    let t = log.tamper().await;
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

    let report = log.fsck().await;

    expect_finding(
        &report,
        "tree",
        At::entry(session, forged.session_seq),
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
