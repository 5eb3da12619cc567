//! The session index through the `Storage` trait: conditional writes, list
//! replacement, work finding and clearing, on both stores (Postgres as the app role,
//! which must be allowed to maintain the index though it may not touch the log).

use ingest_server::storage::{IndexUpdate, IndexedFacts, IndexedPage, SessionQuery, Storage};

use super::{append, appended, batch, payload, session, store_with_project};
use crate::support::Backend;

fn update(n: u128, expected: Option<u64>, indexed: u64) -> IndexUpdate {
    IndexUpdate {
        session: session(n),
        project: super::PROJECT.into(),
        expected,
        facts: IndexedFacts {
            started_at_ms: 10,
            last_event_at_ms: 20,
            duration_ms: 10,
            first_url: Some("https://shop.example/".into()),
            user_id: Some("alice".into()),
            page_count: 1,
            event_count: 5,
            click_count: 1,
            error_count: 0,
            rage_click_count: 0,
            dead_click_count: 0,
            undecodable_batches: 0,
            indexed_batches: indexed,
        },
        pending_click_count: 0,
        last_received_at_ms: 1_700_000_001_000,
        state: "{}".into(),
        pages: Some(vec![IndexedPage {
            url: "https://shop.example/".into(),
            path: "/".into(),
        }]),
        traits: Some(vec![("plan".into(), "pro".into())]),
        event_names: Some(vec!["checkout".into()]),
    }
}

async fn index_of(store: &dyn Storage, n: u128) -> Option<u64> {
    store
        .index_state(session(n))
        .await
        .expect("state")
        .map(|s| s.indexed_batches)
}

crate::both_backends!(index_writes_only_land_on_the_row_they_were_computed_from);
async fn index_writes_only_land_on_the_row_they_were_computed_from(backend: Backend) {
    let t = store_with_project(backend).await;
    let store = t.store.as_ref();
    appended(append(store, batch(session(1), 0, &payload(session(1), 0))).await);

    let created = store.write_index(&update(1, None, 1)).await.expect("write");
    let created_again = store.write_index(&update(1, None, 1)).await.expect("write");
    let stale = store
        .write_index(&update(1, Some(0), 2))
        .await
        .expect("write");
    let next = store
        .write_index(&update(1, Some(1), 2))
        .await
        .expect("write");

    assert!(created);
    assert!(!created_again, "a second creator loses");
    assert!(!stale, "a write computed from an older row loses");
    assert!(next);
    assert_eq!(index_of(store, 1).await, Some(2));
}

crate::both_backends!(lists_are_replaced_only_when_given);
async fn lists_are_replaced_only_when_given(backend: Backend) {
    let t = store_with_project(backend).await;
    let store = t.store.as_ref();
    appended(append(store, batch(session(2), 0, &payload(session(2), 0))).await);
    assert!(store.write_index(&update(2, None, 1)).await.expect("write"));

    let mut keep = update(2, Some(1), 1);
    keep.pages = None;
    keep.traits = Some(vec![]);
    keep.event_names = Some(vec!["a".into(), "b".into()]);
    assert!(store.write_index(&keep).await.expect("write"));

    let detail = store
        .session_summary(session(2))
        .await
        .expect("summary")
        .expect("exists");
    assert_eq!(detail.pages.len(), 1, "pages: None leaves them");
    assert!(detail.traits.is_empty(), "traits: Some([]) empties them");
    assert_eq!(detail.event_names, ["a", "b"]);
    assert_eq!(
        detail.summary.index.map(|f| f.user_id),
        Some(Some("alice".into()))
    );
}

crate::both_backends!(work_is_the_sessions_ahead_of_their_index_and_clear_empties_it);
async fn work_is_the_sessions_ahead_of_their_index_and_clear_empties_it(backend: Backend) {
    let t = store_with_project(backend).await;
    let store = t.store.as_ref();
    for n in [3, 4] {
        for seq in 0..2 {
            appended(append(store, batch(session(n), seq, &payload(session(n), seq))).await);
        }
    }
    assert!(store.write_index(&update(3, None, 2)).await.expect("write"));
    assert!(store.write_index(&update(4, None, 1)).await.expect("write"));

    let work = store.index_work(i64::MIN, 10).await.expect("work");
    let later = store.index_work(i64::MAX, 10).await.expect("work");
    let listed = store
        .search_sessions(&SessionQuery::all(10))
        .await
        .expect("search");
    let cleared = store.clear_index().await.expect("clear");
    let after = store
        .search_sessions(&SessionQuery::all(10))
        .await
        .expect("search");
    let all_work = store.index_work(i64::MIN, 10).await.expect("work");

    assert_eq!(
        work.iter()
            .map(|w| (w.session, w.indexed_batches))
            .collect::<Vec<_>>(),
        [(session(4), Some(1))],
        "session 3 is caught up"
    );
    assert!(later.is_empty(), "nothing received after the watermark");
    assert_eq!(listed.total, 2);
    assert_eq!(cleared, 2);
    assert_eq!(after.total, 0);
    assert_eq!(all_work.len(), 2);
    assert!(all_work.iter().all(|w| w.indexed_batches.is_none()));
}
