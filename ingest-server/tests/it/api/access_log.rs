//! The access log end to end on both stores: sign-ins, refused sign-ins and
//! refused write keys are entries of their own chain, which verifies like any
//! recording's; refusals beyond the budget are counted, not written; the
//! reserved project takes no batches and shows in no list.

use std::collections::HashMap;

use ingest_server::access_log::{ACCESS_LOG_PROJECT, ACCESS_LOG_SESSION};
use ingest_server::auth::Role;
use ledger::Entry;
use ledger::session::{EvidenceEntry, InclusionEvidence, SessionEvidence, Verdict, verify_session};
use protocol::api::{AccessRecord, SessionProofs};

use super::batches::{self, new_session};
use super::harness::{PROJECT, TestApp, spawn_app, spawn_app_with};
use super::sign_in::{PASSWORD, create_user, login, sign_in};
use crate::support::Backend;

/// The access log's entries as (kind, actor, record); the opening entry is left out.
async fn access_log(app: &TestApp) -> Vec<(String, String, AccessRecord)> {
    let rows = app
        .store
        .session_audit(ACCESS_LOG_SESSION)
        .await
        .expect("audit")
        .expect("the access log exists");
    assert_eq!(rows.project, ACCESS_LOG_PROJECT);
    rows.entries
        .iter()
        .skip(1)
        .map(|row| {
            let entry = Entry::decode(&row.entry_bytes).expect("entry");
            let record = serde_json::from_slice(row.payload.as_deref().expect("payload"))
                .expect("access record");
            (entry.kind.name().to_owned(), entry.actor, record)
        })
        .collect()
}

async fn post_with_key(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/ingest", app.base))
        .header("X-Affidavit-Key", key)
        .body(batches::encoded(PROJECT, new_session(), 0, 2))
        .send()
        .await
        .expect("sent")
}

