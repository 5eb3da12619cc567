//! Known answers for the RFC 6962 test tree used across Certificate
//! Transparency implementations. Sources (transparency-dev/merkle):
//! - `testonly/constants.go`: LeafInputs, NodeHashes, RootHashes, CompactTrees;
//! - `proof/verify_test.go`: inclusionProofs (its leaf numbers are 1-based,
//!   converted to indices here) and consistencyProofs;
//! - `testonly/reference_test.go`: TestRefInclusionProof, TestRefConsistencyProof.

use ledger::{
    Frontier, Hash, MemoryTree, NodeId, empty_root, leaf_hash, verify_consistency, verify_inclusion,
};

use crate::reference;

pub fn h(hex: &str) -> Hash {
    Hash::from_hex(hex).expect("test vector is 64 hex digits")
}

/// LeafInputs(): the eight CT test entries.
pub fn leaf_inputs() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|x| hex::decode(x).expect("hex"))
    .collect()
}

/// RootHashes()[1..]: the root of the first `n` leaves, n = 1..=8.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// NodeHashes(): every perfect node of the 8-leaf tree, by level then index.
const NODES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

fn node(level: u8, index: u64) -> Hash {
    h(NODES[level as usize][index as usize])
}

/// (index, size, proof): verify_test.go inclusionProofs and reference_test.go.
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    let v = |xs: &[&str]| xs.iter().map(|x| h(x)).collect::<Vec<_>>();
    vec![
        (0, 1, vec![]),
        (
            0,
            2,
            v(&["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
        ),
        (
            1,
            2,
            v(&["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
        ),
        (
            0,
            8,
            v(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            5,
            8,
            v(&[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            3,
            v(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        ),
        (
            1,
            5,
            v(&[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
    ]
}

/// (size1, size2, proof): verify_test.go consistencyProofs.
fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    let v = |xs: &[&str]| xs.iter().map(|x| h(x)).collect::<Vec<_>>();
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            v(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            6,
            8,
            v(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            5,
            v(&[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
        (
            6,
            7,
            v(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
    ]
}

fn known_tree() -> MemoryTree {
    leaf_inputs().iter().map(|d| leaf_hash(d)).collect()
}

#[test]
fn roots_for_sizes_0_to_8() {
    let leaves = leaf_inputs();
    let mut frontier = Frontier::new();
    assert_eq!(frontier.root(), empty_root());
    assert_eq!(reference::mth(&[]), empty_root());
    for (n, want) in ROOTS.iter().enumerate() {
        frontier.append(leaf_hash(&leaves[n]));
        assert_eq!(frontier.root(), h(want), "frontier, size {}", n + 1);
        assert_eq!(
            known_tree().root_at(n as u64 + 1),
            Ok(h(want)),
            "memtree, size {}",
            n + 1
        );
        assert_eq!(
            reference::mth(&leaves[..=n]),
            h(want),
            "reference, size {}",
            n + 1
        );
    }
}

#[test]
fn every_completed_node_and_compact_frontier() {
    let mut frontier = Frontier::new();
    for leaf in leaf_inputs() {
        for (id, hash) in frontier.append(leaf_hash(&leaf)) {
            assert_eq!(hash, node(id.level, id.index), "{id:?}");
        }
        // CompactTrees(): the frontier is the node list of its size.
        let want: Vec<Hash> = Frontier::nodes_for(frontier.size())
            .iter()
            .map(|n: &NodeId| node(n.level, n.index))
            .collect();
        assert_eq!(frontier.hashes(), &want[..]);
    }
}

#[test]
fn inclusion_proofs() {
    let tree = known_tree();
    let leaves = leaf_inputs();
    for (index, size, want) in inclusion_vectors() {
        assert_eq!(
            tree.inclusion_proof(index, size).as_ref(),
            Ok(&want),
            "{index}@{size}"
        );
        assert_eq!(
            reference::path(index as usize, &leaves[..size as usize]),
            want
        );
        let root = h(ROOTS[size as usize - 1]);
        let leaf = leaf_hash(&leaves[index as usize]);
        assert_eq!(
            verify_inclusion(&leaf, index, size, &want, &root),
            Ok(()),
            "{index}@{size}"
        );
    }
}

#[test]
fn consistency_proofs() {
    let tree = known_tree();
    let leaves = leaf_inputs();
    for (size1, size2, want) in consistency_vectors() {
        assert_eq!(
            tree.consistency_proof(size1, size2).as_ref(),
            Ok(&want),
            "{size1}->{size2}"
        );
        assert_eq!(
            reference::proof(size1 as usize, &leaves[..size2 as usize]),
            want
        );
        let (root1, root2) = (h(ROOTS[size1 as usize - 1]), h(ROOTS[size2 as usize - 1]));
        assert_eq!(
            verify_consistency(size1, size2, &want, &root1, &root2),
            Ok(())
        );
    }
}

/// verify_test.go TestVerifyConsistency's always-consistent sizes, with our
/// stricter reading of size1 == 0 (root1 must be the empty root).
#[test]
fn trivial_consistency_cases() {
    let (e, r1) = (empty_root(), h(ROOTS[0]));
    assert_eq!(verify_consistency(0, 0, &[], &e, &e), Ok(()));
    assert_eq!(verify_consistency(0, 1, &[], &e, &r1), Ok(()));
    assert_eq!(verify_consistency(1, 1, &[], &r1, &r1), Ok(()));
    assert!(verify_consistency(0, 0, &[], &e, &r1).is_err());
    assert!(verify_consistency(1, 1, &[], &e, &r1).is_err());
    assert!(verify_consistency(0, 1, &[], &r1, &r1).is_err());
    // Roots match but the proof is not empty.
    for (s1, s2, r) in [(0, 0, e), (0, 1, e), (1, 1, r1)] {
        assert!(
            verify_consistency(s1, s2, &[e], &e, &r).is_err(),
            "{s1}->{s2}"
        );
    }
}
