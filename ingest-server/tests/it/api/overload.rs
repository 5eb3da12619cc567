//! Back-pressure and outages: 429 when the writers are saturated, 503 when storage
//! cannot answer — and in both cases nothing half-stored, and a retry succeeds.

use std::time::Duration;

use serde_json::Value;

use super::batches::{self, new_session};
use super::harness::{PROJECT, TestApp, spawn_app_with, start, test_settings};
use crate::support::proxy::Proxy;
use crate::support::{self, Backend};

/// Polls `/metrics` until `needle` appears (bounded).
async fn wait_for_metric(app: &TestApp, needle: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if app
            .get("/metrics")
            .await
            .text()
            .await
            .expect("metrics")
            .contains(needle)
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "metric never showed {needle}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn post(app: &TestApp, body: Vec<u8>) -> tokio::task::JoinHandle<reqwest::Response> {
    let request = app
        .client
        .post(format!("{}/v1/ingest", app.base))
        .header("X-Affidavit-Key", &app.key)
        .body(body);
    tokio::spawn(async move { request.send().await.expect("sent") })
}

crate::both_backends!(a_full_writer_queue_is_429_with_retry_after);
async fn a_full_writer_queue_is_429_with_retry_after(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.ingest.writer_shards = 1;
        s.ingest.queue_depth_per_shard = 1;
        s.ingest.max_group_batches = 1;
        s.ingest.retry_after_s = 2;
        s.database.sqlite.busy_timeout_ms = 30_000;
        s.database.postgres.statement_timeout_ms = 30_000;
    })
    .await;
    // Six sessions opened first: a session's first batch makes its data key, a
    // write of its own that the lock below would hold up before the queue.
    let sessions: Vec<_> = (0..6).map(|_| new_session()).collect();
    for &session in &sessions {
        let opened = app
            .post_batch(batches::encoded(PROJECT, session, 0, 1))
            .await;
        assert_eq!(opened.status(), 200);
    }
    wait_for_metric(&app, "affidavit_ingest_commit_group_batches_count 6").await;
    let lock = support::raw_db(&app).await.hold_write_lock().await;
    let first = post(&app, batches::encoded(PROJECT, sessions[0], 1, 3));
    // The writer has taken the first batch and is blocked on the lock.
    wait_for_metric(&app, "affidavit_ingest_commit_group_batches_count 7").await;

    let bodies: Vec<Vec<u8>> = sessions[1..]
        .iter()
        .map(|&session| batches::encoded(PROJECT, session, 1, 3))
        .collect();
    let mut waiting: Vec<_> = bodies
        .iter()
        .map(|b| (b.clone(), post(&app, b.clone())))
        .collect();
    let mut refused = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while refused.len() < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of 5 were refused",
            refused.len()
        );
        let (done, pending): (Vec<_>, Vec<_>) = waiting
            .into_iter()
            .partition(|(_, task)| task.is_finished());
        waiting = pending;
        for (body, task) in done {
            refused.push((body, task.await.expect("request task")));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    assert_eq!(waiting.len(), 1, "exactly one batch fits the queue");
    for (_, response) in &refused {
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "2");
    }
    let (_, sample) = refused.pop().expect("one");
    let body: Value = sample.json().await.expect("json");
    assert_eq!(body["error"], "overloaded");

    lock.release().await;
    assert_eq!(first.await.expect("task").status(), 200);
    let (_, queued) = waiting.pop().expect("queued one");
    assert_eq!(queued.await.expect("task").status(), 200);
    for (body, _) in refused {
        assert_eq!(
            app.post_batch(body).await.status(),
            200,
            "a refused batch is accepted on retry"
        );
    }
    app.stop().await;
}

crate::both_backends!(a_storage_timeout_is_503_and_stores_nothing);
async fn a_storage_timeout_is_503_and_stores_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.database.sqlite.busy_timeout_ms = 300;
        s.database.postgres.statement_timeout_ms = 300;
    })
    .await;
    let session = new_session();
    let body = batches::encoded(PROJECT, session, 0, 3);
    let lock = support::raw_db(&app).await.hold_write_lock().await;

    let refused = app.post_batch(body.clone()).await;

    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.json::<Value>().await.expect("json")["error"],
        "unavailable"
    );
    lock.release().await;
    let retried: Value = app.post_batch(body).await.json().await.expect("receipt");
    assert_eq!(
        retried["duplicate"], false,
        "the refused attempt left nothing behind"
    );
    assert_eq!(retried["session_seq"], 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_is_503_and_ingest_resumes_when_it_is_back() {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(&data_dir);
    let url = support::postgres::database(&support::postgres_database_for(data_dir.path())).await;
    let upstream = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("host:port in URL");
    let proxy = Proxy::start(upstream.parse().expect("socket address")).await;
    settings.database.url = Some(url.replacen(upstream, &proxy.addr.to_string(), 1));
    settings.database.postgres.acquire_timeout_ms = 1_000;
    let store = ingest_server::startup::open_store(&settings)
        .await
        .expect("store opens");
    let app = start(Backend::Postgres, settings, store, data_dir, true).await;
    let session = new_session();
    assert_eq!(
        app.post_batch(batches::encoded(PROJECT, session, 0, 2))
            .await
            .status(),
        200
    );

    proxy.cut();
    let health = app.get("/healthz").await;
    let ingest = app
        .post_batch(batches::encoded(PROJECT, session, 1, 2))
        .await;

    assert_eq!(health.status(), 503);
    assert_eq!(ingest.status(), 503);
    assert_eq!(
        ingest.json::<Value>().await.expect("json")["error"],
        "unavailable"
    );

    proxy.restore().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while app.get("/healthz").await.status() != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "storage never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let retried: Value = app
        .post_batch(batches::encoded(PROJECT, session, 1, 2))
        .await
        .json()
        .await
        .expect("receipt");
    assert_eq!(retried["duplicate"], false);
    assert_eq!(retried["seq"], 1);
    app.wait_for_tree(3).await;
    app.stop().await;
}