crate::both_backends!(sign_ins_and_refusals_are_entries_of_a_chain_that_verifies);
async fn sign_ins_and_refusals_are_entries_of_a_chain_that_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "alice", Role::Reviewer).await;
    assert_eq!(login(&app, "alice", PASSWORD).await.status(), 200);
    assert_eq!(
        login(&app, "alice", "hunter2 is not it").await.status(),
        401
    );
    assert_eq!(login(&app, "mallory", PASSWORD).await.status(), 401);
    assert_eq!(login(&app, "Not A Name", PASSWORD).await.status(), 401);
    assert_eq!(
        post_with_key(&app, "awk_guessed_key_123456").await.status(),
        401
    );

    let log = access_log(&app).await;
    let summary: Vec<(&str, &str, &str, Option<&str>)> = log
        .iter()
        .map(|(kind, actor, r)| {
            (
                kind.as_str(),
                actor.as_str(),
                r.user.as_str(),
                r.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("signed_in", "user:alice", "alice", None),
            (
                "access_denied",
                "anonymous",
                "alice",
                Some("wrong_password")
            ),
            (
                "access_denied",
                "anonymous",
                "mallory",
                Some("unknown_user")
            ),
            (
                "access_denied",
                "anonymous",
                "Not A Name",
                Some("malformed_name")
            ),
            ("access_denied", "anonymous", "", Some("unknown_key")),
        ]
    );
    assert_eq!(log[0].2.role, "reviewer");
    assert_eq!(log[0].2.client, "127.0.0.1");
    assert_eq!(
        log[4].2.target.as_deref(),
        Some("awk_guessed_"),
        "a prefix, not the key"
    );
    let everything = format!("{log:?}");
    assert!(
        !everything.contains("hunter2"),
        "no password is ever recorded"
    );

    // The access log is checked like any recording: chain, payloads, inclusion,
    // signature. (Signing in to read the proofs adds entries; wait for those too.)
    let admin = sign_in(&app, "root", Role::Admin).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let detail = app
            .store
            .session_summary(ACCESS_LOG_SESSION)
            .await
            .expect("summary")
            .expect("row");
        if detail.summary.is_sealed() {
            assert_eq!(detail.summary.entries, 7, "opened, 5 above, root's sign-in");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "access log not integrated"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let note = app.get("/v1/checkpoint").await.text().await.expect("note");
    let size = app.verifier().verify(&note).expect("checkpoint").size;
    let proofs: SessionProofs = app
        .get_as(
            &admin,
            &format!("/v1/sessions/{ACCESS_LOG_SESSION}/proofs?size={size}"),
        )
        .await
        .json()
        .await
        .expect("proofs");
    let by_seq: HashMap<u64, InclusionEvidence> = proofs
        .proofs
        .iter()
        .map(|p| {
            (
                p.session_seq,
                InclusionEvidence {
                    index: p.log_index,
                    proof: p
                        .proof
                        .iter()
                        .map(|h| ledger::Hash::from_hex(h).expect("hex"))
                        .collect(),
                },
            )
        })
        .collect();
    let rows = app
        .store
        .session_audit(ACCESS_LOG_SESSION)
        .await
        .expect("audit")
        .expect("log");
    let evidence = SessionEvidence {
        project: ACCESS_LOG_PROJECT,
        session: ACCESS_LOG_SESSION,
        entries: rows
            .entries
            .iter()
            .map(|row| EvidenceEntry {
                entry_bytes: &row.entry_bytes,
                payload: Some(row.payload.as_deref().unwrap_or_default()),
                inclusion: by_seq.get(&row.session_seq).cloned(),
            })
            .collect(),
        checkpoint_note: Some(&note),
    };
    let report = verify_session(&evidence, &app.verifier());
    assert_eq!(report.verdict(), Verdict::Verified, "{report:?}");

    let (settings, store, data_dir) = app.stop().await;
    let fsck = super::fsck(store.as_ref(), &settings, &data_dir).await;
    assert!(fsck.ok(), "fsck: {fsck:?}");
}

crate::both_backends!(refusals_past_the_budget_are_counted_not_written);
async fn refusals_past_the_budget_are_counted_not_written(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.access_log.max_denials_per_client_per_minute = 2
    })
    .await;
    for _ in 0..5 {
        assert_eq!(post_with_key(&app, "awk_nope").await.status(), 401);
    }
    let log = access_log(&app).await;
    assert_eq!(log.len(), 2, "two recorded, three counted: {log:?}");
    assert!(log.iter().all(|(_, _, r)| r.unrecorded_before.is_none()));
    app.stop().await;
}

crate::both_backends!(the_reserved_project_takes_no_batches_and_lists_nowhere);
async fn the_reserved_project_takes_no_batches_and_lists_nowhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = sign_in(&app, "alice", Role::Admin).await;
    // Even someone who set its key in the database gets nothing in.
    let key = "awk_set_by_hand_in_the_database";
    crate::support::raw_db(&app)
        .await
        .execute(&format!(
            "UPDATE projects SET write_key = '{key}' WHERE id = '{ACCESS_LOG_PROJECT}'"
        ))
        .await
        .expect("key set");
    let response = app
        .client
        .post(format!("{}/v1/ingest", app.base))
        .header("X-Affidavit-Key", key)
        .body(batches::encoded(ACCESS_LOG_PROJECT, new_session(), 0, 2))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 401);
    let projects = app.store.list_projects().await.expect("projects");
    assert!(projects.iter().all(|p| p.id != ACCESS_LOG_PROJECT));
    let (session, _) = super::viewer::record(&app, 1).await;
    let listed: serde_json::Value = loop {
        let page: serde_json::Value = app
            .get_as(&alice, "/v1/sessions")
            .await
            .json()
            .await
            .expect("json");
        if page["total"] == 1 {
            break page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(listed["sessions"][0]["session_id"], session.to_string());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let again: serde_json::Value = app
        .get_as(&alice, "/v1/sessions")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        again["total"], 1,
        "the access log is never a search result: {again}"
    );
    app.stop().await;
}
