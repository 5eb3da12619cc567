//! The pure half of an integration step: which leaves, nodes and checkpoint to write.

use ledger::checkpoint::{Checkpoint, LogSigner};
use ledger::tree::Frontier;

use crate::seal::EntrySeal;
use crate::storage::{
    IntegrationPlan, IntegrationPlanner, PendingEntry, StorageError, StoredCheckpoint,
};

/// Plans a step: refuses pending entries that do not carry this server's seal,
/// assigns the others log indices densely after the current size in queue order,
/// collects every node they complete, and signs the new root.
#[derive(Debug)]
pub struct CheckpointPlanner<'a> {
    pub origin: &'a str,
    pub signer: &'a LogSigner,
    pub seal: &'a EntrySeal,
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
        let mut rejected = Vec::new();
        for entry in pending {
            if !self.seal.verify(&entry.leaf_hash, &entry.seal) {
                rejected.push(entry.clone());
                continue;
            }
            leaves.push((frontier.size(), entry.clone()));
            nodes.extend(frontier.append(entry.leaf_hash));
        }
        let checkpoint = (frontier.size() > start).then(|| {
            let checkpoint = Checkpoint {
                origin: self.origin.to_owned(),
                size: frontier.size(),
                root: frontier.root(),
                // Signed, so a verifier can say when the log vouched for this tree.
                extensions: vec![Checkpoint::timestamp_line(self.now_ms)],
            };
            StoredCheckpoint {
                size: checkpoint.size,
                root: checkpoint.root,
                note: self.signer.sign(&checkpoint),
                created_at_ms: self.now_ms,
            }
        });
        Ok(IntegrationPlan {
            leaves,
            nodes,
            rejected,
            checkpoint,
            now_ms: self.now_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::memtree::MemoryTree;
    use ledger::{Hash, leaf_hash};
    use uuid::Uuid;

    const ORIGIN: &str = "affidavit.test/log";

    fn keys() -> (LogSigner, EntrySeal) {
        let signer = LogSigner::from_seed(ORIGIN, [7; 32]).expect("key");
        let seal = EntrySeal::from_signer(&signer);
        (signer, seal)
    }

    fn pending(seal: &EntrySeal, from: u64, n: u64) -> Vec<PendingEntry> {
        (from..from + n)
            .map(|i| {
                let leaf = leaf_hash(&i.to_be_bytes());
                PendingEntry {
                    session: Uuid::from_u128(1),
                    session_seq: i,
                    leaf_hash: leaf,
                    seal: seal.seal(&leaf).to_vec(),
                }
            })
            .collect()
    }

    #[test]
    fn plans_dense_indices_all_nodes_and_a_signed_root() {
        let (signer, seal) = keys();
        let planner = CheckpointPlanner {
            origin: ORIGIN,
            signer: &signer,
            seal: &seal,
            now_ms: 5,
        };
        let first = planner
            .plan(Frontier::new(), &pending(&seal, 0, 5))
            .expect("plans");
        let mut frontier = Frontier::new();
        for (_, p) in &first.leaves {
            frontier.append(p.leaf_hash);
        }
        let second = planner
            .plan(frontier, &pending(&seal, 5, 3))
            .expect("plans");

        let indices: Vec<u64> = second.leaves.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, vec![5, 6, 7]);
        let reference: MemoryTree = pending(&seal, 0, 8).iter().map(|p| p.leaf_hash).collect();
        let checkpoint = second.checkpoint.expect("the tree grew");
        assert_eq!((checkpoint.size, checkpoint.root), (8, reference.root()));
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
            .verify(&checkpoint.note)
            .expect("signature verifies");
        assert_eq!((verified.size, verified.root), (8, reference.root()));
    }

    #[test]
    fn entries_without_this_servers_seal_are_rejected_not_signed() {
        let (signer, seal) = keys();
        let (_, stranger) = {
            let other = LogSigner::from_seed(ORIGIN, [8; 32]).expect("key");
            let s = EntrySeal::from_signer(&other);
            (other, s)
        };
        let mut queue = pending(&seal, 0, 4);
        queue[1].seal = stranger.seal(&queue[1].leaf_hash).to_vec();
        queue[3].seal.clear();
        let planner = CheckpointPlanner {
            origin: ORIGIN,
            signer: &signer,
            seal: &seal,
            now_ms: 5,
        };

        let plan = planner.plan(Frontier::new(), &queue).expect("plans");

        assert_eq!(plan.rejected, vec![queue[1].clone(), queue[3].clone()]);
        let kept: Vec<(u64, u64)> = plan
            .leaves
            .iter()
            .map(|(i, p)| (*i, p.session_seq))
            .collect();
        assert_eq!(kept, vec![(0, 0), (1, 2)]);
        assert_eq!(plan.checkpoint.map(|c| c.size), Some(2));

        let nothing_valid = planner.plan(Frontier::new(), &queue[3..]).expect("plans");
        assert!(
            nothing_valid.checkpoint.is_none(),
            "no checkpoint when nothing was integrated"
        );
    }
}
