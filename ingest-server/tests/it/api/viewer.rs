//! What the viewer reads, end to end on both stores: sign-in, the replay_viewed
//! entry committed before a session's events stream, the stream itself, the
//! audit chain and its proofs, checked with the ledger's own session verifier.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ingest_server::auth::Role;
use ledger::sealed::open_payload;
use ledger::session::{EvidenceEntry, InclusionEvidence, SessionEvidence, Verdict, verify_session};
use ledger::{EntryKind, Hash};
use protocol::api::{SessionAudit, SessionProofs};
use protocol::frames::read_frames;
use serde_json::Value;
use uuid::Uuid;

use super::batches::{self, new_session};
use super::harness::{PROJECT, TestApp, spawn_app, spawn_app_with};
use super::sign_in::{PASSWORD, create_user, login, sign_in};
use crate::support::Backend;

/// Posts batches 0..n of a new session; returns the session and the bytes sent.
pub(super) async fn record(app: &TestApp, n: u64) -> (Uuid, Vec<Vec<u8>>) {
    let session = new_session();
    let mut sent = Vec::new();
    for seq in 0..n {
        let body = batches::encoded(PROJECT, session, seq, 4);
        assert_eq!(app.post_batch(body.clone()).await.status(), 200);
        sent.push(body);
    }
    (session, sent)
}

/// The data key an events answer carries for a sealed session.
pub(super) fn data_key(response: &reqwest::Response) -> [u8; 32] {
    let hex_key = response.headers()["x-affidavit-data-key"]
        .to_str()
        .expect("ascii");
    hex::decode(hex_key)
        .expect("hex")
        .try_into()
        .expect("32 bytes")
}

pub(super) async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("json error");
    body["error"].as_str().expect("error code").to_owned()
}

crate::both_backends!(sign_in_sets_a_strict_cookie_and_refuses_guessing);
async fn sign_in_sets_a_strict_cookie_and_refuses_guessing(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth.max_failed_logins = 3).await;
    create_user(&app, "alice", Role::Reviewer).await;

    let unknown = login(&app, "mallory", PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let wrong = login(&app, "alice", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    let unknown_body: Value = unknown.json().await.expect("json");
    let wrong_body: Value = wrong.json().await.expect("json");
    assert_eq!(
        unknown_body, wrong_body,
        "an unknown name and a wrong password answer alike"
    );
    assert_eq!(wrong_body["error"], "bad_credentials");

    let not_json = app
        .client
        .post(format!("{}/v1/login", app.base))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .expect("sent");
    assert_eq!(not_json.status(), 400);
    assert_eq!(error_code(not_json).await, "bad_body");
    let huge = app
        .client
        .post(format!("{}/v1/login", app.base))
        .json(&serde_json::json!({"username": "a".repeat(20_000), "password": "x"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(huge.status(), 400, "bodies over the JSON limit are refused");

    // The third failure for alice (from this address) uses up the allowance.
    assert_eq!(
        login(&app, "alice", "still not it, sorry").await.status(),
        401
    );
    let refused = login(&app, "alice", PASSWORD).await;
    assert_eq!(refused.status(), 429, "even the right password waits");
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(error_code(refused).await, "too_many_attempts");
    app.stop().await;

    let app = spawn_app(backend).await;
    create_user(&app, "alice", Role::Reviewer).await;
    let ok = login(&app, "alice", PASSWORD).await;
    assert_eq!(ok.status(), 200);
    let cookie = ok
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    let body: Value = ok.json().await.expect("json");
    assert_eq!(body["user"]["name"], "alice");
    assert_eq!(body["user"]["role"], "reviewer");
    assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() >= 32));
    app.stop().await;
}

crate::both_backends!(a_login_lasts_until_sign_out_which_needs_the_csrf_token);
async fn a_login_lasts_until_sign_out_which_needs_the_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = sign_in(&app, "alice", Role::Support).await;

    let me: Value = app
        .get_as(&alice, "/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"]["role"], "support");
    assert_eq!(me["csrf_token"], alice.csrf.as_str());
    assert_eq!(app.get("/v1/me").await.status(), 401, "no cookie, no user");

    let forged = app.post_as(&alice, "/v1/logout", false).await;
    assert_eq!(
        forged.status(),
        403,
        "a cross-site form cannot sign anyone out"
    );
    assert_eq!(app.get_as(&alice, "/v1/me").await.status(), 200);

    assert_eq!(app.post_as(&alice, "/v1/logout", true).await.status(), 200);
    let after = app.get_as(&alice, "/v1/me").await;
    assert_eq!(after.status(), 401, "the old cookie no longer works");
    app.stop().await;
}

