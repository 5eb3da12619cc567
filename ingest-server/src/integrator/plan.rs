//! The pure half of an integration step: which leaves, nodes and checkpoint to write.

use ledger::checkpoint::{Checkpoint, LogSigner};
use ledger::tree::Frontier;

use crate::storage::{
    IntegrationPlan, IntegrationPlanner, PendingEntry, StorageError, StoredCheckpoint,
};

/// Plans a step: assigns log indices densely after the current size in queue
/// order, collects every node the new leaves complete, and signs the new root.
#[derive(Debug)]
pub struct CheckpointPlanner<'a> {
    pub origin: &'a str,
    pub signer: &'a LogSigner,
    pub now_ms: i64,
}

impl IntegrationPlanner for CheckpointPlanner<'_> {
    fn plan(
        &self,
        mut frontier: Frontier,
        pending: &[PendingEntry],
    ) -> Result<IntegrationPlan, StorageError> {
        let start = frontier.size();
        let mut leaves = Vec::with_capacity(pending.len());
        let mut nodes = Vec::with_capacity(pending.len() * 2);
        for (offset, entry) in pending.iter().enumerate() {
            leaves.push((start + offset as u64, entry.clone()));
            nodes.extend(frontier.append(entry.leaf_hash));
        }
        let checkpoint = Checkpoint {
            origin: self.origin.to_owned(),
            size: frontier.size(),
            root: frontier.root(),
            extensions: Vec::new(),
        };
        Ok(IntegrationPlan {
            leaves,
            nodes,
            checkpoint: StoredCheckpoint {
                size: checkpoint.size,
                root: checkpoint.root,
                note: self.signer.sign(&checkpoint),
                created_at_ms: self.now_ms,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::memtree::MemoryTree;
    use ledger::{Hash, leaf_hash};
    use uuid::Uuid;

    fn pending(n: u64) -> Vec<PendingEntry> {
        (0..n)
            .map(|i| PendingEntry {
                session: Uuid::from_u128(1),
                session_seq: i,
                leaf_hash: leaf_hash(&i.to_be_bytes()),
            })
            .collect()
    }

    #[test]
    fn plans_dense_indices_all_nodes_and_a_signed_root() {
        let signer = LogSigner::from_seed("affidavit.test/log", [7; 32]).expect("key");
        let planner = CheckpointPlanner {
            origin: "affidavit.test/log",
            signer: &signer,
            now_ms: 5,
        };
        let first = planner.plan(Frontier::new(), &pending(5)).expect("plans");
        let mut frontier = Frontier::new();
        for (_, p) in &first.leaves {
            frontier.append(p.leaf_hash);
        }
        let second = planner.plan(frontier, &pending(3)).expect("plans");

        let indices: Vec<u64> = second.leaves.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, vec![5, 6, 7]);

        let mut reference = MemoryTree::new();
        for p in pending(5).iter().chain(&pending(3)) {
            reference.push(p.leaf_hash);
        }
        assert_eq!(second.checkpoint.size, 8);
        assert_eq!(second.checkpoint.root, reference.root());
        // Size 8 completes the perfect root node at level 3.
        let top: Vec<Hash> = second
            .nodes
            .iter()
            .filter(|(id, _)| id.level == 3)
            .map(|(_, h)| *h)
            .collect();
        assert_eq!(top, vec![reference.root()]);

        let verified = signer
            .verifier()
            .verify(&second.checkpoint.note)
            .expect("signature verifies");
        assert_eq!((verified.size, verified.root), (8, reference.root()));
    }
}
