//! The indexer behind the session list: batches that do not decode, bounded steps,
//! clicks judged across batches and by idleness, restarts and `session reindex`.

use std::process::{Command, Output};

use ingest_server::storage::SessionQuery;
use serde_json::json;
use uuid::Uuid;

use super::events::*;
use super::fixture::record_fixture;
use super::{get_json, wait_for_index, wait_until};
use crate::api::harness::{ORIGIN, TestApp, spawn_app, spawn_app_with};
use crate::support::{Backend, postgres, postgres_database_for, raw_db};

async fn metric(app: &TestApp, name: &str) -> String {
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .to_owned()
}

crate::both_backends!(a_batch_that_does_not_decode_is_skipped_and_counted_not_retried);
async fn a_batch_that_does_not_decode_is_skipped_and_counted_not_retried(backend: Backend) {
    let app = spawn_app(backend).await;
    let (broken, healthy) = (Uuid::now_v7(), Uuid::now_v7());
    record(
        &app,
        broken,
        vec![vec![meta(0, "https://shop.example/"), error(10)]],
    )
    .await;
    append_directly(&app, broken, 1, b"not a batch".to_vec(), &server_seal(&app)).await;
    let last = encode("", broken, 2, vec![click(20, 4), mutation(30)]);
    assert_eq!(app.post_batch(last).await.status(), 200);
    record(&app, healthy, vec![vec![meta(0, "https://shop.example/a")]]).await;

    wait_for_index(&app, 2).await;
    // Later steps run (a third session gets indexed) without counting it again.
    record(
        &app,
        Uuid::now_v7(),
        vec![vec![meta(0, "https://shop.example/b")]],
    )
    .await;
    wait_for_index(&app, 3).await;

    let row = get_json(&app, &format!("/v1/sessions/{broken}")).await;
    assert_eq!(row["undecodable_batches"], 1);
    assert_eq!(
        (&row["batch_count"], &row["indexed"]),
        (&json!(3), &json!(true))
    );
    assert_eq!(row["event_count"], 4, "batches 0 and 2");
    assert_eq!(
        (&row["error_count"], &row["click_count"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        metric(&app, "affidavit_indexer_undecodable_batches_total").await,
        "affidavit_indexer_undecodable_batches_total 1"
    );
    app.stop().await;
}

crate::both_backends!(with_one_batch_per_step_the_index_still_catches_up);
async fn with_one_batch_per_step_the_index_still_catches_up(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.indexer.max_batches_per_step = 1;
        s.indexer.max_pages_per_session = 2;
    })
    .await;
    let session = Uuid::now_v7();
    let batches = (0..5)
        .map(|i| vec![nav(i * 100, &format!("https://shop.example/page/{i}"))])
        .collect();
    record(&app, session, batches).await;

    let listing = wait_for_index(&app, 1).await;

    let row = &listing["sessions"][0];
    assert_eq!(row["event_count"], 5);
    assert_eq!(row["page_count"], 2, "indexer.max_pages_per_session");
    assert_eq!(row["first_url"], "https://shop.example/page/0");
    assert_eq!(
        metric(&app, "affidavit_indexer_batches_total").await,
        "affidavit_indexer_batches_total 5"
    );
    assert_eq!(
        metric(&app, "affidavit_indexer_lag_batches").await,
        "affidavit_indexer_lag_batches 0"
    );
    app.stop().await;
}

crate::both_backends!(a_click_left_pending_is_judged_by_the_next_batch);
async fn a_click_left_pending_is_judged_by_the_next_batch(backend: Backend) {
    let app = spawn_app(backend).await;
    let (answered, ignored) = (Uuid::now_v7(), Uuid::now_v7());
    for session in [answered, ignored] {
        record(
            &app,
            session,
            vec![vec![meta(0, "https://shop.example/"), click(100, 9)]],
        )
        .await;
    }
    let first = wait_for_index(&app, 2).await;
    assert!(
        first["sessions"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["dead_click_count"] == 0),
        "a click at the end of a batch waits: {first}"
    );

    let reply = encode("", answered, 1, vec![mutation(900)]);
    let silence = encode("", ignored, 1, vec![error(1200), mutation(1300)]);
    assert_eq!(app.post_batch(reply).await.status(), 200);
    assert_eq!(app.post_batch(silence).await.status(), 200);
    wait_for_index(&app, 2).await;

    let answered = get_json(&app, &format!("/v1/sessions/{answered}")).await;
    let ignored = get_json(&app, &format!("/v1/sessions/{ignored}")).await;
    assert_eq!(answered["dead_click_count"], 0);
    assert_eq!(ignored["dead_click_count"], 1);
    app.stop().await;
}

