//! The fast tree and proofs against the naive RFC 6962 reference: every
//! (index, size) and (size1, size2) pair up to EXHAUSTIVE leaves, proptest
//! over all pairs up to 300 leaves, and samples from larger trees.

use ledger::{MemoryTree, leaf_hash, verify_consistency, verify_inclusion};
use proptest::prelude::*;

use crate::reference;

/// Every pair up to this size is checked. The naive reference makes the
/// exhaustive loop cubic (a minute at 300 in a debug build), so beyond this
/// proptest samples pairs instead.
const EXHAUSTIVE: usize = 128;

fn entries(n: usize) -> Vec<Vec<u8>> {
    (0..n as u64).map(|i| i.to_be_bytes().to_vec()).collect()
}

fn tree_of(entries: &[Vec<u8>]) -> MemoryTree {
    entries.iter().map(|d| leaf_hash(d)).collect()
}

#[test]
fn all_inclusion_proofs_match_the_reference() {
    let d = entries(EXHAUSTIVE);
    let tree = tree_of(&d);
    for size in 1..=EXHAUSTIVE {
        let root = tree.root_at(size as u64).expect("root");
        assert_eq!(root, reference::mth(&d[..size]), "root of {size}");
        for index in 0..size {
            let fast = tree
                .inclusion_proof(index as u64, size as u64)
                .expect("proof");
            assert_eq!(fast, reference::path(index, &d[..size]), "{index}@{size}");
            let leaf = leaf_hash(&d[index]);
            assert_eq!(
                verify_inclusion(&leaf, index as u64, size as u64, &fast, &root),
                Ok(())
            );
        }
    }
}

#[test]
fn all_consistency_proofs_match_the_reference() {
    let d = entries(EXHAUSTIVE);
    let tree = tree_of(&d);
    let roots: Vec<_> = (0..=EXHAUSTIVE as u64)
        .map(|s| tree.root_at(s).expect("root"))
        .collect();
    for size2 in 0..=EXHAUSTIVE {
        for size1 in 0..=size2 {
            let fast = tree
                .consistency_proof(size1 as u64, size2 as u64)
                .expect("proof");
            assert_eq!(
                fast,
                reference::proof(size1, &d[..size2]),
                "{size1}->{size2}"
            );
            let ok = verify_consistency(
                size1 as u64,
                size2 as u64,
                &fast,
                &roots[size1],
                &roots[size2],
            );
            assert_eq!(ok, Ok(()), "{size1}->{size2}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn inclusion_up_to_300(size in 1usize..=300, at in any::<prop::sample::Index>()) {
        let d = entries(size);
        let index = at.index(size);
        let proof = tree_of(&d).inclusion_proof(index as u64, size as u64).expect("proof");
        prop_assert_eq!(proof, reference::path(index, &d));
    }

    #[test]
    fn consistency_up_to_300(size2 in 0usize..=300, at in any::<prop::sample::Index>()) {
        let d = entries(size2);
        let size1 = at.index(size2 + 1);
        let proof = tree_of(&d).consistency_proof(size1 as u64, size2 as u64).expect("proof");
        prop_assert_eq!(proof, reference::proof(size1, &d));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn sampled_pairs_in_larger_trees(size2 in 1usize..3000, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let d = entries(size2);
        let tree = tree_of(&d);
        let index = a.index(size2);
        let size1 = b.index(size2 + 1);
        prop_assert_eq!(tree.root(), reference::mth(&d));
        prop_assert_eq!(tree.inclusion_proof(index as u64, size2 as u64).expect("proof"), reference::path(index, &d));
        prop_assert_eq!(tree.consistency_proof(size1 as u64, size2 as u64).expect("proof"), reference::proof(size1, &d));
    }
}
