//! Integration: dense log indices, signed roots that match a reference tree, and
//! stored nodes that answer proofs.

use ingest_server::integrator::plan::CheckpointPlanner;
use ingest_server::seal::EntrySeal;
use ingest_server::storage::{PostgresStore, Storage};
use ledger::Hash;
use ledger::memtree::MemoryTree;
use ledger::proof::{inclusion_proof, inclusion_proof_nodes, verify_inclusion};

use uuid::Uuid;

use super::{
    ORIGIN, append, appended, batch, integrate_all, payload, session, signer, store_with_project,
};
use crate::support::{Backend, RawDb};

/// Appends `sessions` × `batches` batches, interleaving sessions.
async fn fill(store: &dyn Storage, sessions: u128, batches: u64) {
    for seq in 0..batches {
        for n in 0..sessions {
            let s = session(300 + n);
            appended(append(store, batch(s, seq, &payload(s, seq))).await);
        }
    }
}

fn reference_tree(leaves: &[ingest_server::storage::StoredLeaf]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for leaf in leaves {
        tree.push(Hash::from_slice(&leaf.leaf_hash).expect("32-byte leaf hash"));
    }
    tree
}

crate::both_backends!(integration_assigns_dense_indices_and_signs_the_root);
async fn integration_assigns_dense_indices_and_signs_the_root(backend: Backend) {
    let t = store_with_project(backend).await;
    let signer = signer();
    let planner = CheckpointPlanner {
        origin: ORIGIN,
        signer: &signer,
        seal: &EntrySeal::from_signer(&signer),
        now_ms: 5,
    };
    assert_eq!(
        t.store.integrate_step(10, &planner).await.expect("step"),
        None,
        "nothing pending"
    );
    fill(t.store.as_ref(), 3, 4).await; // 3 opening entries + 12 batches
    let queued: Vec<(Uuid, u64)> = t
        .store
        .pending_entries()
        .await
        .expect("pending")
        .iter()
        .map(|p| (p.session, p.session_seq))
        .collect();

    let steps = integrate_all(t.store.as_ref(), &signer, 4).await;

    let sizes: Vec<u64> = steps
        .iter()
        .filter_map(|s| s.checkpoint.as_ref().map(|c| c.size))
        .collect();
    assert_eq!(sizes, [4, 8, 12, 15]);
    assert_eq!(steps.iter().map(|s| s.integrated).sum::<u64>(), 15);
    assert_eq!(
        t.store.integrate_step(10, &planner).await.expect("step"),
        None,
        "no checkpoint without growth"
    );
    assert_eq!(t.store.pending_count().await.expect("pending"), 0);
    assert_eq!(t.store.tree_size().await.expect("size"), 15);

    let leaves = t.store.leaves(0, 1000).await.expect("leaves");
    let indices: Vec<u64> = leaves.iter().map(|l| l.log_index).collect();
    assert_eq!(indices, (0..15).collect::<Vec<_>>());
    let order: Vec<_> = leaves.iter().map(|l| (l.session, l.session_seq)).collect();
    assert_eq!(order, queued, "indices follow queue order");
    assert_eq!(t.store.leaves(13, 10).await.expect("page").len(), 2);

    let tree = reference_tree(&leaves);
    let checkpoints = t.store.checkpoints().await.expect("checkpoints");
    assert_eq!(
        checkpoints.iter().map(|c| c.size).collect::<Vec<_>>(),
        sizes
    );
    for cp in &checkpoints {
        assert_eq!(
            cp.root,
            tree.root_at(cp.size).expect("reference root"),
            "root at {}",
            cp.size
        );
        let signed = signer
            .verifier()
            .verify(&cp.note)
            .expect("checkpoint signature verifies");
        assert_eq!((signed.size, signed.root), (cp.size, cp.root));
    }
    assert_eq!(
        t.store.latest_checkpoint().await.expect("latest").as_ref(),
        checkpoints.last()
    );

    let fifth = Hash::from_slice(&leaves[5].leaf_hash).expect("hash");
    assert_eq!(
        t.store.leaf_index_by_hash(&fifth).await.expect("lookup"),
        Some(5)
    );
    assert_eq!(
        t.store
            .leaf_index_by_hash(&ledger::sha256(b"nope"))
            .await
            .expect("lookup"),
        None
    );
}

crate::both_backends!(stored_nodes_answer_inclusion_proofs);
async fn stored_nodes_answer_inclusion_proofs(backend: Backend) {
    let t = store_with_project(backend).await;
    let signer = signer();
    fill(t.store.as_ref(), 2, 6).await; // 14 entries: a ragged tree
    integrate_all(t.store.as_ref(), &signer, 5).await;
    let checkpoint = t
        .store
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("some");
    let leaves = t.store.leaves(0, 1000).await.expect("leaves");
    let tree = reference_tree(&leaves);

    for leaf in &leaves {
        let wanted = inclusion_proof_nodes(leaf.log_index, checkpoint.size).expect("proof shape");
        let stored = t.store.nodes(&wanted).await.expect("nodes");
        assert_eq!(
            stored.len(),
            wanted.len(),
            "every node a proof needs is stored"
        );
        let proof = inclusion_proof(leaf.log_index, checkpoint.size, |id| {
            stored.get(&id).copied()
        })
        .expect("proof");
        let hash = Hash::from_slice(&leaf.leaf_hash).expect("hash");
        verify_inclusion(
            &hash,
            leaf.log_index,
            checkpoint.size,
            &proof,
            &checkpoint.root,
        )
        .expect("proof verifies");
    }

    let level1: Vec<_> = (2..5).map(|i| ledger::tree::NodeId::new(1, i)).collect();
    let stored = t.store.nodes(&level1).await.expect("level 1");
    for id in &level1 {
        assert_eq!(stored.get(id), tree.node(*id).as_ref(), "node {id:?}");
    }
    let missing = t
        .store
        .nodes(&[ledger::tree::NodeId::new(4, 0)])
        .await
        .expect("nodes");
    assert!(
        missing.is_empty(),
        "a subtree of 16 leaves is not complete in a tree of 14"
    );
}

/// Postgres only: a node that cannot take the advisory lock skips the step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_integrator_lock_held_elsewhere_means_no_step() {
    let t = store_with_project(Backend::Postgres).await;
    let signer = signer();
    let planner = CheckpointPlanner {
        origin: ORIGIN,
        signer: &signer,
        seal: &EntrySeal::from_signer(&signer),
        now_ms: 5,
    };
    appended(append(t.store.as_ref(), batch(session(1), 0, b"zero")).await);
    let RawDb::Postgres(raw) = &t.raw else {
        unreachable!()
    };
    let mut other_node = raw.begin().await.expect("tx");
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(PostgresStore::INTEGRATOR_LOCK_KEY)
        .execute(&mut *other_node)
        .await
        .expect("lock");

    let while_held = t.store.integrate_step(10, &planner).await.expect("step");
    other_node.rollback().await.expect("release");
    let after = t.store.integrate_step(10, &planner).await.expect("step");

    assert_eq!(while_held, None);
    assert_eq!(after.map(|s| s.integrated), Some(2));
}
