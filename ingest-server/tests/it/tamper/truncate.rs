//! The tail of the log cut off: the last leaves, their entries, payloads and
//! tree nodes deleted.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::sql::Tamper;
use super::{At, ENTRIES, Log, expect_finding, failed_checks, show};
use crate::support::Backend;

/// Leaves kept; the last `ENTRIES - KEEP` are cut.
const KEEP: u64 = ENTRIES - 3;

/// Deletes every leaf from `keep` on with its entry, payload and the tree nodes
/// that cover it; returns, per session, the first entry seq that was cut.
async fn cut_tail(log: &Log, t: &Tamper, keep: u64) -> BTreeMap<Uuid, u64> {
    let cut = log.store.leaves(keep, 10_000).await.expect("leaves");
    assert_eq!(cut.len() as u64, ENTRIES - keep);
    let mut first_cut = BTreeMap::new();
    for leaf in &cut {
        t.delete("payloads", leaf.session, leaf.session_seq).await;
        t.delete("entries", leaf.session, leaf.session_seq).await;
        let seq = first_cut.entry(leaf.session).or_insert(leaf.session_seq);
        *seq = (*seq).min(leaf.session_seq);
    }
    t.run(&format!(
        "DELETE FROM tree_leaves WHERE log_index >= {keep}"
    ))
    .await;
    // Node (level, idx) covers leaves [idx << level, (idx + 1) << level).
    let covers_cut: Vec<String> = (0..8)
        .map(|level| format!("(level = {level} AND idx >= {})", keep >> level))
        .collect();
    t.run(&format!(
        "DELETE FROM tree_nodes WHERE {}",
        covers_cut.join(" OR ")
    ))
    .await;
    first_cut
}

crate::both_backends!(a_cut_tail_is_reported_by_the_checkpoints_that_cover_it);
async fn a_cut_tail_is_reported_by_the_checkpoints_that_cover_it(backend: Backend) {
    let log = Log::arranged(backend).await;
    let t = log.tamper().await;
    cut_tail(&log, &t, KEEP).await;

    let report = log.fsck().await;

    assert_eq!(report.tree_size, KEEP);
    let says = format!("covers {ENTRIES} entries but the tree holds only {KEEP}");
    expect_finding(&report, "checkpoint", At::index(KEEP), &says);
    expect_finding(&report, "published", At::index(KEEP), &says);
}

crate::both_backends!(a_cut_tail_hidden_in_the_database_is_caught_by_the_published_checkpoint);
async fn a_cut_tail_hidden_in_the_database_is_caught_by_the_published_checkpoint(backend: Backend) {
    let log = Log::arranged(backend).await;
    let t = log.tamper().await;
    let first_cut = cut_tail(&log, &t, KEEP).await;
    // Cover the tracks inside the database: drop the checkpoints that covered
    // the cut entries and move the session heads back.
    t.run(&format!("DELETE FROM checkpoints WHERE size > {KEEP}"))
        .await;
    for (session, next) in first_cut {
        assert!(next > 0, "the cut keeps every session's opening entry");
        let head = log.entry(session, next - 1).await;
        let set = format!(
            "next_entry_seq = {next}, next_batch_seq = {}, head_hash = {}",
            next - 1,
            t.bytes(&ledger::leaf_hash(&head.entry_bytes).0)
        );
        let sql = format!(
            "UPDATE sessions SET {set} WHERE session_id = {}",
            t.session(session)
        );
        assert_eq!(t.run(&sql).await, 1);
    }

    let report = log.fsck().await;

    // Only the copy of the checkpoint kept outside the database still knows.
    assert_eq!(
        failed_checks(&report),
        ["published"],
        "fsck found:\n{}",
        show(&report)
    );
    expect_finding(
        &report,
        "published",
        At::index(KEEP),
        &format!("covers {ENTRIES} entries but the tree holds only {KEEP}"),
    );
}
