//! Erasure end to end on both stores (decision 0016): an admin's request and a
//! project's retention destroy the session's data key and append the
//! `session_erased` entry; the recording can no longer be read or added to,
//! while its chain, the tree and an exported bundle still verify.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ingest_server::auth::Role;
use ingest_server::data_keys::KeyState;
use ingest_server::retention::{RETENTION_ACTOR, Reaper};
use ingest_server::seal::EntrySeal;
use ledger::bundle::{Outcome, verify_bundle};
use ledger::sealed::open_payload;
use protocol::api::{AccessRecord, AuditEntry, ErasureReceipt, SessionAudit};
use protocol::frames::read_frames;
use serde_json::{Value, json};
use uuid::Uuid;

use super::batches::{self, STARTED_AT_MS, new_session};
use super::harness::{PROJECT, TestApp, spawn_app};
use super::session_cli::affidavit;
use super::sign_in::{SignedIn, sign_in};
use super::viewer::{data_key, error_code, record};
use crate::support::Backend;

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

async fn erase_as(
    app: &TestApp,
    who: &SignedIn,
    session: Uuid,
    body: Value,
    csrf: bool,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/v1/sessions/{session}/erase", app.base))
        .header("cookie", &who.cookie)
        .json(&body);
    if csrf {
        request = request.header("x-affidavit-csrf", &who.csrf);
    }
    request.send().await.expect("request is sent")
}

async fn audit(app: &TestApp, who: &SignedIn, session: Uuid) -> SessionAudit {
    let response = app
        .get_as(who, &format!("/v1/sessions/{session}/audit"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("audit json")
}

fn access_record(entry: &AuditEntry) -> AccessRecord {
    let payload = STANDARD
        .decode(
            entry
                .payload
                .as_deref()
                .expect("an access entry has a payload"),
        )
        .expect("base64");
    serde_json::from_slice(&payload).expect("access record")
}

async fn key_state(app: &TestApp, session: Uuid) -> KeyState {
    // A node of its own, with no cache: what the stored key row says.
    let keys = app.settings.data_keys(false).expect("master key");
    keys.for_reading(app.store.as_ref(), session)
        .await
        .expect("key state")
}

/// Polls the session detail until the indexer has read its first page.
async fn wait_until_indexed(app: &TestApp, who: &SignedIn, session: Uuid) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let response = app.get_as(who, &format!("/v1/sessions/{session}")).await;
        if response.status() == 200 {
            let detail: Value = response.json().await.expect("detail json");
            if detail["pages"].as_array().is_some_and(|p| !p.is_empty()) {
                return detail;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "session {session} was never indexed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::both_backends!(an_erased_recording_is_unreadable_and_its_log_still_verifies);
async fn an_erased_recording_is_unreadable_and_its_log_still_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sign_in(&app, "ada", Role::Admin).await;
    let reviewer = sign_in(&app, "rita", Role::Reviewer).await;
    let (session, sent) = record(&app, 3).await;
    let before = wait_until_indexed(&app, &reviewer, session).await;
    assert!(before.to_string().contains("checkout"), "{before}");
    // A view before the erasure: the stored bytes and the key that opened them.
    let view = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(view.status(), 200);
    let old_key = data_key(&view);
    let frames_body = view.bytes().await.expect("events");
    let stored: Vec<(u64, Vec<u8>)> = read_frames(&frames_body, usize::MAX)
        .expect("frames")
        .iter()
        .map(|f| (f.batch_seq, f.payload.to_vec()))
        .collect();
    assert_eq!(stored.len(), 3);

    let response = erase_as(
        &app,
        &admin,
        session,
        json!({"reason": "  GDPR request 42 "}),
        true,
    )
    .await;
    assert_eq!(response.status(), 200);
    let receipt: ErasureReceipt = response.json().await.expect("receipt");
    assert_eq!(receipt.session_id, session.to_string());
    assert_eq!(
        receipt.session_seq, 5,
        "opened, 3 batches, a view, then this"
    );

    // The key is gone from storage: nothing on the server can open the payloads.
    assert!(matches!(
        key_state(&app, session).await,
        KeyState::Erased { at_ms: Some(_) }
    ));
    let row = app
        .store
        .session_key(session)
        .await
        .expect("key row")
        .expect("the row stays, as a tombstone");
    assert_eq!(row.wrapped_key, None);
    // The stored bytes are unchanged, and are ciphertext: without the key they say nothing.
    let still_stored: Vec<Vec<u8>> = app
        .store
        .session_batches(session, 0, 100)
        .await
        .expect("stored batches")
        .into_iter()
        .map(|r| r.payload.expect("payload"))
        .collect();
    assert_eq!(still_stored.len(), 3);
    for ((seq, before), after) in stored.iter().zip(&still_stored) {
        assert_eq!(before, after, "batch {seq} is kept byte for byte");
        assert_ne!(after, &sent[*seq as usize], "batch {seq} is not plaintext");
        // Only the key handed out before the erasure opens it; the server has none now.
        let opened = open_payload(&old_key, &session, *seq, after).expect("opens");
        assert_eq!(opened, sent[*seq as usize]);
    }

    // The replay is gone, and no view is recorded for a replay that cannot happen.
    let gone = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(gone.status(), 410);
    assert_eq!(error_code(gone).await, "erased");
    // It takes no more batches either.
    let late = app
        .post_batch(batches::encoded(PROJECT, session, 3, 2))
        .await;
    assert_eq!(late.status(), 410);
    assert_eq!(error_code(late).await, "erased");
    // What the index had learned from the payloads is forgotten.
    let detail: Value = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}"))
        .await
        .json()
        .await
        .expect("detail");
    assert!(!detail.to_string().contains("checkout"), "{detail}");

    // The chain shows who erased it, when and why.
    let chain = audit(&app, &reviewer, session).await;
    let kinds: Vec<&str> = chain.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "session_opened",
            "batch_received",
            "batch_received",
            "batch_received",
            "replay_viewed",
            "session_erased"
        ]
    );
    let erasure = chain.entries.last().expect("entries");
    assert_eq!(erasure.actor, "user:ada");
    assert_eq!(erasure.leaf_hash, receipt.leaf_hash);
    let why = access_record(erasure);
    assert_eq!(why.reason.as_deref(), Some("GDPR request 42"));
    assert_eq!((why.user.as_str(), why.role.as_str()), ("ada", "admin"));

    // Erasing twice is refused; the chain gains nothing.
    let again = erase_as(&app, &admin, session, json!({"reason": "again"}), true).await;
    assert_eq!(again.status(), 409);
    assert_eq!(audit(&app, &reviewer, session).await.entries.len(), 6);

    // The log still verifies: an exported bundle, and fsck over the whole store.
    app.wait_for_session(session).await;
    let bundle = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/export"))
        .await;
    assert_eq!(bundle.status(), 200);
    let bytes = bundle.bytes().await.expect("bundle");
    let report = verify_bundle(&bytes, &app.verifier(), None);
    assert!(report.passed(), "{:?}", report.failures());
    let opened = report.bundle.as_ref().expect("bundle");
    assert_eq!(
        opened.data_key, None,
        "an erased session's bundle has no key"
    );
    let sealed = report
        .checks
        .iter()
        .find(|c| c.name == "sealed payloads")
        .expect("the sealed payloads check");
    assert!(
        matches!(&sealed.outcome, Outcome::Info(text) if text.contains("erased at") && text.contains("user:ada")),
        "{:?}",
        sealed.outcome
    );
    let (settings, store, data_dir) = app.stop().await;
    let fsck = super::fsck(store.as_ref(), &settings, &data_dir).await;
    assert!(fsck.ok(), "{:?}", fsck.findings);
}

