//! `GET /v1/audit` on both stores: every access entry of every chain, newest
//! first, filtered and paged; admins only, and a refused look is itself recorded.

use ingest_server::auth::Role;
use protocol::api::AccessLogPage;
use uuid::Uuid;

use super::harness::spawn_app;
use super::sign_in::{SignedIn, login, sign_in};
use super::viewer::{error_code, record};
use crate::support::Backend;

async fn page(app: &super::harness::TestApp, who: &SignedIn, query: &str) -> AccessLogPage {
    let response = app.get_as(who, &format!("/v1/audit{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.expect("page")
}

fn summary(page: &AccessLogPage) -> Vec<(String, String, String)> {
    page.entries
        .iter()
        .map(|e| {
            (
                e.entry.kind.clone(),
                e.entry.actor.clone(),
                e.session_id.clone(),
            )
        })
        .collect()
}

crate::both_backends!(admins_see_every_access_newest_first_filtered_and_paged);
async fn admins_see_every_access_newest_first_filtered_and_paged(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = sign_in(&app, "root", Role::Admin).await;
    let alice = sign_in(&app, "alice", Role::Reviewer).await;
    let (first, _) = record(&app, 1).await;
    let (second, _) = record(&app, 1).await;
    for (who, session) in [(&alice, first), (&root, second), (&alice, second)] {
        let view = app
            .get_as(who, &format!("/v1/sessions/{session}/events"))
            .await;
        assert_eq!(view.status(), 200);
        view.bytes().await.expect("events");
    }
    assert_eq!(login(&app, "alice", "wrong").await.status(), 401);
    let nil = Uuid::nil().to_string();

    let all = page(&app, &root, "").await;
    let expected: Vec<(String, String, String)> = [
        ("access_denied", "anonymous", nil.as_str()),
        ("replay_viewed", "user:alice", &second.to_string()),
        ("replay_viewed", "user:root", &second.to_string()),
        ("replay_viewed", "user:alice", &first.to_string()),
        ("signed_in", "user:alice", nil.as_str()),
        ("signed_in", "user:root", nil.as_str()),
    ]
    .iter()
    .map(|(k, a, s)| ((*k).to_owned(), (*a).to_owned(), (*s).to_owned()))
    .collect();
    assert_eq!(
        summary(&all),
        expected,
        "newest first, batches and openings left out"
    );
    assert_eq!(all.next_cursor, None);
    let refused = all.entries[0].record.as_ref().expect("record");
    assert_eq!(refused.reason.as_deref(), Some("wrong_password"));

    let views = page(&app, &root, "?kind=replay_viewed").await;
    assert_eq!(summary(&views), expected[1..4]);
    let of_second = page(&app, &root, &format!("?session={second}")).await;
    assert_eq!(summary(&of_second), expected[1..3]);
    let by_alice = page(&app, &root, "?user=alice&kind=replay_viewed,signed_in").await;
    assert_eq!(
        summary(&by_alice),
        [
            expected[1].clone(),
            expected[3].clone(),
            expected[4].clone()
        ]
    );
    let of_project = page(&app, &root, "?project=affidavit:access").await;
    assert_eq!(of_project.entries.len(), 3);

    // Pages of two, joined, are the whole list.
    let mut joined = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".to_owned(),
        };
        let p = page(&app, &root, &query).await;
        joined.extend(summary(&p));
        match p.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(joined, expected);

    for bad in [
        "?kind=batch_received",
        "?kind=nonsense",
        "?limit=0",
        "?limit=501",
        "?cursor=x",
        "?surprise=1",
    ] {
        let response = app.get_as(&root, &format!("/v1/audit{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
    app.stop().await;
}

crate::both_backends!(only_admins_read_it_and_a_refused_look_is_recorded);
async fn only_admins_read_it_and_a_refused_look_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = sign_in(&app, "root", Role::Admin).await;
    for role in [Role::Reviewer, Role::Support] {
        let name = format!("u-{role}");
        let user = sign_in(&app, &name, role).await;
        let response = app.get_as(&user, "/v1/audit").await;
        assert_eq!(response.status(), 403);
        assert_eq!(error_code(response).await, "forbidden");
        let refusals = page(&app, &root, "?kind=access_denied&limit=1").await;
        let latest = &refusals.entries[0];
        assert_eq!(latest.entry.actor, format!("user:{name}"));
        let record = latest.record.as_ref().expect("record");
        assert_eq!(
            (record.action.as_str(), record.reason.as_deref()),
            ("audit_log", Some("role"))
        );
    }
    assert_eq!(app.get("/v1/audit").await.status(), 401);
    app.stop().await;
}
