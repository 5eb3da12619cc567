//! Closing idle sessions end to end on both stores: the closer appends
//! `session_closed` once a session has gone quiet, nothing can follow it (a
//! retry of a batch it holds still gets its receipt), and a bundle proves the
//! recording complete.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ingest_server::auth::Role;
use ingest_server::seal::EntrySeal;
use ingest_server::session_close::{CLOSE_ACTOR, Closer};
use ledger::bundle::{Outcome, verify_bundle};
use protocol::api::{AccessRecord, SessionAudit};
use serde_json::Value;

use super::batches;
use super::harness::{PROJECT, TestApp, spawn_app};
use super::sign_in::sign_in;
use super::viewer::{error_code, record};
use crate::support::Backend;

const HOUR_MS: i64 = 3_600_000;

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

fn closer(app: &TestApp) -> Closer {
    let signer = ingest_server::keys::load(app.data_dir.path()).expect("signing key");
    Closer {
        store: Arc::clone(&app.store),
        origin: app.settings.log_origin.clone(),
        seal: EntrySeal::from_signer(&signer),
        settings: app.settings.session_close.clone(),
    }
}

crate::both_backends!(an_idle_session_is_closed_once_and_nothing_follows_the_close);
async fn an_idle_session_is_closed_once_and_nothing_follows_the_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let reviewer = sign_in(&app, "rita", Role::Reviewer).await;
    let (session, sent) = record(&app, 2).await;
    let closer = closer(&app);
    let idle = i64::try_from(app.settings.session_close.close_after_idle_ms).expect("fits");

    assert_eq!(
        closer.sweep(now_ms()).await.expect("sweep"),
        0,
        "still live"
    );
    let later = now_ms() + idle + HOUR_MS;
    assert_eq!(
        closer.sweep(later).await.expect("sweep"),
        1,
        "only the recording: the access log's own chain is never closed"
    );
    assert_eq!(closer.sweep(later).await.expect("sweep"), 0, "closed once");

    let audit: SessionAudit = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/audit"))
        .await
        .json()
        .await
        .expect("audit");
    let last = audit.entries.last().expect("entries");
    assert_eq!(last.kind, "session_closed");
    assert_eq!(last.actor, CLOSE_ACTOR);
    let record: AccessRecord = serde_json::from_slice(
        &STANDARD
            .decode(last.payload.as_deref().expect("payload"))
            .expect("base64"),
    )
    .expect("record");
    assert!(
        record
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("no batch for")),
        "{record:?}"
    );

    let next = app
        .post_batch(batches::encoded(PROJECT, session, 2, 2))
        .await;
    assert_eq!(next.status(), 409);
    assert_eq!(error_code(next).await, "session_closed");
    let retry = app.post_batch(sent[1].clone()).await;
    assert_eq!(
        retry.status(),
        200,
        "a retry of a batch it holds is answered"
    );
    let receipt: Value = retry.json().await.expect("receipt");
    assert_eq!(receipt["duplicate"], true);

    app.wait_for_session(session).await;
    let response = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/export"))
        .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("bundle");
    let report = verify_bundle(&bytes, &app.verifier(), None);
    assert!(report.passed(), "{:?}", report.failures());
    let close = report
        .checks
        .iter()
        .find(|c| c.name == "session close")
        .expect("the session close check");
    assert!(
        matches!(&close.outcome, Outcome::Pass(text) if text.contains("closed at entry 3")),
        "{:?}",
        close.outcome
    );
    let (settings, store, data_dir) = app.stop().await;
    let fsck = super::fsck(store.as_ref(), &settings, &data_dir).await;
    assert!(fsck.ok(), "{:?}", fsck.findings);
}

crate::both_backends!(a_budget_bounds_each_close_pass);
async fn a_budget_bounds_each_close_pass(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..3 {
        record(&app, 1).await;
    }
    let mut closer = closer(&app);
    closer.settings.max_closes_per_pass = 2;
    let idle = i64::try_from(closer.settings.close_after_idle_ms).expect("fits");
    let later = now_ms() + idle + HOUR_MS;
    assert_eq!(closer.sweep(later).await.expect("sweep"), 2);
    assert_eq!(
        closer.sweep(later).await.expect("sweep"),
        1,
        "the rest next pass"
    );
    assert_eq!(closer.sweep(later).await.expect("sweep"), 0);
    app.stop().await;
}
