//! Appending batches: chains, receipts, duplicates, conflicts, gaps, groups.

use ingest_server::storage::{AppendOutcome, Storage};
use ledger::EntryKind;

use uuid::Uuid;

use super::{
    ORIGIN, all_entries, append, appended, batch, batch_for, new_project, payload, seal, session,
    store_with_project, verify_chains,
};
use crate::support::Backend;

/// Rows that must not change when a request is refused.
async fn log_shape(store: &dyn Storage) -> (usize, u64) {
    (
        all_entries(store).await.len(),
        store.pending_count().await.expect("pending"),
    )
}

crate::both_backends!(the_first_batch_opens_a_session_and_later_batches_chain);
async fn the_first_batch_opens_a_session_and_later_batches_chain(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(1);

    let first = appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    let second = appended(append(t.store.as_ref(), batch(s, 1, b"one")).await);
    let third = appended(append(t.store.as_ref(), batch(s, 2, b"two")).await);

    assert_eq!(
        (first.session, first.seq, first.session_seq),
        (s, 0, 1),
        "entry 0 opens the session"
    );
    assert_eq!((second.seq, second.session_seq), (1, 2));
    assert_eq!((third.seq, third.session_seq), (2, 3));
    let entries = all_entries(t.store.as_ref()).await;
    let kinds: Vec<i64> = entries.iter().map(|e| e.kind_code).collect();
    let opened = i64::from(EntryKind::SessionOpened as u8);
    let batch_kind = i64::from(EntryKind::BatchReceived as u8);
    assert_eq!(kinds, [opened, batch_kind, batch_kind, batch_kind]);
    assert_eq!(
        entries[1].leaf_hash,
        first.leaf_hash.as_bytes().to_vec(),
        "receipt names the stored leaf"
    );
    assert_eq!(entries[3].payload.as_deref(), Some(b"two".as_slice()));
    assert_eq!(verify_chains(&entries)[&s], [0, 1, 2]);

    let sessions = t.store.sessions().await.expect("sessions");
    assert_eq!(sessions.len(), 1);
    let row = &sessions[0];
    assert_eq!((row.head.next_batch_seq, row.head.next_entry_seq), (3, 4));
    assert_eq!(row.head.head_hash, third.leaf_hash);
    assert_eq!((row.batch_count, row.payload_bytes), (3, 4 + 3 + 3));
    assert_eq!(
        row.last_received_at_ms,
        super::batch(s, 2, b"").received_at_ms
    );
    assert_eq!(t.store.pending_count().await.expect("pending"), 4);
    let pending = t.store.pending_entries().await.expect("pending entries");
    let order: Vec<(Uuid, u64)> = pending.iter().map(|p| (p.session, p.session_seq)).collect();
    assert_eq!(
        order,
        [(s, 0), (s, 1), (s, 2), (s, 3)],
        "queued in chain order"
    );
    assert!(
        pending.iter().all(|p| seal().verify(&p.leaf_hash, &p.seal)),
        "every queued entry carries the server's seal"
    );
}

crate::both_backends!(an_identical_resend_is_a_duplicate_with_the_original_receipt);
async fn an_identical_resend_is_a_duplicate_with_the_original_receipt(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(2);
    let original = appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    appended(append(t.store.as_ref(), batch(s, 1, b"one")).await);
    let before = log_shape(t.store.as_ref()).await;

    let again = append(t.store.as_ref(), batch(s, 0, b"zero")).await;

    assert_eq!(again, AppendOutcome::Duplicate(original));
    assert_eq!(
        log_shape(t.store.as_ref()).await,
        before,
        "a duplicate writes nothing"
    );
    assert_eq!(t.raw.count("ingest_conflicts").await, 0);
}

crate::both_backends!(different_bytes_are_a_conflict_and_are_recorded);
async fn different_bytes_are_a_conflict_and_are_recorded(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(3);
    appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    let before = log_shape(t.store.as_ref()).await;

    let outcome = append(t.store.as_ref(), batch(s, 0, b"forged")).await;

    assert_eq!(
        outcome,
        AppendOutcome::Conflict {
            existing_payload_hash: ledger::sha256(b"zero")
        }
    );
    assert_eq!(
        log_shape(t.store.as_ref()).await,
        before,
        "a conflict appends nothing"
    );
    assert_eq!(
        t.raw.count("ingest_conflicts").await,
        1,
        "but it is recorded"
    );
}

