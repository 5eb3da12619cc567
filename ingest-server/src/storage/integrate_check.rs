//! The checks both stores run around an integration step, before writing anything.
//!
//! The planner is pure code we trust, but a step writes rows that can never be
//! changed again, so the store refuses a plan that does not describe exactly the
//! pending entries at exactly the next indices, and refuses to extend a tree whose
//! stored right edge is incomplete.

use std::collections::HashMap;

use ledger::Hash;
use ledger::tree::{Frontier, NodeId};

use super::types::{IntegrationPlan, PendingEntry, StorageError};

/// The tree size from the leaves table, cross-checked with the latest checkpoint.
///
/// Both are written in the same transaction by every step, so they must agree.
/// (A full `count(*)` would also catch a hole in `tree_leaves`, but it costs a scan
/// of the whole log on every step; holes are `fsck`'s job, which reads every leaf.)
pub(crate) fn tree_size(
    max_index: Option<u64>,
    checkpoint_size: Option<u64>,
) -> Result<u64, StorageError> {
    let size = match max_index {
        None => 0,
        Some(max) => max
            .checked_add(1)
            .ok_or_else(|| StorageError::Integrity("tree_leaves log_index overflows".into()))?,
    };
    if size != checkpoint_size.unwrap_or(0) {
        return Err(StorageError::Integrity(format!(
            "tree_leaves holds {size} leaves but the latest checkpoint is for {} leaves",
            checkpoint_size.unwrap_or(0)
        )));
    }
    Ok(size)
}

