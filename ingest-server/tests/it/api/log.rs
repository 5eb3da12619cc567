//! Checkpoints and proofs: what a verifier outside the server can check.

use ledger::{Hash, proof};
use serde_json::Value;

use super::batches::{self, new_session};
use super::harness::{ORIGIN, PROJECT, spawn_app};
use crate::support::Backend;

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|h| Hash::from_hex(h.as_str().expect("hex")).expect("hash"))
        .collect()
}

crate::both_backends!(an_empty_log_serves_a_signed_empty_checkpoint);
async fn an_empty_log_serves_a_signed_empty_checkpoint(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/v1/checkpoint").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let note = response.text().await.expect("body");
    let checkpoint = app
        .verifier()
        .verify(&note)
        .expect("signed by the pinned key");
    assert_eq!(
        (checkpoint.origin.as_str(), checkpoint.size, checkpoint.root),
        (ORIGIN, 0, ledger::empty_root())
    );
    app.stop().await;
}

crate::both_backends!(receipts_are_provably_included_in_a_signed_checkpoint);
async fn receipts_are_provably_included_in_a_signed_checkpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut receipts = Vec::new();
    for s in 0..3 {
        let session = new_session();
        for seq in 0..4 {
            let r: Value = app
                .post_batch(batches::encoded(PROJECT, session, seq, 3 + s))
                .await
                .json()
                .await
                .expect("receipt");
            receipts.push(Hash::from_hex(r["leaf_hash"].as_str().expect("hex")).expect("hash"));
        }
    }
    // 3 sessions × (1 opened + 4 batches)
    let checkpoint = app.wait_for_tree(15).await;
    assert_eq!(checkpoint.size, 15);

    for leaf in &receipts {
        let body: Value = app
            .get(&format!("/v1/proof/inclusion?leaf_hash={leaf}"))
            .await
            .json()
            .await
            .expect("proof");
        let index = body["index"].as_u64().expect("index");
        assert_eq!(body["size"], 15);
        proof::verify_inclusion(leaf, index, 15, &hashes(&body["proof"]), &checkpoint.root)
            .expect("inclusion proof verifies against the signed root");
        // A proof for another leaf's position must not verify this leaf.
        let wrong = (index + 1) % 15;
        assert!(
            proof::verify_inclusion(leaf, wrong, 15, &hashes(&body["proof"]), &checkpoint.root)
                .is_err()
        );
    }
    app.stop().await;
}

crate::both_backends!(consecutive_checkpoints_are_provably_consistent);
async fn consecutive_checkpoints_are_provably_consistent(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = new_session();
    app.post_batch(batches::encoded(PROJECT, session, 0, 2))
        .await;
    let first = app.wait_for_tree(2).await;
    for seq in 1..6 {
        app.post_batch(batches::encoded(PROJECT, session, seq, 2))
            .await;
    }
    let second = app.wait_for_tree(7).await;

    let body: Value = app
        .get(&format!(
            "/v1/proof/consistency?first={}&second={}",
            first.size, second.size
        ))
        .await
        .json()
        .await
        .expect("proof");

    proof::verify_consistency(
        first.size,
        second.size,
        &hashes(&body["proof"]),
        &first.root,
        &second.root,
    )
    .expect("the log only grew");
    let beyond = app
        .get(&format!(
            "/v1/proof/consistency?first=1&second={}",
            second.size + 100
        ))
        .await;
    assert_eq!(beyond.status(), 400, "proofs only to published sizes");
    let pending = app
        .get(&format!(
            "/v1/proof/inclusion?leaf_hash={}",
            "ab".repeat(32)
        ))
        .await;
    assert_eq!(pending.status(), 404);
    app.stop().await;
}

