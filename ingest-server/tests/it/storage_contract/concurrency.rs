//! Many writers and integrators at once: no chain breaks, nothing is lost or doubled.

use ingest_server::seal::EntrySeal;
use std::collections::BTreeMap;
use std::sync::Arc;

use ingest_server::integrator::plan::CheckpointPlanner;
use ingest_server::storage::{AppendOutcome, Storage};
use ledger::memtree::MemoryTree;

use super::{
    ORIGIN, all_entries, batch, integrate_all, payload, seal, session, signer, store_with_project,
    verify_chains,
};
use crate::support::Backend;

const SESSIONS: u64 = 50;
const BATCHES: u64 = 20;

/// Sends every batch of `s` in order, in groups of 1 to 3 batches.
async fn send_session(store: Arc<dyn Storage>, s: uuid::Uuid) {
    let mut seq = 0;
    while seq < BATCHES {
        let size = (seq % 3 + 1).min(BATCHES - seq);
        let group: Vec<_> = (seq..seq + size)
            .map(|q| batch(s, q, &payload(s, q)))
            .collect();
        let outcomes = store
            .append_batches(ORIGIN, &seal(), &group)
            .await
            .expect("append succeeds");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, AppendOutcome::Appended(_))),
            "{outcomes:?}"
        );
        seq += size;
    }
}

crate::both_backends!(concurrent_appends_keep_every_chain_intact);
async fn concurrent_appends_keep_every_chain_intact(backend: Backend) {
    let t = store_with_project(backend).await;
    let ids: Vec<_> = (0..u128::from(SESSIONS))
        .map(|n| session(1000 + n))
        .collect();

    let tasks: Vec<_> = ids
        .iter()
        .map(|s| tokio::spawn(send_session(t.store.clone(), *s)))
        .collect();
    for task in tasks {
        task.await.expect("writer task");
    }

    let entries = all_entries(t.store.as_ref()).await;
    assert_eq!(
        entries.len() as u64,
        SESSIONS * (BATCHES + 1),
        "one opening entry plus every batch"
    );
    let chains = verify_chains(&entries);
    let expected: Vec<u64> = (0..BATCHES).collect();
    assert_eq!(chains.len() as u64, SESSIONS);
    for s in &ids {
        assert_eq!(chains[s], expected, "session {s} lost or doubled a batch");
    }
    for row in t.store.sessions().await.expect("sessions") {
        assert_eq!(
            (row.batch_count, row.head.next_batch_seq),
            (BATCHES, BATCHES)
        );
    }
    assert_eq!(
        t.store.pending_count().await.expect("pending"),
        SESSIONS * (BATCHES + 1)
    );
}

crate::both_backends!(racing_first_batches_open_a_session_once);
async fn racing_first_batches_open_a_session_once(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(77);

    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = t.store.clone();
            tokio::spawn(async move {
                store
                    .append_batches(ORIGIN, &seal(), &[batch(s, 0, b"zero")])
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await.expect("task").expect("append succeeds"));
    }

    let appended: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, AppendOutcome::Appended(_)))
        .collect();
    assert_eq!(appended.len(), 1, "{outcomes:?}");
    let AppendOutcome::Appended(receipt) = appended[0].clone() else {
        unreachable!()
    };
    for o in &outcomes {
        assert!(
            *o == AppendOutcome::Appended(receipt.clone())
                || *o == AppendOutcome::Duplicate(receipt.clone()),
            "{o:?}"
        );
    }
    assert_eq!(all_entries(t.store.as_ref()).await.len(), 2);
}

crate::both_backends!(concurrent_integrators_never_reuse_an_index);
async fn concurrent_integrators_never_reuse_an_index(backend: Backend) {
    let t = store_with_project(backend).await;
    let signer = Arc::new(signer());
    let ids: Vec<_> = (0..10u128).map(|n| session(2000 + n)).collect();
    let writers: Vec<_> = ids
        .iter()
        .map(|s| tokio::spawn(send_session(t.store.clone(), *s)))
        .collect();
    let integrators: Vec<_> = (0..3)
        .map(|_| {
            let (store, signer) = (t.store.clone(), signer.clone());
            tokio::spawn(async move {
                let planner = CheckpointPlanner {
                    origin: ORIGIN,
                    signer: &signer,
                    seal: &EntrySeal::from_signer(&signer),
                    now_ms: 1,
                };
                let mut integrated = 0;
                for _ in 0..200 {
                    if let Some(step) = store.integrate_step(7, &planner).await.expect("step") {
                        integrated += step.integrated;
                    }
                    tokio::task::yield_now().await;
                }
                integrated
            })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    let mut integrated = 0;
    for i in integrators {
        integrated += i.await.expect("integrator");
    }
    integrated += integrate_all(t.store.as_ref(), &signer, 50)
        .await
        .iter()
        .map(|s| s.integrated)
        .sum::<u64>();

    let total = ids.len() as u64 * (BATCHES + 1);
    assert_eq!(integrated, total, "every entry integrated exactly once");
    let leaves = t.store.leaves(0, u32::MAX).await.expect("leaves");
    let indices: Vec<u64> = leaves.iter().map(|l| l.log_index).collect();
    assert_eq!(
        indices,
        (0..total).collect::<Vec<_>>(),
        "dense indices, none reused"
    );
    let mut tree = MemoryTree::new();
    let mut per_session: BTreeMap<uuid::Uuid, Vec<u64>> = BTreeMap::new();
    for leaf in &leaves {
        tree.push(ledger::Hash::from_slice(&leaf.leaf_hash).expect("32 bytes"));
        per_session
            .entry(leaf.session)
            .or_default()
            .push(leaf.session_seq);
    }
    for seqs in per_session.values() {
        assert_eq!(
            *seqs,
            (0..=BATCHES).collect::<Vec<_>>(),
            "a session's entries enter the log in chain order"
        );
    }
    let checkpoint = t
        .store
        .latest_checkpoint()
        .await
        .expect("checkpoint")
        .expect("some");
    assert_eq!((checkpoint.size, checkpoint.root), (total, tree.root()));
    assert_eq!(
        verify_chains(&all_entries(t.store.as_ref()).await).len(),
        ids.len()
    );
}
