//! `affidavit session list|dump` beside a running server on the same SQLite file,
//! as the browser tests and operators use them.

use std::process::{Command, Output};

use serde_json::Value;

use super::batches::{self, new_session};
use super::harness::{ORIGIN, PROJECT, TestApp, spawn_app};
use crate::support::Backend;

/// Runs the binary on the app's data directory (off the async runtime: it blocks).
pub(super) async fn affidavit(app: &TestApp, args: &[&str]) -> Output {
    let data_dir = app.data_dir.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_affidavit"))
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AFFIDAVIT_DATA_DIR", data_dir)
            .env("AFFIDAVIT_LOG_ORIGIN", ORIGIN)
            .output()
            .expect("affidavit runs")
    })
    .await
    .expect("blocking task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_prints_each_batch_decoded_in_seq_order_while_the_server_runs() {
    let app = spawn_app(Backend::Sqlite).await;
    let (session, other) = (new_session(), new_session());
    for seq in 0..3 {
        let response = app
            .post_batch(batches::encoded(PROJECT, session, seq, 3))
            .await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        app.post_batch(batches::encoded(PROJECT, other, 0, 1))
            .await
            .status(),
        200
    );

    let dump = affidavit(&app, &["session", "dump", &session.to_string()]).await;
    let list = affidavit(&app, &["session", "list"]).await;
    let unknown = affidavit(&app, &["session", "dump", &new_session().to_string()]).await;
    let malformed = affidavit(&app, &["session", "dump", "not-a-uuid"]).await;

    assert!(dump.status.success(), "{dump:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&dump.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let seqs: Vec<&Value> = lines.iter().map(|l| &l["seq"]).collect();
    assert_eq!(seqs, [0, 1, 2]);
    let events = &lines[0]["events"];
    assert_eq!(events[0]["kind"], "meta");
    assert_eq!(events[0]["ts"], 1_700_000_000_000i64);
    assert_eq!(events[0]["data"]["url"], "https://shop.example/checkout");
    assert_eq!(events[1]["kind"], "mouse_interaction");
    assert_eq!(events[1]["data"]["target"], 1);

    assert!(list.status.success(), "{list:?}");
    let listing = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listing.lines().count(), 2, "{listing}");
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with(&session.to_string()) && l.contains("\t3 batches")),
        "{listing}"
    );

    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no stored batches"));
    assert_eq!(malformed.status.code(), Some(2), "clap refuses a non-UUID");
    app.stop().await;
}