/// Rebuilds the right edge of a tree of `size` leaves from its stored nodes.
pub(crate) fn frontier(
    size: u64,
    stored: &HashMap<NodeId, Hash>,
) -> Result<Frontier, StorageError> {
    let hashes = Frontier::nodes_for(size)
        .into_iter()
        .map(|id| {
            stored.get(&id).copied().ok_or_else(|| {
                StorageError::Integrity(format!(
                    "tree node level {} index {} of the tree's right edge is missing",
                    id.level, id.index
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Frontier::from_hashes(size, hashes).map_err(|e| StorageError::Integrity(e.to_string()))
}

/// Refuses a plan that is not "these pending entries, in queue order, densely
/// after `size` — except those it rejects, which it must name".
pub(crate) fn check_plan(
    size: u64,
    pending: &[PendingEntry],
    plan: &IntegrationPlan,
) -> Result<(), StorageError> {
    let bad = |why: String| {
        Err(StorageError::Integrity(format!(
            "integration plan rejected: {why}"
        )))
    };
    let (mut leaves, mut rejected) = (
        plan.leaves.iter().peekable(),
        plan.rejected.iter().peekable(),
    );
    let mut next_index = size;
    for queued in pending {
        match (leaves.peek(), rejected.peek()) {
            (Some((index, entry)), _) if entry == queued => {
                if *index != next_index {
                    return bad(format!("leaf {index} should be at index {next_index}"));
                }
                next_index += 1;
                leaves.next();
            }
            (_, Some(entry)) if *entry == queued => {
                rejected.next();
            }
            _ => {
                return bad(format!(
                    "pending entry {} of session {} is neither the next leaf nor rejected",
                    queued.session_seq, queued.session
                ));
            }
        }
    }
    if leaves.next().is_some() || rejected.next().is_some() {
        return bad("the plan names entries that are not pending".into());
    }
    let new_size = next_index;
    match &plan.checkpoint {
        Some(cp) if cp.size != new_size => {
            return bad(format!(
                "checkpoint size {} for a tree of {new_size}",
                cp.size
            ));
        }
        Some(_) if new_size == size => {
            return bad("a checkpoint for a tree that did not grow".into());
        }
        None if new_size != size => return bad("the tree grew without a checkpoint".into()),
        _ => {}
    }
    if let Some((id, _)) = plan
        .nodes
        .iter()
        .find(|(id, _)| id.end() > new_size || id.end() <= size)
    {
        return bad(format!(
            "node level {} index {} is not completed by this step",
            id.level, id.index
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::types::StoredCheckpoint;
    use uuid::Uuid;

    fn pending(from: u64, n: u64) -> Vec<PendingEntry> {
        (from..from + n)
            .map(|i| PendingEntry {
                session: Uuid::from_u128(1),
                session_seq: i,
                leaf_hash: ledger::leaf_hash(&i.to_be_bytes()),
                seal: vec![1; 32],
            })
            .collect()
    }

    /// The plan an honest planner makes for `pending` on top of `frontier`.
    fn honest_plan(mut frontier: Frontier, pending: &[PendingEntry]) -> IntegrationPlan {
        let start = frontier.size();
        let leaves = (start..).zip(pending.iter().cloned()).collect();
        let nodes = pending
            .iter()
            .flat_map(|p| frontier.append(p.leaf_hash))
            .collect();
        let checkpoint = StoredCheckpoint {
            size: frontier.size(),
            root: frontier.root(),
            note: String::new(),
            created_at_ms: 0,
        };
        IntegrationPlan {
            leaves,
            nodes,
            rejected: Vec::new(),
            checkpoint: Some(checkpoint),
            now_ms: 0,
        }
    }

    #[test]
    fn size_comes_from_the_leaves_and_must_match_the_checkpoint() {
        assert_eq!(tree_size(None, None).ok(), Some(0));
        assert_eq!(tree_size(Some(4), Some(5)).ok(), Some(5));
        assert!(matches!(
            tree_size(Some(4), Some(3)),
            Err(StorageError::Integrity(_))
        ));
        assert!(matches!(
            tree_size(None, Some(1)),
            Err(StorageError::Integrity(_))
        ));
    }

    #[test]
    fn frontier_needs_every_right_edge_node() {
        let first = honest_plan(Frontier::new(), &pending(0, 6));
        let stored: HashMap<NodeId, Hash> = first.nodes.iter().copied().collect();
        let rebuilt = frontier(6, &stored).expect("complete right edge");
        assert_eq!(Some(rebuilt.root()), first.checkpoint.map(|c| c.root));

        let mut damaged = stored.clone();
        damaged.remove(&NodeId::new(1, 2));
        assert!(matches!(
            frontier(6, &damaged),
            Err(StorageError::Integrity(_))
        ));
    }

    #[test]
    fn only_the_honest_plan_is_accepted() {
        let queued = pending(0, 5);
        let plan = honest_plan(Frontier::new(), &queued);
        assert!(check_plan(0, &queued, &plan).is_ok());

        let mut skipped = plan.clone();
        skipped.leaves[2].0 = 7;
        let mut reordered = plan.clone();
        reordered.leaves.swap(0, 1);
        let mut short = plan.clone();
        short.leaves.pop();
        let mut wrong_size = plan.clone();
        if let Some(cp) = wrong_size.checkpoint.as_mut() {
            cp.size = 4;
        }
        let mut unsigned = plan.clone();
        unsigned.checkpoint = None;
        let mut smuggled = plan.clone();
        smuggled.rejected.push(pending(9, 1).remove(0));
        let mut stale_node = plan.clone();
        stale_node.nodes.push((NodeId::new(0, 9), Hash::default()));
        for bad in [
            skipped, reordered, short, wrong_size, stale_node, unsigned, smuggled,
        ] {
            assert!(
                matches!(
                    check_plan(0, &queued, &bad),
                    Err(StorageError::Integrity(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rejected_entries_are_skipped_in_order_and_an_all_rejected_step_signs_nothing() {
        let queued = pending(0, 4);
        let kept = [queued[0].clone(), queued[2].clone(), queued[3].clone()];
        let mut plan = honest_plan(Frontier::new(), &kept);
        plan.rejected = vec![queued[1].clone()];
        assert!(check_plan(0, &queued, &plan).is_ok());

        let all_rejected = IntegrationPlan {
            leaves: Vec::new(),
            nodes: Vec::new(),
            rejected: queued.clone(),
            checkpoint: None,
            now_ms: 0,
        };
        assert!(check_plan(3, &queued, &all_rejected).is_ok());
        let mut signed_anyway = all_rejected.clone();
        signed_anyway.checkpoint = honest_plan(Frontier::new(), &kept).checkpoint;
        assert!(check_plan(3, &queued, &signed_anyway).is_err());
    }
}
