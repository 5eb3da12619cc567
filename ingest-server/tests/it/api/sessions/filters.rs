//! Every filter of `GET /v1/sessions`, alone and combined, on both stores.

use uuid::Uuid;

use super::events::T0;
use super::fixture::record_fixture;
use super::{get_json, ids};
use crate::api::harness::spawn_app;
use crate::support::Backend;

crate::both_backends!(each_filter_selects_exactly_the_matching_sessions);
async fn each_filter_selects_exactly_the_matching_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;

    let from = T0 + 1500;
    let to = T0 + 3500;
    let cases: Vec<(String, Vec<Uuid>)> = vec![
        (String::new(), vec![f.s1, f.s2, f.s3, f.s4]),
        (format!("from={from}&to={to}"), vec![f.s2, f.s3]),
        (format!("from={}", T0 + 3000), vec![f.s3, f.s4]),
        (format!("to={}", T0 + 3000), vec![f.s1, f.s2]),
        ("project=news".into(), vec![f.s4]),
        ("project=shop".into(), vec![f.s1, f.s2, f.s3]),
        ("project=nobody".into(), vec![]),
        ("url=https://shop.example/checkout".into(), vec![f.s1]),
        ("url=https://shop.example/".into(), vec![f.s1, f.s2]),
        ("url=https://blog".into(), vec![f.s3]),
        ("url=/products".into(), vec![f.s2]),
        ("url=/products/4".into(), vec![f.s2]),
        ("url=/checkout/pay".into(), vec![f.s1]),
        ("url=/".into(), vec![f.s1, f.s2, f.s3, f.s4]),
        ("url=/nowhere".into(), vec![]),
        ("user_id=alice".into(), vec![f.s1]),
        ("user_id=ali".into(), vec![]),
        ("trait.plan=pro".into(), vec![f.s1]),
        ("trait.plan=free".into(), vec![f.s2]),
        ("trait.plan=pro&trait.country=de".into(), vec![f.s1]),
        ("trait.plan=pro&trait.country=fr".into(), vec![]),
        ("min_duration_ms=1000".into(), vec![f.s1, f.s2, f.s4]),
        ("max_duration_ms=1000".into(), vec![f.s3, f.s4]),
        (
            "min_duration_ms=1000&max_duration_ms=5000".into(),
            vec![f.s1, f.s4],
        ),
        ("has_errors=true".into(), vec![f.s1, f.s3]),
        ("has_errors=false".into(), vec![f.s2, f.s4]),
        ("has_rage_clicks=true".into(), vec![f.s1]),
        ("has_rage_clicks=false".into(), vec![f.s2, f.s3, f.s4]),
        ("has_dead_clicks=true".into(), vec![f.s2]),
        ("has_dead_clicks=false".into(), vec![f.s1, f.s3, f.s4]),
        ("event=purchase".into(), vec![f.s1]),
        ("event=wishlist".into(), vec![f.s2]),
        ("event=purchas".into(), vec![]),
        (
            "project=shop&has_errors=true&url=/checkout&user_id=alice&event=purchase".into(),
            vec![f.s1],
        ),
    ];

    for (query, expected) in cases {
        // Oldest first, so the expected lists read in fixture order.
        let listing = get_json(&app, &format!("/v1/sessions?order=asc&{query}")).await;
        assert_eq!(ids(&listing), expected, "?{query}");
        assert_eq!(listing["total"], expected.len(), "?{query}");
    }
    app.stop().await;
}

crate::both_backends!(rows_carry_the_facts_of_each_session);
async fn rows_carry_the_facts_of_each_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = record_fixture(&app).await;

    let listing = get_json(&app, "/v1/sessions?order=asc").await;

    let rows = listing["sessions"].as_array().expect("rows");
    let s1 = &rows[0];
    assert_eq!(s1["session_id"], f.s1.to_string());
    assert_eq!(s1["project"], "shop");
    assert_eq!(s1["started_at_ms"], T0 + 1000);
    assert_eq!(s1["last_event_at_ms"], T0 + 6000);
    assert_eq!(s1["duration_ms"], 5000);
    assert_eq!(s1["first_url"], "https://shop.example/checkout?step=1");
    assert_eq!(s1["page_count"], 2);
    assert_eq!(s1["user_id"], "alice");
    assert_eq!(s1["event_count"], 11);
    assert_eq!(s1["click_count"], 3);
    assert_eq!(s1["error_count"], 2);
    assert_eq!(s1["rage_click_count"], 1);
    assert_eq!(s1["dead_click_count"], 0);
    assert_eq!(s1["undecodable_batches"], 0);
    assert_eq!(s1["batch_count"], 2);
    assert_eq!(s1["entries"], 3, "session opened + two batches");
    assert_eq!(s1["indexed"], true);
    assert!(s1.get("pages").is_none(), "pages are for the detail view");
    let s2 = &rows[1];
    assert_eq!(
        (&s2["dead_click_count"], &s2["user_id"], &s2["page_count"]),
        (&1.into(), &"bob".into(), &2.into())
    );
    app.stop().await;
}
