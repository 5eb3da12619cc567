//! An in-memory Merkle tree for fsck and evidence bundles.
//!
//! It stores exactly what the server's database stores (every completed
//! perfect node) and answers roots and proofs through the same `proof`
//! functions with a lookup closure, so there is one implementation of the
//! proof logic and this type exercises it the way storage does.

use crate::hash::Hash;
use crate::proof::{self, ProofError};
use crate::tree::{Frontier, NodeId};

/// A growing tree holding every perfect node: `levels[l][i]` is node `(l, i)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash and records every node it completes.
    pub fn push(&mut self, leaf: Hash) {
        for (node, hash) in self.frontier.append(leaf) {
            let level = usize::from(node.level);
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            // Nodes complete in index order within a level, so this is a push.
            self.levels[level].push(hash);
        }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The right edge of the whole tree (what the integrator keeps).
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// The stored hash of a perfect node, if that node is complete.
    pub fn node(&self, node: NodeId) -> Option<Hash> {
        let index = usize::try_from(node.index).ok()?;
        self.levels
            .get(usize::from(node.level))?
            .get(index)
            .copied()
    }

    /// Root of the tree's first `size` leaves. Requires `size <= self.size()`.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.within(size)?;
        proof::tree_root(size, |n| self.node(n))
    }

    /// Inclusion proof of leaf `index` in the first `size` leaves.
    ///
    /// Requires `index < size <= self.size()`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.within(size)?;
        proof::inclusion_proof(index, size, |n| self.node(n))
    }

    /// Consistency proof between the first `size1` and first `size2` leaves.
    ///
    /// Requires `size1 <= size2 <= self.size()`.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, ProofError> {
        self.within(size2)?;
        proof::consistency_proof(size1, size2, |n| self.node(n))
    }

    fn within(&self, requested: u64) -> Result<(), ProofError> {
        if requested > self.size() {
            return Err(ProofError::BeyondTree {
                requested,
                tree_size: self.size(),
            });
        }
        Ok(())
    }
}

impl Extend<Hash> for MemoryTree {
    fn extend<I: IntoIterator<Item = Hash>>(&mut self, leaves: I) {
        leaves.into_iter().for_each(|leaf| self.push(leaf));
    }
}

impl FromIterator<Hash> for MemoryTree {
    fn from_iter<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut tree = MemoryTree::new();
        tree.extend(leaves);
        tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{empty_root, leaf_hash};
    use crate::proof::{verify_consistency, verify_inclusion};

    fn tree(size: u64) -> MemoryTree {
        (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn roots_of_prefixes_match_growing_trees() {
        let big = tree(40);
        for size in 0..=40 {
            assert_eq!(big.root_at(size), Ok(tree(size).root()), "size {size}");
        }
        assert_eq!(tree(0).root(), empty_root());
    }

    #[test]
    fn refuses_sizes_beyond_the_tree() {
        let t = tree(5);
        let beyond = ProofError::BeyondTree {
            requested: 6,
            tree_size: 5,
        };
        assert_eq!(t.root_at(6), Err(beyond.clone()));
        assert_eq!(t.inclusion_proof(0, 6), Err(beyond.clone()));
        assert_eq!(t.consistency_proof(1, 6), Err(beyond));
        assert_eq!(
            t.inclusion_proof(5, 5),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
    }

    #[test]
    fn proofs_from_the_tree_verify() {
        let t = tree(21);
        for size in 1..=21 {
            let root = t.root_at(size).expect("root");
            for index in 0..size {
                let proof = t.inclusion_proof(index, size).expect("proof");
                let leaf = leaf_hash(&index.to_be_bytes());
                assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
            }
            for size1 in 0..=size {
                let proof = t.consistency_proof(size1, size).expect("proof");
                let root1 = t.root_at(size1).expect("root");
                assert_eq!(
                    verify_consistency(size1, size, &proof, &root1, &root),
                    Ok(())
                );
            }
        }
    }
}
