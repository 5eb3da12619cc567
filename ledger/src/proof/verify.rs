//! Proof verification, transcribed from RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! The proof length is checked against the expected shape before any hashing:
//! the RFC loops' "stop and fail" cases are exactly the wrong lengths, and
//! reporting `WrongProofSize` up front says more than a root mismatch would.

use crate::hash::{Hash, empty_root, node_hash};
use crate::proof::{ProofError, consistency_proof_ranges, inclusion_proof_ranges};

/// Checks that `leaf` is the leaf hash at `index` in the tree of `size` leaves with `root`.
///
/// Requires `index < size`. The proof binds the leaf to the root; it does not
/// on its own pin `size` (a few other sizes share a proof's shape), so `size`
/// and `root` must come together from one signed checkpoint.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let expected = inclusion_proof_ranges(index, size)?.len();
    if proof.len() != expected {
        return Err(ProofError::WrongProofSize {
            expected,
            got: proof.len(),
        });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongProofSize {
                expected,
                got: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            // Skip the levels where this node has no right sibling.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongProofSize {
            expected,
            got: proof.len(),
        });
    }
    if r != *root {
        return Err(ProofError::RootMismatch {
            expected: *root,
            calculated: r,
        });
    }
    Ok(())
}

/// Checks that the tree of `size2` leaves with `root2` extends the tree of
/// `size1` leaves with `root1`.
///
/// Requires `size1 <= size2`. When `size1 == size2` the proof must be empty
/// and the roots equal. When `size1 == 0` the proof must be empty (RFC 9162
/// treats the empty tree as consistent with every tree) and, stricter than
/// RFC 9162 asks, `root1` must be the empty root: a size-0 checkpoint naming
/// any other root is itself evidence of a fault.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    let expected = consistency_proof_ranges(size1, size2)?.len();
    if proof.len() != expected {
        return Err(ProofError::WrongProofSize {
            expected,
            got: proof.len(),
        });
    }
    if size1 == 0 && *root1 != empty_root() {
        return Err(ProofError::OldRootMismatch {
            expected: *root1,
            calculated: empty_root(),
        });
    }
    if size1 == size2 {
        if root1 != root2 {
            return Err(ProofError::RootMismatch {
                expected: *root2,
                calculated: *root1,
            });
        }
        return Ok(());
    }
    if size1 == 0 {
        return Ok(());
    }

    // Step 2: when size1 is a power of two the old root is itself the first
    // node of the path, so the proof leaves it out.
    let (first, rest) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (first, rest),
            None => return Err(ProofError::WrongProofSize { expected, got: 0 }),
        }
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongProofSize {
                expected,
                got: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongProofSize {
            expected,
            got: proof.len(),
        });
    }
    if fr != *root1 {
        return Err(ProofError::OldRootMismatch {
            expected: *root1,
            calculated: fr,
        });
    }
    if sr != *root2 {
        return Err(ProofError::RootMismatch {
            expected: *root2,
            calculated: sr,
        });
    }
    Ok(())
}
