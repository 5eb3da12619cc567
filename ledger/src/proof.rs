//! RFC 9162 inclusion and consistency proofs, built from stored perfect nodes.
//!
//! A proof is a list of subtree hashes, each the MTH of a leaf range. The
//! ranges depend only on the sizes and index, so they are computed first
//! ([`inclusion_proof_ranges`], [`consistency_proof_ranges`]) straight from
//! RFC 9162's PATH and SUBPROOF recursions, walked top-down without recursion.
//! Every range is either a perfect subtree or the ragged right edge of the
//! tree; the latter is rebuilt from `perfect_subtrees` of its range. So a
//! store that keeps every completed perfect node answers any proof in one
//! query for the `*_nodes` list, and the same code serves the in-memory tree.
//!
//! Elements come bottom-up, as RFC 9162 and transparency-dev/merkle emit them.

use std::ops::Range;

use crate::hash::Hash;
use crate::tree::{NodeId, perfect_subtrees, root_from_subtrees};

mod verify;

pub use verify::{verify_consistency, verify_inclusion};

/// Why a proof could not be built or did not verify. Each variant carries the
/// values a person needs to see what disagreed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    #[error("calculated root {calculated} does not match the expected root {expected}")]
    RootMismatch { expected: Hash, calculated: Hash },
    /// Consistency only: the proof does not rebuild the older tree's root.
    #[error("calculated old root {calculated} does not match the older tree's root {expected}")]
    OldRootMismatch { expected: Hash, calculated: Hash },
    #[error("proof has {got} hashes, expected {expected}")]
    WrongProofSize { expected: usize, got: usize },
    #[error("leaf index {index} is outside a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree sizes {size1} -> {size2} are not ordered (need size1 <= size2)")]
    InvalidSizes { size1: u64, size2: u64 },
    #[error("tree size {requested} is beyond the tree's {tree_size} leaves")]
    BeyondTree { requested: u64, tree_size: u64 },
    #[error("stored node at level {} index {} is missing", .0.level, .0.index)]
    MissingNode(NodeId),
}

/// The leaf ranges whose MTHs make up the inclusion proof, bottom-up.
///
/// Requires `index < size`.
pub fn inclusion_proof_ranges(index: u64, size: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // PATH(m, D[lo:hi]): split at the largest power of two k < n; the sibling
    // half is the proof element at this depth.
    let (mut lo, mut hi) = (0u64, size);
    let mut ranges = Vec::new();
    while hi - lo > 1 {
        let split = lo + split_point(hi - lo);
        if index < split {
            ranges.push(split..hi);
            hi = split;
        } else {
            ranges.push(lo..split);
            lo = split;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The leaf ranges whose MTHs make up the consistency proof, bottom-up.
///
/// Requires `size1 <= size2`. Empty when `size1 == size2` or `size1 == 0`
/// (RFC 9162 §2.1.4: both are consistent with no proof at all).
pub fn consistency_proof_ranges(size1: u64, size2: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if size1 > size2 {
        return Err(ProofError::InvalidSizes { size1, size2 });
    }
    if size1 == 0 || size1 == size2 {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[lo:hi], b), with `known` playing the role of b: whether
    // the verifier already has MTH(D[lo:size1]) as the old root.
    let (mut lo, mut hi, mut known) = (0u64, size2, true);
    let mut ranges = Vec::new();
    while size1 != hi {
        let split = lo + split_point(hi - lo);
        if size1 <= split {
            ranges.push(split..hi);
            hi = split;
        } else {
            ranges.push(lo..split);
            lo = split;
            known = false;
        }
    }
    if !known {
        ranges.push(lo..hi);
    }
    ranges.reverse();
    Ok(ranges)
}

/// The stored perfect nodes needed to build the proof (so storage can fetch them in one query).
///
/// Requires `index < size`. Ordered as the proof, each element's nodes left to right.
pub fn inclusion_proof_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, ProofError> {
    Ok(nodes_of(&inclusion_proof_ranges(index, size)?))
}

/// The inclusion proof (RFC 9162 §2.1.3.1) for leaf `index` in the tree of `size` leaves.
///
/// Requires `index < size`; `lookup` must answer every node of `inclusion_proof_nodes`.
pub fn inclusion_proof(
    index: u64,
    size: u64,
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Vec<Hash>, ProofError> {
    hashes_of(&inclusion_proof_ranges(index, size)?, &mut lookup)
}

/// The stored perfect nodes needed to build a consistency proof. Requires `size1 <= size2`.
pub fn consistency_proof_nodes(size1: u64, size2: u64) -> Result<Vec<NodeId>, ProofError> {
    Ok(nodes_of(&consistency_proof_ranges(size1, size2)?))
}

/// The consistency proof (RFC 9162 §2.1.4.1) from the tree of `size1` leaves to `size2`.
///
/// Requires `size1 <= size2`; empty when `size1 == size2` or `size1 == 0`.
pub fn consistency_proof(
    size1: u64,
    size2: u64,
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Vec<Hash>, ProofError> {
    hashes_of(&consistency_proof_ranges(size1, size2)?, &mut lookup)
}

/// The RFC 6962 root of the first `size` leaves, from stored perfect nodes.
pub fn tree_root(
    size: u64,
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Hash, ProofError> {
    range_hash(&(0..size), &mut lookup)
}

/// The largest power of two strictly below `n`. Requires `n >= 2`.
fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

fn nodes_of(ranges: &[Range<u64>]) -> Vec<NodeId> {
    ranges
        .iter()
        .flat_map(|r| perfect_subtrees(r.start, r.end))
        .collect()
}

fn hashes_of(
    ranges: &[Range<u64>],
    lookup: &mut impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Vec<Hash>, ProofError> {
    ranges.iter().map(|r| range_hash(r, lookup)).collect()
}

/// MTH of a range that starts on a boundary at least as large as the range,
/// which every proof element and every tree prefix does.
fn range_hash(
    range: &Range<u64>,
    lookup: &mut impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Hash, ProofError> {
    let hashes = perfect_subtrees(range.start, range.end)
        .into_iter()
        .map(|node| lookup(node).ok_or(ProofError::MissingNode(node)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(root_from_subtrees(&hashes))
}

#[cfg(test)]
mod tests;
