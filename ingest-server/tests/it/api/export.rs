//! Evidence bundles end to end on both stores: who may export, the export's own
//! entry signed into the bundle, and the bundle checked offline — by the ledger
//! and by the `affidavit verify` binary — untouched, tampered, and against a
//! checkpoint the verifier remembers.

use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ingest_server::auth::Role;
use ledger::EntryKind;
use ledger::bundle::{BUNDLE_MEDIA_TYPE, read_archive, verify_bundle, write_archive};
use protocol::api::{AccessRecord, SessionAudit};
use uuid::Uuid;

use super::harness::{TestApp, spawn_app, spawn_app_with};
use super::sign_in::{SignedIn, sign_in};
use super::viewer::{error_code, record};
use crate::support::Backend;

async fn export(app: &TestApp, who: &SignedIn, session: Uuid, query: &str) -> reqwest::Response {
    app.get_as(who, &format!("/v1/sessions/{session}/export{query}"))
        .await
}

async fn chain_length(app: &TestApp, admin: &SignedIn, session: Uuid) -> usize {
    let audit: SessionAudit = app
        .get_as(admin, &format!("/v1/sessions/{session}/audit"))
        .await
        .json()
        .await
        .expect("audit json");
    audit.entries.len()
}

fn verify_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_affidavit"))
        .arg("verify")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("affidavit runs")
}

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