crate::both_backends!(a_gap_is_refused_with_the_expected_seq);
async fn a_gap_is_refused_with_the_expected_seq(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(4);

    let unopened = append(t.store.as_ref(), batch(s, 3, b"three")).await;
    assert_eq!(unopened, AppendOutcome::Gap { expected_seq: 0 });
    assert!(
        t.store.sessions().await.expect("sessions").is_empty(),
        "a gap opens no session"
    );

    appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    let before = log_shape(t.store.as_ref()).await;
    let skipped = append(t.store.as_ref(), batch(s, 2, b"two")).await;

    assert_eq!(skipped, AppendOutcome::Gap { expected_seq: 1 });
    assert_eq!(log_shape(t.store.as_ref()).await, before);
}

crate::both_backends!(a_session_of_another_project_is_refused);
async fn a_session_of_another_project_is_refused(backend: Backend) {
    let t = store_with_project(backend).await;
    t.store
        .create_project(&new_project("other", "awk_other"))
        .await
        .expect("second project");
    let s = session(5);
    appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);
    let before = log_shape(t.store.as_ref()).await;

    let outcome = append(t.store.as_ref(), batch_for("other", s, 1, b"one")).await;

    assert_eq!(outcome, AppendOutcome::ForeignSession);
    assert_eq!(log_shape(t.store.as_ref()).await, before);
}

crate::both_backends!(a_group_applies_its_requests_in_order);
async fn a_group_applies_its_requests_in_order(backend: Backend) {
    let t = store_with_project(backend).await;
    let (a, b) = (session(6), session(7));
    appended(append(t.store.as_ref(), batch(b, 0, &payload(b, 0))).await);
    let group = [
        batch(a, 0, &payload(a, 0)),
        batch(b, 1, &payload(b, 1)),
        batch(a, 1, &payload(a, 1)),
        batch(a, 1, &payload(a, 1)), // repeated inside the group: duplicate
        batch(a, 1, b"different"),   // conflicting with a batch of this group
        batch(b, 5, &payload(b, 5)), // gap
        batch(b, 0, &payload(b, 0)), // duplicate of an earlier group
        batch(a, 2, &payload(a, 2)),
    ];

    let outcomes = t
        .store
        .append_batches(ORIGIN, &seal(), &group)
        .await
        .expect("group commits");

    assert_eq!(outcomes.len(), group.len());
    let a1 = match &outcomes[2] {
        AppendOutcome::Appended(r) => r.clone(),
        other => panic!("{other:?}"),
    };
    assert!(matches!(&outcomes[0], AppendOutcome::Appended(r) if r.session_seq == 1));
    assert!(matches!(&outcomes[1], AppendOutcome::Appended(r) if r.session_seq == 2));
    assert_eq!((a1.seq, a1.session_seq), (1, 2));
    assert_eq!(outcomes[3], AppendOutcome::Duplicate(a1));
    assert!(matches!(outcomes[4], AppendOutcome::Conflict { .. }));
    assert_eq!(outcomes[5], AppendOutcome::Gap { expected_seq: 2 });
    assert!(matches!(&outcomes[6], AppendOutcome::Duplicate(r) if r.session_seq == 1));
    assert!(matches!(&outcomes[7], AppendOutcome::Appended(r) if r.session_seq == 3));
    let chains = verify_chains(&all_entries(t.store.as_ref()).await);
    assert_eq!(chains[&a], [0, 1, 2]);
    assert_eq!(chains[&b], [0, 1]);
    assert_eq!(t.raw.count("ingest_conflicts").await, 1);
    let counts: Vec<u64> = t
        .store
        .sessions()
        .await
        .expect("sessions")
        .iter()
        .map(|r| r.batch_count)
        .collect();
    assert_eq!(counts, [3, 2]);
}

crate::both_backends!(a_reopened_store_continues_the_same_chains);
async fn a_reopened_store_continues_the_same_chains(backend: Backend) {
    let t = store_with_project(backend).await;
    let s = session(8);
    appended(append(t.store.as_ref(), batch(s, 0, b"zero")).await);

    let reopened = t.reopen().await;
    let next = appended(append(reopened.as_ref(), batch(s, 1, b"one")).await);

    assert_eq!(next.session_seq, 2);
    assert_eq!(
        verify_chains(&all_entries(reopened.as_ref()).await)[&s],
        [0, 1]
    );
    assert_eq!(reopened.list_projects().await.expect("projects").len(), 1);
}
