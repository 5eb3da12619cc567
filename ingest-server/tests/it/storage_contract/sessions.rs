//! Reading one session's batches back (`session dump`, later the viewer).

use super::{append, appended, batch, payload, session, store_with_project};
use crate::support::Backend;

crate::both_backends!(a_sessions_batches_come_back_in_seq_order_from_any_seq);
async fn a_sessions_batches_come_back_in_seq_order_from_any_seq(backend: Backend) {
    let t = store_with_project(backend).await;
    let (s, other) = (session(20), session(21));
    // Interleaved with another session, so neither storage order nor the other
    // session's rows can pass for this session's batches.
    for seq in 0..5 {
        appended(append(t.store.as_ref(), batch(s, seq, &payload(s, seq))).await);
        appended(append(t.store.as_ref(), batch(other, seq, &payload(other, seq))).await);
    }

    let all = t.store.session_batches(s, 0, 100).await.expect("batches");
    let page = t.store.session_batches(s, 2, 2).await.expect("page");
    let past_end = t.store.session_batches(s, 5, 100).await.expect("past end");
    let unknown = t
        .store
        .session_batches(session(22), 0, 100)
        .await
        .expect("unknown session");

    let seqs: Vec<Option<u64>> = all.iter().map(|e| e.batch_seq).collect();
    assert_eq!(seqs, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
    assert!(all.iter().all(|e| e.session == s));
    assert_eq!(
        all.iter().map(|e| e.payload.clone()).collect::<Vec<_>>(),
        (0..5).map(|seq| Some(payload(s, seq))).collect::<Vec<_>>(),
        "payloads exactly as appended"
    );
    assert_eq!(
        all.iter().map(|e| e.session_seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5],
        "the session-opened entry (session_seq 0) is not a batch"
    );
    assert_eq!(
        page.iter().map(|e| e.batch_seq).collect::<Vec<_>>(),
        [Some(2), Some(3)]
    );
    assert!(past_end.is_empty());
    assert!(unknown.is_empty());
}
