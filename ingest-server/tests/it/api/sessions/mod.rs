//! `GET /v1/sessions` and `GET /v1/sessions/{id}` over the session index, and the
//! indexer behind them: real recorded events ingested through `POST /v1/ingest`.

mod detail;
mod events;
mod filters;
mod fixture;
mod indexer;
mod paging;

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use super::harness::TestApp;

/// Waits (polling, bounded) until the index lists `sessions` sessions and every one
/// on the first page reflects all its stored batches; returns that page.
pub async fn wait_for_index(app: &TestApp, sessions: u64) -> Value {
    wait_until(app, "/v1/sessions", |body| {
        body["total"] == sessions
            && body["sessions"]
                .as_array()
                .is_some_and(|rows| !rows.is_empty() && rows.iter().all(|r| r["indexed"] == true))
    })
    .await
}

/// Waits (polling, bounded) until the JSON at `path` satisfies `done`; returns it.
pub async fn wait_until(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.viewer_get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.expect("JSON body");
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never got there: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The session ids of a listing, in order.
pub fn ids(listing: &Value) -> Vec<Uuid> {
    listing["sessions"]
        .as_array()
        .expect("sessions array")
        .iter()
        .map(|row| {
            row["session_id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid")
        })
        .collect()
}

/// GETs `path`, expecting 200 and JSON.
pub async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.viewer_get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON body")
}
