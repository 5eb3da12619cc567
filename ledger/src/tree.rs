//! RFC 6962 tree shape: perfect aligned subtrees and the growing right edge.
//!
//! Everything here is about *which* nodes exist, named by [`NodeId`]; hashes
//! are handed in by the caller. A tree of `size` leaves is the left-to-right
//! sequence of maximal perfect subtrees of `[0, size)` (one per set bit of
//! `size`), and its RFC 6962 root is those subtrees' hashes folded right to
//! left. Because perfect subtrees never change once complete, storage can keep
//! each one as an immutable `(level, index, hash)` row and any root or proof
//! becomes a handful of lookups.

use crate::hash::{Hash, empty_root, node_hash};

/// A perfect, aligned subtree: covers leaves [index << level, (index + 1) << level).
///
/// Level 0 is a leaf. Nodes produced by this crate always have `level < 64`
/// and end at or before `u64::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    pub fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// First leaf covered.
    pub fn begin(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf covered.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

/// Why a frontier could not be rebuilt from stored hashes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TreeError {
    #[error("a tree of {size} leaves has {expected} frontier hashes, got {got}")]
    WrongFrontierLength {
        size: u64,
        expected: usize,
        got: usize,
    },
}

/// Decomposition of [begin, end) into maximal aligned perfect subtrees, left to right.
///
/// Returns an empty vector when `begin >= end`. For `[0, size)` the levels are
/// the set bits of `size`, highest first.
pub fn perfect_subtrees(begin: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut at = begin;
    while at < end {
        // The largest subtree starting at `at` is limited both by how `at` is
        // aligned and by how many leaves remain before `end`.
        let aligned = if at == 0 { 63 } else { at.trailing_zeros() };
        let fits = 63 - (end - at).leading_zeros();
        let level = aligned.min(fits);
        out.push(NodeId {
            level: level as u8,
            index: at >> level,
        });
        at += 1u64 << level;
    }
    out
}

/// The RFC 6962 root from the hashes of perfect_subtrees(0, size) (left to right): fold right to left; empty slice -> empty_root().
///
/// The same fold gives MTH of any range `[begin, end)` whose `begin` is a
/// multiple of a power of two `>= end - begin` (such as the ragged right
/// sibling in a proof), from the hashes of `perfect_subtrees(begin, end)`.
pub fn root_from_subtrees(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest
            .iter()
            .rev()
            .fold(*last, |right, left| node_hash(left, &right)),
    }
}

/// The compact right edge of a tree of `size` leaves: hashes of perfect_subtrees(0, size).
///
/// Invariant: `hashes.len() == size.count_ones()`, highest level first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nodes whose hashes a frontier of `size` leaves holds (= perfect_subtrees(0, size)).
    pub fn nodes_for(size: u64) -> Vec<NodeId> {
        perfect_subtrees(0, size)
    }

    /// Rebuilds a frontier from stored hashes of `nodes_for(size)`, in that order.
    pub fn from_hashes(size: u64, hashes: Vec<Hash>) -> Result<Self, TreeError> {
        let expected = size.count_ones() as usize;
        if hashes.len() != expected {
            return Err(TreeError::WrongFrontierLength {
                size,
                expected,
                got: hashes.len(),
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Hashes of `nodes_for(self.size())`, left to right.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends a leaf hash; returns every node completed by it, the leaf (level 0) first, then upward.
    ///
    /// Requires `size() < u64::MAX`. The new leaf completes one node per
    /// trailing one bit of the old size: each merges with its left neighbour.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let position = self.size;
        let merges = position.trailing_ones();
        let mut completed = Vec::with_capacity(merges as usize + 1);
        let mut hash = leaf;
        completed.push((
            NodeId {
                level: 0,
                index: position,
            },
            hash,
        ));
        for level in 1..=merges {
            // The invariant guarantees one stored hash per set bit, so a
            // trailing one always has its left sibling on the stack.
            let Some(left) = self.hashes.pop() else { break };
            hash = node_hash(&left, &hash);
            completed.push((
                NodeId {
                    level: level as u8,
                    index: position >> level,
                },
                hash,
            ));
        }
        self.hashes.push(hash);
        self.size = position + 1;
        completed
    }

    /// The RFC 6962 root of the tree so far.
    pub fn root(&self) -> Hash {
        root_from_subtrees(&self.hashes)
    }
}

#[cfg(test)]
mod tests;
