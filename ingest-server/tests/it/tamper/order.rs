//! Rows removed from the middle of a session, or put in another order.

use super::rewrite::changed_range;
use super::{At, Log, expect_finding, failed_checks, show};
use crate::support::Backend;

crate::both_backends!(a_deleted_middle_entry_is_named);
async fn a_deleted_middle_entry_is_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, seq) = (log.sessions[2], 2);
    let index = log.log_index(session, seq).await;
    let t = log.tamper().await;
    t.delete("payloads", session, seq).await;
    t.delete("entries", session, seq).await;

    let report = log.fsck().await;

    expect_finding(
        &report,
        "chain",
        At::entry(session, seq),
        &format!("expects entry {seq} here but finds entry {}", seq + 1),
    );
    expect_finding(
        &report,
        "tree",
        At::leaf(session, seq, index),
        "the leaf names an entry that is missing",
    );
    assert_eq!(report.findings.len(), 2, "fsck found:\n{}", show(&report));
}

crate::both_backends!(two_swapped_entries_of_a_session_are_named);
async fn two_swapped_entries_of_a_session_are_named(backend: Backend) {
    let log = Log::arranged(backend).await;
    let (session, a, b) = (log.sessions[0], 2, 3);
    let (index_a, index_b) = (
        log.log_index(session, a).await,
        log.log_index(session, b).await,
    );
    let t = log.tamper().await;
    // Entry and payload move together, so each payload still matches its entry.
    let scope = format!("session_id = {}", t.session(session));
    for table in ["entries", "payloads"] {
        t.swap(table, "session_seq", &scope, a, b).await;
    }

    let report = log.fsck().await;

    for seq in [a, b] {
        expect_finding(&report, "entry", At::entry(session, seq), "session_seq");
    }
    expect_finding(
        &report,
        "chain",
        At::entry(session, a),
        &format!("expects entry {a} here but finds entry {b}"),
    );
    for (seq, index) in [(a, index_a), (b, index_b)] {
        expect_finding(
            &report,
            "tree",
            At::leaf(session, seq, index),
            "the stored leaf hash differs",
        );
    }
    assert!(
        !failed_checks(&report).contains(&"payload"),
        "fsck found:\n{}",
        show(&report)
    );
}

crate::both_backends!(two_swapped_tree_leaves_are_located_by_log_index);
async fn two_swapped_tree_leaves_are_located_by_log_index(backend: Backend) {
    let log = Log::arranged(backend).await;
    let i = log.log_index(log.sessions[0], 1).await;
    let j = log.log_index(log.sessions[2], 3).await;
    let t = log.tamper().await;
    t.swap("tree_leaves", "log_index", "1 = 1", i, j).await;

    let report = log.fsck().await;

    // Every entry and chain is intact; the tree's order is not.
    assert_eq!(
        failed_checks(&report),
        ["checkpoint", "published", "tree"],
        "fsck found:\n{}",
        show(&report)
    );
    for index in [i, j] {
        expect_finding(
            &report,
            "tree",
            At::index(index),
            &format!("stored tree node (level 0, index {index})"),
        );
    }
    let root = expect_finding(&report, "published", At::log(), "has root");
    let (from, to) = changed_range(&root.message);
    assert!(
        from <= i.min(j) && i.max(j) <= to,
        "{i} and {j} outside {from}..={to}"
    );
}