crate::both_backends!(only_an_admin_erases_with_a_reason_and_refusals_are_on_the_record);
async fn only_an_admin_erases_with_a_reason_and_refusals_are_on_the_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sign_in(&app, "ada", Role::Admin).await;
    let reviewer = sign_in(&app, "rita", Role::Reviewer).await;
    let (session, _) = record(&app, 2).await;
    let reason = json!({"reason": "ticket 7"});

    let not_admin = erase_as(&app, &reviewer, session, reason.clone(), true).await;
    assert_eq!(not_admin.status(), 403);
    let no_csrf = erase_as(&app, &admin, session, reason.clone(), false).await;
    assert_eq!(no_csrf.status(), 403);
    for bad in [json!({"reason": "   "}), json!({"reason": "x".repeat(501)})] {
        let response = erase_as(&app, &admin, session, bad, true).await;
        assert_eq!(response.status(), 400);
        assert_eq!(error_code(response).await, "bad_reason");
    }
    let extra = erase_as(
        &app,
        &admin,
        session,
        json!({"reason": "ok", "force": true}),
        true,
    )
    .await;
    assert_eq!(extra.status(), 400);
    let unknown = erase_as(&app, &admin, new_session(), reason.clone(), true).await;
    assert_eq!(unknown.status(), 404);

    // Nothing was erased, and both refusals are in the session's chain.
    assert!(matches!(
        key_state(&app, session).await,
        KeyState::Sealed(_)
    ));
    let chain = audit(&app, &admin, session).await;
    let denials: Vec<(String, Option<String>)> = chain
        .entries
        .iter()
        .filter(|e| e.kind == "access_denied")
        .map(|e| {
            let r = access_record(e);
            (format!("{}:{}", r.user, r.action), r.reason)
        })
        .collect();
    assert_eq!(
        denials,
        [
            ("rita:session_erased".to_owned(), Some("role".to_owned())),
            (
                "ada:POST /v1/sessions/{id}/erase".to_owned(),
                Some("csrf".to_owned())
            ),
        ]
    );
    assert!(chain.entries.iter().all(|e| e.kind != "session_erased"));
    let events = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(events.status(), 200, "the recording is still there");
    app.stop().await;
}

