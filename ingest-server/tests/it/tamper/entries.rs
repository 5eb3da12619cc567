//! The untampered log, and edits to one stored byte or column.

use uuid::Uuid;

use super::{At, ENTRIES, Log, SESSIONS, expect_finding, show};
use crate::support::Backend;

/// Flips one bit in the middle of the stored payload of entry `seq` of `session`.
pub async fn flip_payload_byte(log: &Log, session: Uuid, seq: u64) {
    let mut payload = log
        .entry(session, seq)
        .await
        .payload
        .expect("stored payload");
    let middle = payload.len() / 2;
    payload[middle] ^= 0x01;
    let t = log.tamper().await;
    let set = format!("bytes = {}", t.bytes(&payload));
    t.update("payloads", &set, session, seq).await;
}

crate::both_backends!(the_untampered_log_verifies);
async fn the_untampered_log_verifies(backend: Backend) {
    let log = Log::arranged(backend).await;

    let report = log.fsck().await;

    assert!(report.ok(), "fsck found:\n{}", show(&report));
    assert_eq!(
        (
            report.sessions,
            report.entries,
            report.tree_size,
            report.pending
        ),
        (SESSIONS as u64, ENTRIES, ENTRIES, 0)
    );
    assert_eq!(report.payload_bytes, log.payload_bytes);
    assert_eq!(report.latest_checkpoint, Some(ENTRIES));
    assert_eq!(report.published, Some(ENTRIES));
    assert!(report.checkpoints >= 1);
}

crate::both_backends!(one_changed_payload_byte_is_named);
async fn one_changed_payload_byte_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[1], 2);
    flip_payload_byte(&log, session, seq).await;

    let report = log.fsck().await;

    expect_finding(
        &report,
        "payload",
        At::entry(session, seq),
        "payload hashes to",
    );
    assert_eq!(report.findings.len(), 1, "fsck found:\n{}", show(&report));
}

crate::both_backends!(a_changed_metadata_column_is_named);
async fn a_changed_metadata_column_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[0], 3);
    let t = log.tamper().await;
    t.update(
        "entries",
        "received_at_ms = received_at_ms - 3600000",
        session,
        seq,
    )
    .await;

    let report = log.fsck().await;

    expect_finding(
        &report,
        "entry",
        At::entry(session, seq),
        "stored columns disagree with the entry bytes: received_at_ms",
    );
    assert_eq!(report.findings.len(), 1, "fsck found:\n{}", show(&report));
}

crate::both_backends!(a_changed_kind_column_is_named);
async fn a_changed_kind_column_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[2], 1);
    let t = log.tamper().await;
    // Passing a batch off as some other kind of entry, in the indexed column only.
    t.update("entries", "kind = kind + 1", session, seq).await;

    let report = log.fsck().await;

    expect_finding(&report, "entry", At::entry(session, seq), "kind");
    assert_eq!(report.findings.len(), 1, "fsck found:\n{}", show(&report));
}
