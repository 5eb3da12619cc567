//! `GET /v1/sessions/{id}`: one session with its pages, traits and event names, and
//! its verification and index state.

use serde_json::{Value, json};
use uuid::Uuid;

use super::events::{append_directly, encode, foreign_signer, meta, record};
use super::fixture::record_fixture;
use super::{get_json, wait_until};
use crate::api::harness::{spawn_app, spawn_app_with};
use crate::support::Backend;
use ingest_server::seal::EntrySeal;

crate::both_backends!(a_session_shows_its_pages_traits_and_events_and_is_sealed_once_integrated);
async fn a_session_shows_its_pages_traits_and_events_and_is_sealed_once_integrated(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;
    // 4 sessions: 4 opened entries + 6 batches.
    app.wait_for_tree(10).await;

    let s1 = wait_until(&app, &format!("/v1/sessions/{}", f.s1), |s| {
        s["verification"] == "sealed"
    })
    .await;

    assert_eq!(s1["session_id"], f.s1.to_string());
    assert_eq!(s1["user_id"], "alice");
    assert_eq!(
        s1["pages"],
        json!([
            {"url": "https://shop.example/checkout/pay", "path": "/checkout/pay"},
            {"url": "https://shop.example/checkout?step=1", "path": "/checkout"},
        ])
    );
    assert_eq!(s1["traits"], json!({"country": "de", "plan": "pro"}));
    assert_eq!(s1["event_names"], json!(["purchase"]));
    assert_eq!(
        (&s1["entries"], &s1["integrated_entries"]),
        (&json!(3), &json!(3))
    );
    assert_eq!(s1["indexed"], true);
    let listed = get_json(&app, "/v1/sessions?project=shop&order=asc").await;
    assert_eq!(listed["sessions"][0]["verification"], "sealed");
    app.stop().await;
}

crate::both_backends!(a_session_the_indexer_has_not_reached_is_shown_unindexed);
async fn a_session_the_indexer_has_not_reached_is_shown_unindexed(backend: Backend) {
    // The indexer's first step is one interval after start: an hour away.
    let app = spawn_app_with(backend, |s| s.indexer.interval_ms = 3_600_000).await;
    let session = Uuid::now_v7();
    record(&app, session, vec![vec![meta(0, "https://shop.example/")]]).await;

    let detail = get_json(&app, &format!("/v1/sessions/{session}")).await;
    let listing = get_json(&app, "/v1/sessions").await;

    assert_eq!(detail["indexed"], false);
    assert_eq!(detail["started_at_ms"], Value::Null);
    assert_eq!(detail["event_count"], Value::Null);
    assert_eq!(detail["pages"], json!([]));
    assert_eq!(
        (&detail["batch_count"], &detail["entries"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(listing["total"], 0, "the list shows indexed sessions only");
    app.stop().await;
}

crate::both_backends!(an_entry_the_tree_refused_leaves_its_session_pending);
async fn an_entry_the_tree_refused_leaves_its_session_pending(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = Uuid::now_v7();
    record(&app, session, vec![vec![meta(0, "https://shop.example/")]]).await;
    // Batch 1 written around the server, without its seal: the integrator refuses
    // it for good, so the session can never be sealed.
    let forged = encode("", session, 1, vec![meta(5, "https://shop.example/x")]);
    append_directly(
        &app,
        session,
        1,
        forged,
        &EntrySeal::from_signer(&foreign_signer()),
    )
    .await;

    let detail = wait_until(&app, &format!("/v1/sessions/{session}"), |s| {
        s["indexed"] == true && s["integrated_entries"] == 2
    })
    .await;

    assert_eq!(detail["entries"], 3);
    assert_eq!(detail["verification"], "pending");
    app.stop().await;
}

crate::both_backends!(unknown_and_malformed_session_ids_are_refused);
async fn unknown_and_malformed_session_ids_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;

    let unknown = app
        .viewer_get(&format!("/v1/sessions/{}", Uuid::now_v7()))
        .await;
    let malformed = app.viewer_get("/v1/sessions/not-a-session").await;

    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.expect("JSON")["error"],
        "not_found"
    );
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.expect("JSON");
    assert_eq!(body["error"], "bad_session_id");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("not-a-session")),
        "{body}"
    );
    app.stop().await;
}