crate::both_backends!(the_view_is_on_the_record_before_the_first_event_is_sent);
async fn the_view_is_on_the_record_before_the_first_event_is_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, sent) = record(&app, 3).await;
    let alice = sign_in(&app, "alice", Role::Support).await;

    // Headers arrive before the body is read: the entry must already be stored.
    let response = app
        .get_as(&alice, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.affidavit.batches"
    );
    let stored = app
        .store
        .session_audit(session)
        .await
        .expect("audit")
        .expect("session");
    let last = stored.entries.last().expect("entries");
    assert_eq!(last.kind_code, i64::from(EntryKind::ReplayViewed as u8));
    assert_eq!(
        response.headers()["x-affidavit-view-entry"],
        last.session_seq.to_string().as_str(),
        "the answer names the view entry the stream ends before"
    );
    let entry = ledger::Entry::decode(&last.entry_bytes).expect("decodes");
    assert_eq!(entry.actor, "user:alice");
    let record: protocol::api::AccessRecord =
        serde_json::from_slice(last.payload.as_deref().expect("payload")).expect("record");
    assert_eq!(
        (record.user.as_str(), record.role.as_str()),
        ("alice", "support")
    );
    assert_eq!(record.client, "127.0.0.1");

    // The stream is every batch as stored (sealed), in order, with the key that
    // opens each to exactly the bytes received.
    let key = data_key(&response);
    let body = response.bytes().await.expect("body");
    let frames = read_frames(&body, usize::MAX).expect("frames");
    assert_eq!(frames.len(), 3);
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame.batch_seq, i as u64);
        assert_ne!(
            frame.payload,
            sent[i].as_slice(),
            "batch {i} is sealed at rest"
        );
        let opened = open_payload(&key, &session, frame.batch_seq, frame.payload).expect("opens");
        assert_eq!(opened, sent[i], "batch {i} byte for byte");
    }
    // Batch 0 follows session_opened.
    assert_eq!(frames[0].session_seq, 1);

    // A second view is a second entry.
    app.get_as(&alice, &format!("/v1/sessions/{session}/events"))
        .await
        .bytes()
        .await
        .expect("body");
    let views = app
        .store
        .session_audit(session)
        .await
        .expect("audit")
        .expect("session")
        .entries
        .iter()
        .filter(|e| e.kind_code == i64::from(EntryKind::ReplayViewed as u8))
        .count();
    assert_eq!(views, 2);
    app.stop().await;
}

crate::both_backends!(nobody_unknown_reads_and_nothing_unknown_is_recorded);
async fn nobody_unknown_reads_and_nothing_unknown_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = record(&app, 1).await;
    for path in ["/events", "/audit", "/proofs", ""] {
        let response = app.get(&format!("/v1/sessions/{session}{path}")).await;
        assert_eq!(response.status(), 401, "{path:?} without a login");
    }
    assert_eq!(app.get("/v1/sessions").await.status(), 401, "the list too");
    let alice = sign_in(&app, "alice", Role::Support).await;
    let missing = app
        .get_as(&alice, &format!("/v1/sessions/{}/events", new_session()))
        .await;
    assert_eq!(missing.status(), 404);
    // A same-site request the browser makes by itself (an <img> in a recorded page)
    // carries the cookie but not the token: no view is recorded in alice's name.
    let by_image = app
        .client
        .get(format!("{}/v1/sessions/{session}/events", app.base))
        .header("cookie", &alice.cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(by_image.status(), 403);
    let bad = app.get_as(&alice, "/v1/sessions/not-a-uuid/events").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(error_code(bad).await, "bad_session_id");
    let entries = app
        .store
        .session_audit(session)
        .await
        .expect("audit")
        .expect("session")
        .entries;
    assert!(
        entries
            .iter()
            .all(|e| e.kind_code != i64::from(EntryKind::ReplayViewed as u8)),
        "refused requests leave no view entry"
    );
    app.stop().await;
}

