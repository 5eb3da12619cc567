//! Every mutated proof must be rejected (after transparency-dev/merkle
//! `proof/verify_test.go` corruptInclusionProof / corruptConsistencyProof,
//! generalised to every element, position and size up to 300).

use std::sync::OnceLock;

use ledger::proof::{consistency_proof_ranges, inclusion_proof_ranges};
use ledger::{Hash, MemoryTree, leaf_hash, verify_consistency, verify_inclusion};
use proptest::prelude::*;
use proptest::sample::Index;

const MAX: u64 = 300;

/// Leaves are distinct, so a proof can only fit its own position.
fn leaf(i: u64) -> Hash {
    leaf_hash(&i.to_be_bytes())
}

fn tree() -> &'static MemoryTree {
    static TREE: OnceLock<MemoryTree> = OnceLock::new();
    TREE.get_or_init(|| (0..2 * MAX).map(leaf).collect())
}

fn root(size: u64) -> Hash {
    tree().root_at(size).expect("within the tree")
}

fn flipped(proof: &[Hash], at: usize, byte: usize, bit: u8) -> Vec<Hash> {
    let mut p = proof.to_vec();
    p[at].0[byte] ^= 1 << bit;
    p
}

/// Which side each sibling is on. An inclusion proof's verification depends
/// only on this, so it is all that ties a proof to a tree size: the size must
/// come with the root from one signed checkpoint.
fn shape(index: u64, size: u64) -> Option<Vec<bool>> {
    let ranges = inclusion_proof_ranges(index, size).ok()?;
    Some(ranges.iter().map(|r| r.start < index).collect())
}

/// What a consistency proof's verification depends on: whether size1 is 0,
/// whether the old root seeds the path (size1 a power of two), and which
/// elements lie before size1 (they rebuild both roots) or after it.
fn cshape(size1: u64, size2: u64) -> Option<(bool, bool, Vec<bool>)> {
    let ranges = consistency_proof_ranges(size1, size2).ok()?;
    let sides = ranges.iter().map(|r| r.start < size1).collect();
    Some((size1 == 0, size1.is_power_of_two(), sides))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn tampered_inclusion_proofs_are_rejected(
        size in 1..=MAX, at in any::<Index>(), pos in any::<Index>(),
        byte in 0usize..32, bit in 0u8..8,
        other_index in 0..MAX + 10, other_size in 1..2 * MAX, junk in any::<[u8; 32]>(),
    ) {
        let index = at.index(size as usize) as u64;
        let proof = tree().inclusion_proof(index, size).expect("proof");
        let (leaf_h, root_h) = (leaf(index), root(size));
        let verify = |leaf: &Hash, index, size, proof: &[Hash], root: &Hash| {
            verify_inclusion(leaf, index, size, proof, root)
        };
        prop_assert_eq!(verify(&leaf_h, index, size, &proof, &root_h), Ok(()));

        for i in 0..proof.len() {
            let bad = flipped(&proof, i, byte, bit);
            prop_assert!(verify(&leaf_h, index, size, &bad, &root_h).is_err(), "flipped element {}", i);
        }
        let mut longer = proof.clone();
        longer.insert(pos.index(proof.len() + 1), Hash(junk));
        prop_assert!(verify(&leaf_h, index, size, &longer, &root_h).is_err());
        let mut longer = proof.clone();
        longer.push(root_h);
        prop_assert!(verify(&leaf_h, index, size, &longer, &root_h).is_err());
        if !proof.is_empty() {
            let mut shorter = proof.clone();
            shorter.remove(pos.index(proof.len()));
            prop_assert!(verify(&leaf_h, index, size, &shorter, &root_h).is_err());
        }
        if other_index != index {
            prop_assert!(verify(&leaf_h, other_index, size, &proof, &root_h).is_err());
        }
        if other_size != size {
            let accepted = verify(&leaf_h, index, other_size, &proof, &root_h).is_ok();
            prop_assert_eq!(accepted, shape(index, other_size) == shape(index, size));
            prop_assert!(verify(&leaf_h, index, size, &proof, &root(other_size)).is_err());
        }
        prop_assert!(verify(&leaf_h, index, size, &proof, &Hash(junk)).is_err());
        prop_assert!(verify(&leaf(index + 1), index, size, &proof, &root_h).is_err());
        prop_assert!(verify(&Hash(junk), index, size, &proof, &root_h).is_err());
    }

    #[test]
    fn tampered_consistency_proofs_are_rejected(
        size2 in 1..=MAX, at in any::<Index>(), pos in any::<Index>(),
        byte in 0usize..32, bit in 0u8..8,
        other1 in any::<Index>(), other2 in 1..2 * MAX, junk in any::<[u8; 32]>(),
    ) {
        let size1 = at.index(size2 as usize + 1) as u64;
        let proof = tree().consistency_proof(size1, size2).expect("proof");
        let (r1, r2) = (root(size1), root(size2));
        prop_assert_eq!(verify_consistency(size1, size2, &proof, &r1, &r2), Ok(()));

        for i in 0..proof.len() {
            let bad = flipped(&proof, i, byte, bit);
            prop_assert!(verify_consistency(size1, size2, &bad, &r1, &r2).is_err(), "flipped element {}", i);
        }
        let mut longer = proof.clone();
        longer.insert(pos.index(proof.len() + 1), Hash(junk));
        prop_assert!(verify_consistency(size1, size2, &longer, &r1, &r2).is_err());
        for extra in [r1, r2] {
            let mut longer = proof.clone();
            longer.push(extra);
            prop_assert!(verify_consistency(size1, size2, &longer, &r1, &r2).is_err());
        }
        if !proof.is_empty() {
            let mut shorter = proof.clone();
            shorter.remove(pos.index(proof.len()));
            prop_assert!(verify_consistency(size1, size2, &shorter, &r1, &r2).is_err());
        }
        prop_assert!(verify_consistency(size1, size2, &proof, &Hash(junk), &r2).is_err());
        // RFC 9162: the empty tree is consistent with every tree, so with
        // size1 == 0 there is nothing to bind root2 to.
        if size1 > 0 {
            prop_assert!(verify_consistency(size1, size2, &proof, &r1, &Hash(junk)).is_err());
        }
        if r1 != r2 {
            prop_assert!(verify_consistency(size1, size2, &proof, &r2, &r1).is_err());
        }
        // Wrong sizes with the same roots: a false claim, caught unless the
        // proof for the other sizes has exactly the same shape.
        let s1 = other1.index(size2 as usize + 1) as u64;
        if s1 != size1 {
            let accepted = verify_consistency(s1, size2, &proof, &r1, &r2).is_ok();
            prop_assert_eq!(accepted, cshape(s1, size2) == cshape(size1, size2), "size1 {}", s1);
        }
        if other2 != size2 && other2 >= size1 {
            let accepted = verify_consistency(size1, other2, &proof, &r1, &r2).is_ok();
            prop_assert_eq!(accepted, cshape(size1, other2) == cshape(size1, size2), "size2 {}", other2);
        }
    }
}