crate::both_backends!(clicks_of_an_idle_session_are_judged_dead_after_settle_after_ms);
async fn clicks_of_an_idle_session_are_judged_dead_after_settle_after_ms(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.indexer.settle_after_ms = 200).await;
    let session = Uuid::now_v7();
    record(
        &app,
        session,
        vec![vec![
            meta(0, "https://shop.example/"),
            click(100, 9),
            click(150, 10),
        ]],
    )
    .await;

    let row = wait_until(&app, &format!("/v1/sessions/{session}"), |s| {
        s["dead_click_count"] == 2
    })
    .await;

    assert_eq!(row["indexed"], true);
    let listed = get_json(&app, "/v1/sessions?has_dead_clicks=true").await;
    assert_eq!(listed["total"], 1);
    app.stop().await;
}

crate::both_backends!(a_lost_index_row_is_rebuilt_the_same);
async fn a_lost_index_row_is_rebuilt_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;
    let path = format!("/v1/sessions/{}", f.s1);
    let before = get_json(&app, &path).await;

    // As if a step had died after its row was lost: the lists are still there.
    let raw = raw_db(&app).await;
    let id = match backend {
        Backend::Sqlite => format!("x'{}'", f.s1.simple()),
        Backend::Postgres => format!("'{}'", f.s1),
    };
    let deleted = raw
        .execute(&format!(
            "DELETE FROM session_index WHERE session_id = {id}"
        ))
        .await
        .expect("delete the row");
    assert_eq!(deleted, 1);

    let after = wait_until(&app, &path, |s| s["indexed"] == true).await;
    assert_eq!(after, before);
    app.stop().await;
}

/// `affidavit session reindex` on the app's data directory (and database).
/// `affidavit session reindex` on a data directory (and its test database).
async fn reindex_at(backend: Backend, data_dir: &std::path::Path) -> Output {
    let data_dir = data_dir.to_path_buf();
    let database_url = (backend == Backend::Postgres)
        .then(|| postgres::superuser_url(&postgres_database_for(&data_dir)));
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_affidavit"));
        command
            .args(["session", "reindex"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AFFIDAVIT_DATA_DIR", data_dir)
            .env("AFFIDAVIT_LOG_ORIGIN", ORIGIN);
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        command.output().expect("affidavit runs")
    })
    .await
    .expect("blocking task")
}

crate::both_backends!(reindex_rebuilds_a_damaged_index_from_the_log);
async fn reindex_rebuilds_a_damaged_index_from_the_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;
    let raw = raw_db(&app).await;
    raw.execute("UPDATE session_index SET error_count = 99, user_id = 'mallory'")
        .await
        .expect("damage");
    raw.execute("DELETE FROM session_pages")
        .await
        .expect("damage");
    raw.execute("DELETE FROM session_traits")
        .await
        .expect("damage");

    // Stopped first, so the count below is the command's alone (a running server's
    // indexer would share the work; the result is the same, the count is not).
    let backend = app.backend;
    let (_, store, dir) = app.stop().await;
    let output = reindex_at(backend, dir.path()).await;

    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("dropped the index of 4 sessions; indexed 4 sessions from 6 batches"),
        "{printed}"
    );
    let errors = store
        .search_sessions(&SessionQuery {
            has_errors: Some(true),
            ..SessionQuery::all(10)
        })
        .await
        .expect("search");
    let mut with_errors: Vec<Uuid> = errors.sessions.iter().map(|s| s.session).collect();
    with_errors.sort();
    assert_eq!(with_errors, [f.s1, f.s3]);
    let s1 = store
        .session_summary(f.s1)
        .await
        .expect("summary")
        .expect("s1 exists");
    let facts = s1.summary.index.expect("indexed");
    assert_eq!(
        (facts.error_count, facts.user_id.as_deref()),
        (2, Some("alice"))
    );
    assert_eq!(s1.pages.len(), 2);
    assert_eq!(
        s1.traits,
        [
            ("country".to_owned(), "de".to_owned()),
            ("plan".to_owned(), "pro".to_owned())
        ]
    );
}