crate::both_backends!(views_interleaved_with_ingest_keep_one_valid_chain_that_the_ledger_verifies);
async fn views_interleaved_with_ingest_keep_one_valid_chain_that_the_ledger_verifies(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = sign_in(&app, "alice", Role::Reviewer).await;
    let session = new_session();
    let mut payloads: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut sent: Vec<Vec<u8>> = Vec::new();
    for seq in 0..3 {
        let body = batches::encoded(PROJECT, session, seq, 4);
        assert_eq!(
            app.post_batch(body.clone()).await.status(),
            200,
            "batch {seq}"
        );
        sent.push(body);
        // A view between batches: the next batch must still chain and number on.
        let view = app
            .get_as(&alice, &format!("/v1/sessions/{session}/events"))
            .await;
        assert_eq!(view.status(), 200);
        let key = data_key(&view);
        let body = view.bytes().await.expect("body");
        // The last view streams every batch, sealed as the entries hash them.
        payloads = read_frames(&body, usize::MAX)
            .expect("frames")
            .iter()
            .map(|f| {
                let opened = open_payload(&key, &session, f.batch_seq, f.payload).expect("opens");
                assert_eq!(opened, sent[f.batch_seq as usize]);
                (f.batch_seq, f.payload.to_vec())
            })
            .collect();
    }
    // opened + 3 batches + 3 views, all in the tree.
    let checkpoint = app.wait_for_session(session).await;

    let audit: SessionAudit = app
        .get_as(&alice, &format!("/v1/sessions/{session}/audit"))
        .await
        .json()
        .await
        .expect("audit");
    let kinds: Vec<&str> = audit.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "session_opened",
            "batch_received",
            "replay_viewed",
            "batch_received",
            "replay_viewed",
            "batch_received",
            "replay_viewed"
        ]
    );
    assert!(audit.entries.iter().all(|e| e.log_index.is_some()));
    assert_eq!(audit.project, PROJECT);

    let proofs: SessionProofs = app
        .get_as(
            &alice,
            &format!("/v1/sessions/{session}/proofs?size={}", checkpoint.size),
        )
        .await
        .json()
        .await
        .expect("proofs");
    assert_eq!(proofs.proofs.len(), 7);
    let note = app.get("/v1/checkpoint").await.text().await.expect("note");

    let entry_bytes: Vec<Vec<u8>> = audit
        .entries
        .iter()
        .map(|e| STANDARD.decode(&e.entry).expect("base64"))
        .collect();
    let payload_of = |e: &protocol::api::AuditEntry| -> Vec<u8> {
        match e.batch_seq {
            Some(b) => payloads[b as usize].1.clone(),
            None => STANDARD
                .decode(e.payload.as_deref().unwrap_or_default())
                .expect("base64"),
        }
    };
    let all_payloads: Vec<Vec<u8>> = audit.entries.iter().map(payload_of).collect();
    let evidence = SessionEvidence {
        project: &audit.project,
        session,
        entries: audit
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let proof = proofs
                    .proofs
                    .iter()
                    .find(|p| p.session_seq == e.session_seq)
                    .expect("proof");
                EvidenceEntry {
                    entry_bytes: &entry_bytes[i],
                    payload: Some(&all_payloads[i]),
                    inclusion: Some(InclusionEvidence {
                        index: proof.log_index,
                        proof: proof
                            .proof
                            .iter()
                            .map(|h| Hash::from_hex(h).expect("hex"))
                            .collect(),
                    }),
                }
            })
            .collect(),
        checkpoint_note: Some(&note),
    };
    let report = verify_session(&evidence, &app.verifier());
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(report.verified_batches(), 3);
    assert!(
        report
            .checkpoint
            .as_ref()
            .expect("checkpoint")
            .timestamp_ms()
            .is_some(),
        "the checkpoint says when it was signed"
    );

    let (settings, store, data_dir) = app.stop().await;
    let report = super::fsck(store.as_ref(), &settings, &data_dir).await;
    assert!(report.ok(), "fsck: {report:?}");
}

crate::both_backends!(proofs_are_only_offered_for_published_sizes);
async fn proofs_are_only_offered_for_published_sizes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = record(&app, 2).await;
    let checkpoint = app.wait_for_tree(3).await;
    let alice = sign_in(&app, "alice", Role::Support).await;
    let beyond = app
        .get_as(
            &alice,
            &format!(
                "/v1/sessions/{session}/proofs?size={}",
                checkpoint.size + 100
            ),
        )
        .await;
    assert_eq!(beyond.status(), 400);
    assert_eq!(error_code(beyond).await, "size_not_published");
    // At an older size, only the entries inside that tree have proofs.
    let early: SessionProofs = app
        .get_as(&alice, &format!("/v1/sessions/{session}/proofs?size=1"))
        .await
        .json()
        .await
        .expect("proofs");
    assert_eq!(early.size, 1);
    assert!(early.proofs.iter().all(|p| p.log_index < 1));
    app.stop().await;
}