crate::both_backends!(retention_erases_what_its_project_keeps_too_long_once);
async fn retention_erases_what_its_project_keeps_too_long_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let reviewer = sign_in(&app, "rita", Role::Reviewer).await;
    let (session, _) = record(&app, 2).await;
    let now = now_ms();
    let started = STARTED_AT_MS;
    assert!(
        app.store
            .set_retention(PROJECT, Some(1), now)
            .await
            .expect("set")
    );
    assert!(
        !app.store
            .set_retention("no-such-project", Some(1), now)
            .await
            .expect("set"),
        "an unknown project is said to be unknown"
    );
    let signer = ingest_server::keys::load(app.data_dir.path()).expect("signing key");
    let reaper = Reaper {
        store: app.store.clone(),
        origin: app.settings.log_origin.clone(),
        seal: EntrySeal::from_signer(&signer),
        keys: std::sync::Arc::new(app.settings.data_keys(false).expect("master key")),
        settings: app.settings.retention.clone(),
    };

    // Age counts from when the recording started, as its batches say.
    assert_eq!(
        reaper.sweep(started + DAY_MS / 2).await.expect("sweep"),
        0,
        "not yet a day old"
    );
    assert_eq!(
        reaper.sweep(started + 2 * DAY_MS).await.expect("sweep"),
        1,
        "two days on, a one-day policy erases it"
    );
    assert_eq!(
        reaper.sweep(started + 3 * DAY_MS).await.expect("sweep"),
        0,
        "an erased session is not erased again"
    );

    let gone = app
        .get_as(&reviewer, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(gone.status(), 410);
    let chain = audit(&app, &reviewer, session).await;
    let erasure = chain.entries.last().expect("entries");
    assert_eq!(erasure.kind, "session_erased");
    assert_eq!(erasure.actor, RETENTION_ACTOR);
    let why = access_record(erasure).reason.expect("a reason");
    assert!(why.contains("1 day"), "{why}");
    app.stop().await;
}

crate::both_backends!(a_budget_bounds_each_retention_pass);
async fn a_budget_bounds_each_retention_pass(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(record(&app, 1).await.0);
    }
    let now = now_ms();
    app.store
        .set_retention(PROJECT, Some(1), now)
        .await
        .expect("set");
    let signer = ingest_server::keys::load(app.data_dir.path()).expect("signing key");
    let mut settings = app.settings.retention.clone();
    settings.max_erasures_per_pass = 2;
    let reaper = Reaper {
        store: app.store.clone(),
        origin: app.settings.log_origin.clone(),
        seal: EntrySeal::from_signer(&signer),
        keys: std::sync::Arc::new(app.settings.data_keys(false).expect("master key")),
        settings,
    };
    let later = STARTED_AT_MS + 2 * DAY_MS;
    assert_eq!(reaper.sweep(later).await.expect("sweep"), 2);
    assert_eq!(
        reaper.sweep(later).await.expect("sweep"),
        1,
        "the rest next pass"
    );
    for session in sessions {
        assert!(matches!(
            key_state(&app, session).await,
            KeyState::Erased { .. }
        ));
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_erases_through_the_same_path_and_names_its_operator() {
    let app = spawn_app(Backend::Sqlite).await;
    let reviewer = sign_in(&app, "rita", Role::Reviewer).await;
    let (session, _) = record(&app, 2).await;
    let id = session.to_string();

    let no_reason = affidavit(&app, &["session", "erase", &id, "--reason", " "]).await;
    assert!(!no_reason.status.success());
    assert!(
        String::from_utf8_lossy(&no_reason.stderr).contains("needs a reason"),
        "{no_reason:?}"
    );
    let erased = affidavit(
        &app,
        &[
            "session",
            "erase",
            &id,
            "--reason",
            "DPO ticket 9",
            "--as",
            "olga",
        ],
    )
    .await;
    assert!(erased.status.success(), "{erased:?}");
    let twice = affidavit(&app, &["session", "erase", &id, "--reason", "again"]).await;
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("already erased"),
        "{twice:?}"
    );
    let dump = affidavit(&app, &["session", "dump", &id]).await;
    assert!(!dump.status.success());
    assert!(
        String::from_utf8_lossy(&dump.stderr).contains("erased"),
        "{dump:?}"
    );

    let chain = audit(&app, &reviewer, session).await;
    let erasure = chain.entries.last().expect("entries");
    assert_eq!(erasure.kind, "session_erased");
    assert_eq!(erasure.actor, "cli:olga");
    assert_eq!(
        access_record(erasure).reason.as_deref(),
        Some("DPO ticket 9")
    );

    let retention = affidavit(
        &app,
        &["project", "set-retention", PROJECT, "30", "--as", "olga"],
    )
    .await;
    assert!(retention.status.success(), "{retention:?}");
    let bad = affidavit(&app, &["project", "set-retention", PROJECT, "0"]).await;
    assert!(!bad.status.success());
    let list = affidavit(&app, &["project", "list"]).await;
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("30d"),
        "{list:?}"
    );
    app.stop().await;
}
