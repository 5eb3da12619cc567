//! `POST /v1/ingest`: acceptance, every error status, idempotency and gaps.

use serde_json::Value;

use super::batches::{self, new_session};
use super::harness::{PROJECT, SITE, spawn_app, spawn_app_with};
use crate::support::Backend;

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

crate::both_backends!(accepts_a_batch_and_answers_a_receipt);
async fn accepts_a_batch_and_answers_a_receipt(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();
    let body = batches::encoded(PROJECT, session, 0, 20);

    let response = app.post_batch(body.clone()).await;

    assert_eq!(response.status(), 200);
    let receipt = json(response).await;
    assert_eq!(receipt["session_id"], session.to_string());
    assert_eq!(receipt["seq"], 0);
    assert_eq!(
        receipt["session_seq"], 1,
        "entry 0 is the session-opened entry"
    );
    assert_eq!(receipt["duplicate"], false);
    assert_eq!(receipt["leaf_hash"].as_str().expect("hex").len(), 64);
    app.stop().await;
}

crate::both_backends!(a_repeated_batch_gets_the_original_receipt);
async fn a_repeated_batch_gets_the_original_receipt(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();
    let body = batches::encoded(PROJECT, session, 0, 5);
    let first = json(app.post_batch(body.clone()).await).await;

    let again = app.post_batch(body).await;

    assert_eq!(again.status(), 200);
    let again = json(again).await;
    assert_eq!(again["leaf_hash"], first["leaf_hash"]);
    assert_eq!(again["session_seq"], first["session_seq"]);
    assert_eq!(again["duplicate"], true);
    app.stop().await;
}

crate::both_backends!(different_bytes_for_an_accepted_seq_are_a_recorded_conflict);
async fn different_bytes_for_an_accepted_seq_are_a_recorded_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();
    assert_eq!(
        app.post_batch(batches::encoded(PROJECT, session, 0, 5))
            .await
            .status(),
        200
    );

    let response = app
        .post_batch(batches::encoded(PROJECT, session, 0, 6))
        .await;

    assert_eq!(response.status(), 409);
    assert_eq!(json(response).await["error"], "conflict");
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        metrics.contains(r#"affidavit_ingest_rejections_total{reason="conflict"} 1"#),
        "{metrics}"
    );
    assert_eq!(
        crate::support::count_rows(&app, "ingest_conflicts").await,
        1
    );
    app.stop().await;
}

crate::both_backends!(a_gap_is_refused_with_the_expected_seq);
async fn a_gap_is_refused_with_the_expected_seq(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();
    assert_eq!(
        app.post_batch(batches::encoded(PROJECT, session, 0, 1))
            .await
            .status(),
        200
    );

    let response = app
        .post_batch(batches::encoded(PROJECT, session, 2, 1))
        .await;

    assert_eq!(response.status(), 409);
    let body = json(response).await;
    assert_eq!(body["error"], "seq_gap");
    assert_eq!(body["expected_seq"], 1);
    // A new session must start at 0.
    let late_start = app
        .post_batch(batches::encoded(PROJECT, new_session(), 3, 1))
        .await;
    assert_eq!(json(late_start).await["expected_seq"], 0);
    app.stop().await;
}

crate::both_backends!(keys_are_required_and_must_be_known);
async fn keys_are_required_and_must_be_known(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = batches::encoded(PROJECT, new_session(), 0, 1);
    let url = format!("{}/v1/ingest", app.base);

    let missing = app
        .client
        .post(&url)
        .body(body.clone())
        .send()
        .await
        .expect("sent");
    let unknown = app
        .client
        .post(&url)
        .header("X-Affidavit-Key", "awk_nope")
        .body(body.clone())
        .send()
        .await
        .expect("sent");
    let via_query = app
        .client
        .post(format!("{url}?key={}", app.key))
        .body(body)
        .send()
        .await
        .expect("sent");

    assert_eq!(missing.status(), 401);
    assert_eq!(json(missing).await["error"], "unauthorized");
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        via_query.status(),
        200,
        "sendBeacon cannot set headers, so ?key= must work"
    );
    app.stop().await;
}