crate::both_backends!(a_bundle_proves_the_session_its_viewers_and_its_own_export);
async fn a_bundle_proves_the_session_its_viewers_and_its_own_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = sign_in(&app, "alice", Role::Reviewer).await;
    let (session, sent) = record(&app, 3).await;
    let viewed = app
        .get_as(&alice, &format!("/v1/sessions/{session}/events"))
        .await;
    assert_eq!(viewed.status(), 200);
    viewed.bytes().await.expect("events");

    let response = export(&app, &alice, session, "").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], BUNDLE_MEDIA_TYPE);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"affidavit-{session}.affidavit\"").as_str()
    );
    assert_eq!(
        headers["x-affidavit-export-entry"], "5",
        "opened, 3 batches, 1 view, then the export"
    );
    let archive = response.bytes().await.expect("bundle").to_vec();

    let report = verify_bundle(&archive, &app.verifier(), None);
    assert!(report.passed(), "{:?}", report.failures());
    let bundle = report.bundle.expect("bundle");
    assert!(bundle.data_key.is_some(), "the payloads are sealed at rest");
    let stored: Vec<Vec<u8>> = bundle.batches().map(|(_, p)| p.to_vec()).collect();
    assert!(
        stored.iter().zip(&sent).all(|(s, p)| s != p),
        "stored payloads are ciphertext, not what the recorder sent"
    );
    let batches: Vec<Vec<u8>> = bundle
        .replay_batches()
        .expect("the bundle's key opens its batches")
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        batches, sent,
        "the batches exactly as the recorder sent them"
    );
    let kinds: Vec<EntryKind> = bundle
        .entries
        .iter()
        .map(|e| ledger::Entry::decode(&e.entry_bytes).expect("entry").kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EntryKind::SessionOpened,
            EntryKind::BatchReceived,
            EntryKind::BatchReceived,
            EntryKind::BatchReceived,
            EntryKind::ReplayViewed,
            EntryKind::EvidenceExported
        ]
    );
    let export_record: serde_json::Value =
        serde_json::from_slice(&bundle.entries[5].payload).expect("access record");
    assert_eq!(export_record["user"], "alice");
    assert_eq!(export_record["action"], "evidence_exported");

    // The same bundle through the offline CLI, with the key given as text.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bundle.affidavit");
    std::fs::write(&file, &archive).expect("write");
    let vkey = app.verifier().to_vkey();
    let path = file.to_str().expect("utf-8");
    let good = verify_cli(&[path, "--log-key", &vkey]);
    assert_eq!(good.status.code(), Some(0), "{}", out(&good));
    for line in [
        "PASS  checkpoint",
        "PASS  chain",
        "PASS  inclusion",
        "PASS  export entry",
        "VERIFIED: session",
    ] {
        assert!(out(&good).contains(line), "{line} in {}", out(&good));
    }

    // One flipped byte of one payload: exit 1, naming the check and the batch.
    let mut members = read_archive(&archive).expect("members");
    let payload = members
        .iter_mut()
        .find(|(name, _)| name == "payloads/00000000000000000002.payload")
        .expect("batch 1's payload");
    payload.1[10] ^= 0x01;
    let tampered = dir.path().join("tampered.affidavit");
    std::fs::write(&tampered, write_archive(&members).expect("archive")).expect("write");
    let bad = verify_cli(&[tampered.to_str().expect("utf-8"), "--log-key", &vkey]);
    assert_eq!(bad.status.code(), Some(1), "{}", out(&bad));
    assert!(out(&bad).contains("FAIL  payloads"), "{}", out(&bad));
    assert!(out(&bad).contains("batch 1 (entry 2)"), "{}", out(&bad));
    assert!(out(&bad).contains("NOT VERIFIED"), "{}", out(&bad));

    // Another log's key: the signature check fails, whatever the bundle says.
    let other = ledger::checkpoint::LogSigner::from_seed(app.verifier().name(), [3; 32])
        .expect("key")
        .verifier()
        .to_vkey();
    let foreign = verify_cli(&[path, "--log-key", &other]);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(
        out(&foreign).contains("FAIL  checkpoint"),
        "{}",
        out(&foreign)
    );

    // Not a key, not a file: the check cannot run at all.
    let unusable = verify_cli(&[path, "--log-key", "nonsense"]);
    assert_eq!(unusable.status.code(), Some(2));

    // A later bundle against the checkpoint remembered from this one.
    let known = dir.path().join("known-checkpoint");
    let first = verify_cli(&[
        path,
        "--log-key",
        &vkey,
        "--known-checkpoint",
        known.to_str().expect("utf-8"),
        "--remember",
    ]);
    assert_eq!(first.status.code(), Some(0), "{}", out(&first));
    assert_eq!(
        std::fs::read_to_string(&known).expect("remembered"),
        bundle.checkpoint_note
    );
    let earlier_size = ledger::LogVerifier::verify(&app.verifier(), &bundle.checkpoint_note)
        .expect("checkpoint")
        .size;
    record(&app, 1).await;
    let later = export(
        &app,
        &alice,
        session,
        &format!("?known_size={earlier_size}"),
    )
    .await;
    assert_eq!(later.status(), 200);
    let later_file = dir.path().join("later.affidavit");
    std::fs::write(&later_file, later.bytes().await.expect("bundle")).expect("write");
    let checked = verify_cli(&[
        later_file.to_str().expect("utf-8"),
        "--log-key",
        &vkey,
        "--known-checkpoint",
        known.to_str().expect("utf-8"),
        "--remember",
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", out(&checked));
    assert!(
        out(&checked).contains("PASS  known checkpoint"),
        "{}",
        out(&checked)
    );
    assert!(
        out(&checked).contains("exported 2 times"),
        "{}",
        out(&checked)
    );
    assert_ne!(
        std::fs::read_to_string(&known).expect("remembered"),
        bundle.checkpoint_note,
        "the newer checkpoint is remembered"
    );
    app.stop().await;
}

crate::both_backends!(only_reviewers_and_admins_export_and_refusals_are_on_the_record);
async fn only_reviewers_and_admins_export_and_refusals_are_on_the_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sign_in(&app, "root", Role::Admin).await;
    let support = sign_in(&app, "sam", Role::Support).await;
    let (session, _) = record(&app, 1).await;
    let before = chain_length(&app, &admin, session).await;

    let refused = export(&app, &support, session, "").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "forbidden");
    let no_csrf = app
        .client
        .get(format!("{}/v1/sessions/{session}/export", app.base))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        no_csrf.status(),
        403,
        "an <img> in a recorded page cannot export in the admin's name"
    );
    assert_eq!(
        app.get(&format!("/v1/sessions/{session}/export"))
            .await
            .status(),
        401
    );
    assert_eq!(export(&app, &admin, Uuid::now_v7(), "").await.status(), 404);
    let bad_size = export(&app, &admin, session, "?known_size=999999").await;
    assert_eq!(bad_size.status(), 400);
    assert_eq!(error_code(bad_size).await, "size_not_published");
    assert_eq!(
        export(&app, &admin, session, "?surprise=1").await.status(),
        400
    );
    // The refused role and the missing CSRF token are in the session's chain,
    // who and why; malformed requests and unknown sessions write nothing.
    let audit: SessionAudit = app
        .get_as(&admin, &format!("/v1/sessions/{session}/audit"))
        .await
        .json()
        .await
        .expect("audit json");
    assert_eq!(audit.entries.len(), before + 2);
    let refusals: Vec<(String, String, String)> = audit.entries[before..]
        .iter()
        .map(|e| {
            let payload = STANDARD
                .decode(e.payload.as_deref().expect("payload"))
                .expect("base64");
            let record: AccessRecord = serde_json::from_slice(&payload).expect("record");
            (
                e.kind.clone(),
                e.actor.clone(),
                record.reason.unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        refusals,
        [
            ("access_denied".into(), "user:sam".into(), "role".into()),
            ("access_denied".into(), "user:root".into(), "csrf".into()),
        ]
    );

    let ok = export(&app, &admin, session, "").await;
    assert_eq!(ok.status(), 200);
    assert!(verify_bundle(&ok.bytes().await.expect("bundle"), &app.verifier(), None).passed());
    app.stop().await;
}

crate::both_backends!(export_limits_answer_clearly);
async fn export_limits_answer_clearly(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.export.max_payload_bytes = 100).await;
    let alice = sign_in(&app, "alice", Role::Reviewer).await;
    let (session, _) = record(&app, 2).await;
    let big = export(&app, &alice, session, "").await;
    assert_eq!(big.status(), 413);
    assert_eq!(error_code(big).await, "bundle_too_large");
    app.stop().await;

    let app = spawn_app_with(backend, |s| {
        s.integrator.interval_ms = 600_000;
        s.export.integration_wait_ms = 100;
    })
    .await;
    let alice = sign_in(&app, "alice", Role::Reviewer).await;
    let (session, _) = record(&app, 1).await;
    let waiting = export(&app, &alice, session, "").await;
    assert_eq!(waiting.status(), 503);
    assert!(waiting.headers().contains_key("retry-after"));
    assert_eq!(error_code(waiting).await, "not_yet_signed");
    app.stop().await;
}