crate::both_backends!(many_concurrent_sessions_keep_every_chain_intact);
async fn many_concurrent_sessions_keep_every_chain_intact(backend: Backend) {
    let app = spawn_app(backend).await;
    let sessions: Vec<_> = (0..40).map(|_| new_session()).collect();
    let mut tasks = Vec::new();
    for session in sessions.clone() {
        let client = app.client.clone();
        let url = format!("{}/v1/ingest", app.base);
        let key = app.key.clone();
        tasks.push(tokio::spawn(async move {
            for seq in 0..8 {
                let response = client
                    .post(&url)
                    .header("X-Affidavit-Key", &key)
                    .body(batches::encoded(PROJECT, session, seq, 10))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(response.status(), 200, "session {session} seq {seq}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("client task");
    }
    let expected = 40 * (1 + 8);
    app.wait_for_tree(expected).await;
    let (settings, store, data_dir) = app.stop().await;

    let report = crate::api::fsck(store.as_ref(), &settings, &data_dir).await;
    assert!(report.ok(), "{:?}", report.findings);
    assert_eq!(
        (report.sessions, report.entries, report.tree_size),
        (40, expected, expected)
    );
}

crate::both_backends!(health_and_metrics_report_the_truth);
async fn health_and_metrics_report_the_truth(backend: Backend) {
    let app = spawn_app(backend).await;
    app.post_batch(batches::encoded(PROJECT, new_session(), 0, 7))
        .await;
    app.post_batch(b"junk".to_vec()).await;
    app.wait_for_tree(2).await;

    let health: Value = app.get("/healthz").await.json().await.expect("json");
    let metrics = app.get("/metrics").await.text().await.expect("text");

    assert_eq!(health["status"], "ok");
    assert_eq!(health["storage"], backend.name());
    assert!(
        metrics.contains(r#"affidavit_ingest_batches_total{outcome="appended"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("affidavit_ingest_events_total 7"),
        "{metrics}"
    );
    assert!(metrics.contains("affidavit_tree_size 2"), "{metrics}");
    assert!(
        metrics.contains("affidavit_integrator_pending_entries 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("affidavit_ingest_rejections_total{reason="),
        "{metrics}"
    );
    app.stop().await;
}

crate::both_backends!(a_graceful_stop_integrates_everything_accepted);
async fn a_graceful_stop_integrates_everything_accepted(backend: Backend) {
    let app = spawn_app_slow_integrator(backend).await;
    let session = new_session();
    for seq in 0..5 {
        assert_eq!(
            app.post_batch(batches::encoded(PROJECT, session, seq, 2))
                .await
                .status(),
            200
        );
    }

    let (_, store, _) = app.stop().await;

    assert_eq!(store.pending_count().await.expect("count"), 0);
    assert_eq!(store.tree_size().await.expect("size"), 6);
}

async fn spawn_app_slow_integrator(backend: Backend) -> super::harness::TestApp {
    // An hour between steps: only the shutdown step can integrate.
    super::harness::spawn_app_with(backend, |s| s.integrator.interval_ms = 3_600_000).await
}

crate::both_backends!(every_signed_checkpoint_stays_at_a_stable_address);
async fn every_signed_checkpoint_stays_at_a_stable_address(backend: Backend) {
    let app = spawn_app(backend).await;
    // Two integrations: two checkpoints of different sizes.
    let first = new_session();
    let response = app.post_batch(batches::encoded(PROJECT, first, 0, 2)).await;
    assert_eq!(response.status(), 200);
    app.wait_for_tree(2).await;
    let second = new_session();
    let response = app
        .post_batch(batches::encoded(PROJECT, second, 0, 2))
        .await;
    assert_eq!(response.status(), 200);
    let latest = app.wait_for_tree(4).await;

    let all: Value = app.get("/v1/checkpoints").await.json().await.expect("json");
    let sizes: Vec<u64> = all["checkpoints"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["size"].as_u64().expect("size"))
        .collect();
    assert!(sizes.contains(&2) && sizes.contains(&latest.size), "{all}");
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "smallest first");
    assert!(all.get("next_after").is_none(), "one page holds them all");
    for item in all["checkpoints"].as_array().expect("list") {
        let response = app.get(item["url"].as_str().expect("url")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let note = response.text().await.expect("note");
        let checkpoint = app.verifier().verify(&note).expect("signed");
        assert_eq!(Some(checkpoint.size), item["size"].as_u64());
        assert_eq!(
            checkpoint.root.to_hex(),
            item["root"].as_str().expect("root")
        );
    }
    // The latest, also at its own address, is the one /v1/checkpoint serves.
    let current = app.get("/v1/checkpoint").await.text().await.expect("note");
    let pinned = app
        .get(&format!("/v1/checkpoints/{}", latest.size))
        .await
        .text()
        .await
        .expect("note");
    assert_eq!(current, pinned);
    let empty = app
        .get("/v1/checkpoints/0")
        .await
        .text()
        .await
        .expect("note");
    assert_eq!(app.verifier().verify(&empty).expect("signed").size, 0);

    // Paging: one at a time, following next_after.
    let page: Value = app
        .get("/v1/checkpoints?limit=1")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["checkpoints"].as_array().expect("list").len(), 1);
    let next = page["next_after"].as_u64().expect("more to come");
    let page: Value = app
        .get(&format!("/v1/checkpoints?after={next}&limit=1"))
        .await
        .json()
        .await
        .expect("json");
    assert!(page["checkpoints"][0]["size"].as_u64().expect("size") > next);

    for (path, status, code) in [
        ("/v1/checkpoints/3000", 404, "not_found"),
        ("/v1/checkpoints/three", 400, "bad_size"),
        ("/v1/checkpoints?limit=0", 400, "bad_limit"),
        ("/v1/checkpoints?limit=1001", 400, "bad_limit"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let body: Value = response.json().await.expect("json error");
        assert_eq!(body["error"], code, "{path}");
    }
    let unknown = app.get("/v1/checkpoints?since=3").await;
    assert_eq!(unknown.status(), 400, "unknown parameters are refused");
    app.stop().await;
}
