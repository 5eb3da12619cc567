use super::*;
use crate::hash::leaf_hash;
use proptest::prelude::*;

fn id(level: u8, index: u64) -> NodeId {
    NodeId::new(level, index)
}

#[test]
fn node_ranges() {
    assert_eq!((id(0, 5).begin(), id(0, 5).end()), (5, 6));
    assert_eq!((id(3, 2).begin(), id(3, 2).end()), (16, 24));
    assert_eq!(id(63, 0).begin(), 0);
}

#[test]
fn decomposes_examples() {
    assert_eq!(perfect_subtrees(0, 0), vec![]);
    assert_eq!(perfect_subtrees(5, 3), vec![]);
    assert_eq!(perfect_subtrees(0, 7), vec![id(2, 0), id(1, 2), id(0, 6)]);
    assert_eq!(perfect_subtrees(0, 8), vec![id(3, 0)]);
    // A range that is ragged on both sides.
    assert_eq!(
        perfect_subtrees(3, 13),
        vec![id(0, 3), id(2, 1), id(2, 2), id(0, 12)]
    );
    assert_eq!(perfect_subtrees(0, u64::MAX).len(), 64);
}

#[test]
fn frontier_rebuild_checks_length() {
    let h = leaf_hash(b"x");
    assert_eq!(
        Frontier::from_hashes(3, vec![h]),
        Err(TreeError::WrongFrontierLength {
            size: 3,
            expected: 2,
            got: 1
        })
    );
    let mut f = Frontier::new();
    for _ in 0..3 {
        f.append(h);
    }
    assert_eq!(Frontier::from_hashes(3, f.hashes().to_vec()), Ok(f));
}

#[test]
fn append_reports_completed_nodes_bottom_up() {
    let mut f = Frontier::new();
    let leaves: Vec<Hash> = (0u8..4).map(|i| leaf_hash(&[i])).collect();
    for leaf in &leaves[..3] {
        f.append(*leaf);
    }
    let done = f.append(leaves[3]);
    let ids: Vec<NodeId> = done.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![id(0, 3), id(1, 1), id(2, 0)]);
    assert_eq!(done[2].1, f.root());
    assert_eq!(f.hashes(), &[f.root()]);
}

#[test]
fn empty_frontier_has_the_empty_root() {
    assert_eq!(Frontier::new().root(), empty_root());
    assert_eq!(root_from_subtrees(&[]), empty_root());
}

proptest! {
    #[test]
    fn subtrees_tile_the_range_and_are_maximal(begin in 0u64..5000, len in 0u64..5000) {
        let end = begin + len;
        let nodes = perfect_subtrees(begin, end);
        let mut at = begin;
        for (i, n) in nodes.iter().enumerate() {
            prop_assert_eq!(n.begin(), at);
            at = n.end();
            // Maximal: the parent of each node sticks out of the range or
            // would have been chosen instead.
            let parent = NodeId::new(n.level + 1, n.index >> 1);
            prop_assert!(parent.begin() < begin || parent.end() > end, "node {i} {n:?}");
        }
        prop_assert_eq!(at, end);
    }

    #[test]
    fn frontier_matches_its_node_list(size in 0u64..600) {
        let mut f = Frontier::new();
        let mut all = std::collections::HashMap::new();
        for i in 0..size {
            for (node, hash) in f.append(leaf_hash(&i.to_be_bytes())) {
                prop_assert!(all.insert(node, hash).is_none(), "node {node:?} completed twice");
            }
        }
        let expected: Vec<Hash> = Frontier::nodes_for(size).iter().map(|n| all[n]).collect();
        prop_assert_eq!(f.hashes(), &expected[..]);
        prop_assert_eq!(all.len() as u64, 2 * size - u64::from(size.count_ones()));
    }
}
