//! Proof shapes. Known answers from RFC 6962 §2.1.3 (the 7-leaf example tree)
//! and from transparency-dev/merkle `proof/proof_test.go` (TestInclusion,
//! TestConsistency), whose ragged right-edge "rehash" groups appear here as
//! our left-to-right `perfect_subtrees` of the same range.

use super::*;
use crate::hash::leaf_hash;

fn id(level: u8, index: u64) -> NodeId {
    NodeId::new(level, index)
}

// Names from the RFC 6962 §2.1.3 example tree of seven leaves d0..d6.
const A: NodeId = NodeId { level: 0, index: 0 };
const C: NodeId = NodeId { level: 0, index: 2 };
const D: NodeId = NodeId { level: 0, index: 3 };
const G: NodeId = NodeId { level: 1, index: 0 };
const H: NodeId = NodeId { level: 1, index: 1 };
const I: NodeId = NodeId { level: 1, index: 2 };
const J: NodeId = NodeId { level: 0, index: 6 };
const K: NodeId = NodeId { level: 2, index: 0 };

#[test]
fn rfc6962_example_shapes() {
    // l = MTH(d4..d6) is the ragged node, stored as i and j.
    assert_eq!(inclusion_proof_ranges(1, 7), Ok(vec![0..1, 2..4, 4..7])); // a h l
    assert_eq!(inclusion_proof_nodes(1, 7), Ok(vec![A, H, I, J]));
    assert_eq!(inclusion_proof_ranges(3, 7), Ok(vec![2..3, 0..2, 4..7])); // c g l
    assert_eq!(inclusion_proof_nodes(6, 7), Ok(vec![I, K])); // i k
    assert_eq!(consistency_proof_nodes(3, 7), Ok(vec![C, D, G, I, J])); // c d g l
    let l = 4..7;
    assert_eq!(consistency_proof_ranges(4, 7), Ok(vec![l])); // l
    assert_eq!(consistency_proof_nodes(6, 7), Ok(vec![I, J, K])); // i j k
}

#[test]
fn inclusion_shapes_match_transparency_dev() {
    let cases: &[(u64, u64, &[NodeId])] = &[
        (1, 0, &[]),
        (2, 0, &[id(0, 1)]),
        (2, 1, &[id(0, 0)]),
        (3, 1, &[id(0, 0), id(0, 2)]),
        (7, 0, &[id(0, 1), id(1, 1), id(1, 2), id(0, 6)]),
        (7, 2, &[id(0, 3), id(1, 0), id(1, 2), id(0, 6)]),
        (7, 4, &[id(0, 5), id(0, 6), id(2, 0)]),
        (7, 5, &[id(0, 4), id(0, 6), id(2, 0)]),
        (4, 2, &[id(0, 3), id(1, 0)]),
        (5, 3, &[id(0, 2), id(1, 0), id(0, 4)]),
        (6, 3, &[id(0, 2), id(1, 0), id(1, 2)]),
        (6, 4, &[id(0, 5), id(2, 0)]),
        (
            15,
            10,
            &[id(0, 11), id(1, 4), id(1, 6), id(0, 14), id(3, 0)],
        ),
        (
            31,
            24,
            &[
                id(0, 25),
                id(1, 13),
                id(1, 14),
                id(0, 30),
                id(3, 2),
                id(4, 0),
            ],
        ),
        (
            95,
            81,
            &[
                id(0, 80),
                id(1, 41),
                id(2, 21),
                id(2, 22),
                id(1, 46),
                id(0, 94),
                id(4, 4),
                id(6, 0),
            ],
        ),
    ];
    for (size, index, want) in cases {
        assert_eq!(
            inclusion_proof_nodes(*index, *size).as_deref(),
            Ok(*want),
            "{index}@{size}"
        );
    }
    for (size, index) in [(0, 0), (0, 1), (1, 2), (0, 3), (7, 8), (7, 7)] {
        assert_eq!(
            inclusion_proof_nodes(index, size),
            Err(ProofError::IndexOutOfRange { index, size })
        );
    }
}

#[test]
fn consistency_shapes_match_transparency_dev() {
    let cases: &[(u64, u64, &[NodeId])] = &[
        (1, 2, &[id(0, 1)]),
        (1, 4, &[id(0, 1), id(1, 1)]),
        (1, 6, &[id(0, 1), id(1, 1), id(1, 2)]),
        (2, 3, &[id(0, 2)]),
        (2, 8, &[id(1, 1), id(2, 1)]),
        (5, 7, &[id(0, 4), id(0, 5), id(0, 6), id(2, 0)]),
        (7, 8, &[id(0, 6), id(0, 7), id(1, 2), id(2, 0)]),
        (2, 4, &[id(1, 1)]),
        (3, 5, &[id(0, 2), id(0, 3), id(1, 0), id(0, 4)]),
        (3, 6, &[id(0, 2), id(0, 3), id(1, 0), id(1, 2)]),
        (4, 6, &[id(1, 2)]),
        (1, 7, &[id(0, 1), id(1, 1), id(1, 2), id(0, 6)]),
        (10, 15, &[id(1, 4), id(1, 5), id(1, 6), id(0, 14), id(3, 0)]),
        (
            24,
            31,
            &[id(3, 2), id(2, 6), id(1, 14), id(0, 30), id(4, 0)],
        ),
        (
            81,
            95,
            &[
                id(0, 80),
                id(0, 81),
                id(1, 41),
                id(2, 21),
                id(2, 22),
                id(1, 46),
                id(0, 94),
                id(4, 4),
                id(6, 0),
            ],
        ),
    ];
    for (size1, size2, want) in cases {
        assert_eq!(
            consistency_proof_nodes(*size1, *size2).as_deref(),
            Ok(*want),
            "{size1}->{size2}"
        );
    }
    for size in 0..=8 {
        assert_eq!(consistency_proof_nodes(size, size), Ok(vec![]));
        assert_eq!(consistency_proof_nodes(0, size), Ok(vec![]));
    }
    for (size1, size2) in [(5, 0), (9, 8)] {
        assert_eq!(
            consistency_proof_nodes(size1, size2),
            Err(ProofError::InvalidSizes { size1, size2 })
        );
    }
}

#[test]
fn missing_stored_node_is_named() {
    let h = leaf_hash(b"x");
    let lookup = |n: NodeId| (n != id(1, 2)).then_some(h);
    assert_eq!(
        inclusion_proof(0, 7, lookup),
        Err(ProofError::MissingNode(id(1, 2)))
    );
    assert_eq!(
        consistency_proof(3, 7, lookup),
        Err(ProofError::MissingNode(id(1, 2)))
    );
    assert_eq!(tree_root(6, lookup), Err(ProofError::MissingNode(id(1, 2))));
    assert_eq!(tree_root(0, |_| None), Ok(crate::hash::empty_root()));
}

#[test]
fn verify_rejects_bad_parameters_before_hashing() {
    let h = leaf_hash(b"x");
    assert_eq!(
        verify_inclusion(&h, 0, 0, &[], &h),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_consistency(2, 1, &[], &h, &h),
        Err(ProofError::InvalidSizes { size1: 2, size2: 1 })
    );
    assert_eq!(
        verify_consistency(1, 2, &[], &h, &h),
        Err(ProofError::WrongProofSize {
            expected: 1,
            got: 0
        })
    );
}
