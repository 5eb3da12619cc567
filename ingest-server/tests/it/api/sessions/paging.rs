//! Sorting, keyset pagination and the refusals of `GET /v1/sessions`.

use serde_json::Value;
use uuid::Uuid;

use super::events::{meta, record};
use super::fixture::record_fixture;
use super::{get_json, ids, wait_for_index};
use crate::api::harness::{spawn_app, spawn_app_with};
use crate::support::Backend;

crate::both_backends!(each_sort_orders_rows_with_the_session_id_breaking_ties);
async fn each_sort_orders_rows_with_the_session_id_breaking_ties(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;

    for (query, expected) in [
        ("", [f.s4, f.s3, f.s2, f.s1]),
        ("sort=started_at&order=asc", [f.s1, f.s2, f.s3, f.s4]),
        ("sort=duration&order=asc", [f.s3, f.s4, f.s1, f.s2]),
        ("sort=duration", [f.s2, f.s1, f.s4, f.s3]),
        // s2 and s4 both have no errors: the larger id first when descending…
        ("sort=errors", [f.s1, f.s3, f.s4, f.s2]),
        ("sort=events&order=asc", [f.s3, f.s4, f.s2, f.s1]),
        // …and the smaller first when ascending (s2 and s4 have one click each).
        ("sort=clicks&order=asc", [f.s3, f.s2, f.s4, f.s1]),
    ] {
        let listing = get_json(&app, &format!("/v1/sessions?{query}")).await;
        assert_eq!(ids(&listing), expected, "?{query}");
    }
    app.stop().await;
}

/// Follows `next_cursor` from `first` to the end; the ids in order and every page's total.
async fn walk(app: &crate::api::harness::TestApp, first: &str) -> (Vec<Uuid>, Vec<Value>) {
    let mut seen = Vec::new();
    let mut totals = Vec::new();
    let mut path = first.to_owned();
    loop {
        let page = get_json(app, &path).await;
        seen.extend(ids(&page));
        totals.push(page["total"].clone());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{first}&cursor={cursor}"),
            None => return (seen, totals),
        }
    }
}

crate::both_backends!(pages_follow_the_cursor_to_the_end_without_gaps_or_repeats);
async fn pages_follow_the_cursor_to_the_end_without_gaps_or_repeats(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;

    let (by_clicks, totals) = walk(&app, "/v1/sessions?sort=clicks&order=asc&limit=1").await;
    let (by_errors, _) = walk(&app, "/v1/sessions?sort=errors&limit=3").await;
    let (shop, shop_totals) = walk(&app, "/v1/sessions?project=shop&limit=2").await;

    assert_eq!(by_clicks, [f.s3, f.s2, f.s4, f.s1]);
    assert_eq!(totals, vec![Value::from(4); 4]);
    assert_eq!(by_errors, [f.s1, f.s3, f.s4, f.s2]);
    assert_eq!(shop, [f.s3, f.s2, f.s1]);
    assert_eq!(shop_totals, vec![Value::from(3); 2]);
    app.stop().await;
}

crate::both_backends!(the_page_size_has_a_configured_default_and_maximum);
async fn the_page_size_has_a_configured_default_and_maximum(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.search.default_limit = 2;
        s.search.max_limit = 3;
    })
    .await;
    for _ in 0..4 {
        record(
            &app,
            Uuid::now_v7(),
            vec![vec![meta(0, "https://shop.example/")]],
        )
        .await;
    }
    wait_for_index(&app, 4).await;

    let default = get_json(&app, "/v1/sessions").await;
    let largest = get_json(&app, "/v1/sessions?limit=3").await;
    let too_many = app.viewer_get("/v1/sessions?limit=4").await;

    assert_eq!(ids(&default).len(), 2);
    assert!(default["next_cursor"].is_string());
    assert_eq!(ids(&largest).len(), 3);
    assert_eq!(too_many.status(), 400);
    let body: Value = too_many.json().await.expect("JSON");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("from 1 to 3")),
        "{body}"
    );
    app.stop().await;
}

crate::both_backends!(bad_parameters_are_a_400_naming_the_parameter);
async fn bad_parameters_are_a_400_naming_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;

    for (query, parameter) in [
        ("from=yesterday", "from"),
        ("from=20&to=10", "to"),
        ("project=Not%20A%20Project", "project"),
        ("url=", "url"),
        ("user_id=a%00b", "user_id"),
        ("trait.=x", "trait."),
        ("min_duration_ms=-5", "min_duration_ms"),
        ("has_errors=maybe", "has_errors"),
        ("has_rage_clicks=1", "has_rage_clicks"),
        ("has_dead_clicks=no", "has_dead_clicks"),
        ("sort=name", "sort"),
        ("order=sideways", "order"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("page=2", "page"),
        ("event=a&event=b", "event"),
    ] {
        let response = app.viewer_get(&format!("/v1/sessions?{query}")).await;
        assert_eq!(response.status(), 400, "?{query}");
        let body: Value = response.json().await.expect("JSON error");
        assert_eq!(body["error"], "bad_query", "?{query}");
        let message = body["message"].as_str().expect("message");
        assert!(
            message.contains(&format!("`{parameter}`")),
            "?{query}: {message}"
        );
    }
    app.stop().await;
}
