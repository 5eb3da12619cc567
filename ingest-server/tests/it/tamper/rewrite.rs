//! A consistent rewrite: an entry re-encoded with a changed field, its stored
//! bytes, leaf hash and columns all updated together, so the row agrees with
//! itself. Only the links around it — the next entry's chain link, the tree and
//! the signed roots — can give it away.

use ledger::{Entry, Hash};
use uuid::Uuid;

use super::sql::Tamper;
use super::{At, Log, expect_finding, failed_checks, show};
use crate::support::Backend;

/// Moves entry `seq` of `session` an hour back in time; returns its new leaf hash.
async fn backdate(log: &Log, t: &Tamper, session: Uuid, seq: u64) -> Hash {
    let stored = log.entry(session, seq).await;
    let mut entry = Entry::decode(&stored.entry_bytes).expect("stored entry decodes");
    entry.received_at_ms -= 3_600_000;
    let bytes = entry.encode().expect("entry encodes");
    let leaf = ledger::leaf_hash(&bytes);
    let set = format!(
        "entry_bytes = {}, leaf_hash = {}, received_at_ms = {}",
        t.bytes(&bytes),
        t.bytes(&leaf.0),
        entry.received_at_ms
    );
    t.update("entries", &set, session, seq).await;
    leaf
}

crate::both_backends!(a_consistently_rewritten_entry_is_named);
async fn a_consistently_rewritten_entry_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[1], 2);
    let index = log.log_index(session, seq).await;
    let t = log.tamper().await;
    backdate(&log, &t, session, seq).await;

    let report = log.fsck().await;

    // The row agrees with itself: no column or payload finding …
    assert_eq!(
        failed_checks(&report),
        ["chain", "checkpoint", "published", "tree"],
        "fsck found:\n{}",
        show(&report)
    );
    // … but the tree's leaf for it holds the old hash, and the next entry links
    // to the old bytes.
    expect_finding(
        &report,
        "tree",
        At::leaf(session, seq, index),
        "the stored leaf hash differs from the hash of the entry it names",
    );
    expect_finding(
        &report,
        "chain",
        At::entry(session, seq + 1),
        "does not link to the previous entry",
    );
}

crate::both_backends!(a_rewritten_entry_and_its_leaf_row_are_located_in_the_tree);
async fn a_rewritten_entry_and_its_leaf_row_are_located_in_the_tree(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[0], 3);
    let index = log.log_index(session, seq).await;
    let t = log.tamper().await;
    let leaf = backdate(&log, &t, session, seq).await;
    t.update(
        "tree_leaves",
        &format!("leaf_hash = {}", t.bytes(&leaf.0)),
        session,
        seq,
    )
    .await;

    let report = log.fsck().await;

    // The leaf row now matches the entry; the stored level-0 node at its index
    // and the signed roots do not.
    expect_finding(
        &report,
        "tree",
        At::index(index),
        &format!("stored tree node (level 0, index {index})"),
    );
    expect_finding(
        &report,
        "chain",
        At::entry(session, seq + 1),
        "does not link to the previous entry",
    );
    let root = expect_finding(&report, "published", At::log(), "has root");
    let (from, to) = changed_range(&root.message);
    assert!(
        (from..=to).contains(&index),
        "{index} outside {from}..={to}"
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.message.contains("stored leaf hash differs")),
        "fsck found:\n{}",
        show(&report)
    );
}

/// The log index range a root-mismatch finding blames:
/// "… between log index A and B was changed …".
pub fn changed_range(message: &str) -> (u64, u64) {
    let rest = message
        .split("between log index ")
        .nth(1)
        .unwrap_or_else(|| panic!("no range in {message:?}"));
    let mut numbers = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().expect("number"));
    let from = numbers.next().expect("range start");
    let to = numbers.next().expect("range end");
    (from, to)
}