crate::both_backends!(origins_are_checked_per_project);
async fn origins_are_checked_per_project(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = format!("{}/v1/ingest", app.base);
    let post = |origin: &'static str, session| {
        app.client
            .post(&url)
            .header("X-Affidavit-Key", &app.key)
            .header("Origin", origin)
            .body(batches::encoded(PROJECT, session, 0, 1))
            .send()
    };

    let allowed = post(SITE, new_session()).await.expect("sent");
    let refused = post("https://evil.example", new_session())
        .await
        .expect("sent");
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", SITE)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("sent");
    let bad_preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("sent");

    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], SITE);
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], SITE);
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .expect("ascii")
            .contains("X-Affidavit-Key")
    );
    assert_eq!(bad_preflight.status(), 403);
    app.stop().await;
}

crate::both_backends!(a_key_cannot_write_into_another_project);
async fn a_key_cannot_write_into_another_project(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .post_batch(batches::encoded("someone-else", new_session(), 0, 1))
        .await;

    assert_eq!(response.status(), 403);
    app.stop().await;
}

crate::both_backends!(a_batch_naming_no_project_goes_to_the_keys_project);
async fn a_batch_naming_no_project_goes_to_the_keys_project(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();

    let response = app.post_batch(batches::encoded("", session, 0, 3)).await;

    assert_eq!(response.status(), 200);
    let stored: Vec<_> = app
        .store
        .entries_by_session(None, 100)
        .await
        .expect("entries")
        .into_iter()
        .filter(|entry| entry.session == session && entry.batch_seq.is_some())
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].project, PROJECT);
    app.stop().await;
}

crate::both_backends!(malformed_bodies_are_400_with_a_reason);
async fn malformed_bodies_are_400_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;

    let garbage = app.post_batch(b"definitely not zstd".to_vec()).await;
    let empty = app.post_batch(Vec::new()).await;
    let not_msgpack = app
        .post_batch(zstd::encode_all(&b"\xc1\xc1\xc1"[..], 3).expect("zstd"))
        .await;
    let truncated = {
        let full = batches::encoded(PROJECT, new_session(), 0, 50);
        app.post_batch(full[..full.len() / 2].to_vec()).await
    };

    for response in [garbage, empty, not_msgpack, truncated] {
        assert_eq!(response.status(), 400);
        let body = json(response).await;
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    // Nothing was stored.
    assert_eq!(app.store.pending_count().await.expect("count"), 0);
    app.stop().await;
}

crate::both_backends!(limits_are_413_and_name_the_limit);
async fn limits_are_413_and_name_the_limit(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.ingest.limits.max_compressed_bytes = 64 * 1024;
        s.ingest.limits.max_decompressed_bytes = 256 * 1024;
        s.ingest.limits.max_events = 100;
    })
    .await;

    let too_big = app.post_batch(vec![0x28; 64 * 1024 + 1]).await;
    let bomb = app.post_batch(batches::zip_bomb(64 * 1024 * 1024)).await;
    let too_many = app
        .post_batch(batches::encoded(PROJECT, new_session(), 0, 101))
        .await;
    let just_right = app
        .post_batch(batches::encoded(PROJECT, new_session(), 0, 100))
        .await;

    assert_eq!(too_big.status(), 413);
    assert_eq!(json(too_big).await["error"], "body_too_large");
    assert_eq!(bomb.status(), 413);
    let bomb = json(bomb).await;
    assert!(
        bomb["message"]
            .as_str()
            .expect("message")
            .contains("262144"),
        "{bomb}"
    );
    assert_eq!(too_many.status(), 413);
    assert_eq!(just_right.status(), 200);
    app.stop().await;
}

crate::both_backends!(unknown_paths_and_bad_queries_are_json_errors);
async fn unknown_paths_and_bad_queries_are_json_errors(backend: Backend) {
    let app = spawn_app(backend).await;

    let missing = app.get("/v1/nope").await;
    let bad_query = app.get("/v1/proof/consistency?first=abc").await;

    assert_eq!(missing.status(), 404);
    assert_eq!(json(missing).await["error"], "not_found");
    assert_eq!(bad_query.status(), 400);
    assert_eq!(json(bad_query).await["error"], "bad_query");
    app.stop().await;
}
