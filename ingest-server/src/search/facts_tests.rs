use super::*;
use proptest::prelude::*;
use protocol::{
    AddedNode, Identify, JsError, Meta, MouseInteraction, Mutation, Navigation, NavigationKind,
    Node, NodeData, NodeId, Track,
};
use uuid::Uuid;

const T0: i64 = 1_700_000_000_000;

fn limits() -> FactLimits {
    FactLimits {
        max_pages: 10,
        max_traits: 10,
        max_event_names: 10,
        max_value_bytes: 200,
    }
}

fn batch(seq: u64, events: Vec<Event>) -> Batch {
    Batch::new("shop", Uuid::now_v7(), seq, T0, events)
}

fn meta(ts: i64, url: &str) -> Event {
    Event::new(
        ts,
        EventData::Meta(Meta {
            url: url.into(),
            width: 800,
            height: 600,
            user_agent: "test".into(),
        }),
    )
}

fn nav(ts: i64, url: &str) -> Event {
    Event::new(
        ts,
        EventData::Navigation(Navigation {
            kind: NavigationKind::Push,
            url: url.into(),
        }),
    )
}

fn click(ts: i64, target: u32) -> Event {
    Event::new(
        ts,
        EventData::MouseInteraction(MouseInteraction {
            kind: InteractionKind::Click,
            target: NodeId(target),
            x: 1,
            y: 1,
        }),
    )
}

fn mutation(ts: i64) -> Event {
    Event::new(
        ts,
        EventData::Mutation(Mutation {
            adds: vec![AddedNode {
                parent: NodeId(1),
                next_sibling: None,
                node: Node {
                    id: NodeId(99),
                    data: NodeData::Text("changed".into()),
                },
            }],
            removes: vec![],
            texts: vec![],
            attributes: vec![],
        }),
    )
}

fn error(ts: i64) -> Event {
    Event::new(
        ts,
        EventData::Error(JsError {
            message: "boom".into(),
            source: None,
            line: 0,
            column: 0,
            stack: None,
            unhandled_rejection: false,
        }),
    )
}

fn track(ts: i64, name: &str) -> Event {
    Event::new(
        ts,
        EventData::Track(Track {
            name: name.into(),
            data: Value::Null,
        }),
    )
}

fn identify(ts: i64, user: &str, traits: &[(&str, Value)]) -> Event {
    Event::new(
        ts,
        EventData::Identify(Identify {
            user_id: user.into(),
            traits: traits
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }),
    )
}

/// Feeds the batches one by one through a stored state, as the indexer does.
fn index(batches: &[Batch]) -> SessionFacts {
    let mut state = SessionFacts::default().to_state();
    for b in batches {
        let mut facts = SessionFacts::from_state(&state).expect("state reads back");
        facts.add_batch(b, &limits());
        state = facts.to_state();
    }
    SessionFacts::from_state(&state).expect("state reads back")
}

#[test]
fn times_counts_and_errors() {
    let f = index(&[batch(
        0,
        vec![
            meta(T0 + 5, "https://shop.example/"),
            click(T0 + 10, 4),
            error(T0 + 20),
            error(T0 + 30),
            mutation(T0 + 40),
        ],
    )]);
    assert_eq!(f.started_at_ms(), Some(T0 + 5));
    assert_eq!(f.last_event_at_ms(), Some(T0 + 40));
    assert_eq!(f.duration_ms(), 35);
    assert_eq!((f.event_count, f.click_count, f.error_count), (5, 1, 2));
    assert_eq!((f.dead_click_count(), f.pending_clicks()), (0, 0));
}

#[test]
fn a_batch_without_events_starts_the_session_at_the_recorder_start() {
    let f = index(&[batch(0, vec![])]);
    assert_eq!(f.started_at_ms(), Some(T0));
    assert_eq!(f.duration_ms(), 0);
    assert_eq!(SessionFacts::default().started_at_ms(), None);
}

#[test]
fn pages_come_from_meta_and_navigations_first_url_first() {
    let f = index(&[
        batch(0, vec![meta(T0, "https://shop.example/")]),
        batch(
            1,
            vec![
                nav(T0 + 1, "https://shop.example/cart"),
                nav(T0 + 2, "https://shop.example/"),
                nav(T0 + 3, "https://shop.example/checkout#pay"),
            ],
        ),
    ]);
    assert_eq!(f.first_url.as_deref(), Some("https://shop.example/"));
    let pages: Vec<&str> = f.pages.iter().map(String::as_str).collect();
    assert_eq!(
        pages,
        [
            "https://shop.example/",
            "https://shop.example/cart",
            "https://shop.example/checkout#pay"
        ]
    );
}

#[test]
fn the_latest_identify_replaces_user_and_traits() {
    let f = index(&[
        batch(
            0,
            vec![identify(
                T0,
                "u-1",
                &[
                    ("plan", Value::String("free".into())),
                    ("seats", Value::Int(1)),
                ],
            )],
        ),
        batch(
            1,
            vec![identify(
                T0 + 1,
                "u-2",
                &[
                    ("plan", Value::String("free".into())),
                    ("plan", Value::String("pro".into())),
                    ("beta", Value::Bool(true)),
                ],
            )],
        ),
    ]);
    assert_eq!(f.user_id.as_deref(), Some("u-2"));
    let traits: Vec<(&str, &str)> = f
        .traits
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(traits, [("beta", "true"), ("plan", "pro")]);
}

#[test]
fn an_empty_user_id_clears_the_user() {
    let f = index(&[batch(
        0,
        vec![identify(T0, "u-1", &[]), identify(T0 + 1, "", &[])],
    )]);
    assert_eq!(f.user_id, None);
}

#[test]
fn rage_clicks_span_batch_boundaries() {
    let f = index(&[
        batch(0, vec![click(T0, 9), click(T0 + 200, 9)]),
        batch(1, vec![click(T0 + 400, 9), mutation(T0 + 500)]),
    ]);
    assert_eq!(f.rage_click_count(), 1);
    assert_eq!(f.click_count, 3);
}

#[test]
fn a_pending_dead_click_is_resolved_by_the_next_batch() {
    let first = index(&[batch(0, vec![click(T0, 1)])]);
    assert_eq!((first.dead_click_count(), first.pending_clicks()), (0, 1));

    let saved = index(&[
        batch(0, vec![click(T0, 1)]),
        batch(1, vec![mutation(T0 + 900)]),
    ]);
    assert_eq!((saved.dead_click_count(), saved.pending_clicks()), (0, 0));

    let dead = index(&[
        batch(0, vec![click(T0, 1)]),
        batch(1, vec![error(T0 + 1500), mutation(T0 + 1600)]),
    ]);
    assert_eq!((dead.dead_click_count(), dead.pending_clicks()), (1, 0));
}

#[test]
fn settling_counts_the_still_pending_clicks_dead() {
    let mut f = index(&[batch(0, vec![click(T0, 1), click(T0 + 1, 2)])]);
    f.settle();
    assert_eq!((f.dead_click_count(), f.pending_clicks()), (2, 0));
}

#[test]
fn navigations_and_snapshots_answer_a_click() {
    let f = index(&[batch(
        0,
        vec![
            click(T0, 1),
            nav(T0 + 10, "https://shop.example/next"),
            error(T0 + 5000),
        ],
    )]);
    assert_eq!(f.dead_click_count(), 0);
}

#[test]
fn track_names_are_distinct() {
    let f = index(&[batch(
        0,
        vec![
            track(T0, "checkout"),
            track(T0, "checkout"),
            track(T0, "coupon"),
            track(T0, ""),
        ],
    )]);
    let names: Vec<&str> = f.event_names.iter().map(String::as_str).collect();
    assert_eq!(names, ["checkout", "coupon"]);
}

#[test]
fn every_kept_collection_and_string_is_bounded() {
    let small = FactLimits {
        max_pages: 2,
        max_traits: 1,
        max_event_names: 1,
        max_value_bytes: 11,
    };
    let mut f = SessionFacts::default();
    for event in [
        meta(T0, "https://a/1?long-query"),
        nav(T0, "https://a/2"),
        nav(T0, "https://a/3"),
        track(T0, "one"),
        track(T0, "two"),
        identify(
            T0,
            "user-with-a-long-id\0",
            &[("a", Value::Int(1)), ("b", Value::Int(2))],
        ),
    ] {
        f.add_event(&event, &small);
    }
    assert_eq!(f.pages.len(), 2);
    assert!(f.pages.iter().all(|p| p.len() <= 11));
    assert_eq!(f.first_url.as_deref(), Some("https://a/1"));
    assert_eq!(f.event_names.len(), 1);
    assert_eq!(f.traits.len(), 1);
    assert_eq!(f.user_id.as_deref(), Some("user-with-a"));
}

#[test]
fn trait_values_are_text_and_nested_values_json() {
    assert_eq!(trait_text(&Value::String("pro".into())), "pro");
    assert_eq!(trait_text(&Value::Int(-3)), "-3");
    assert_eq!(trait_text(&Value::Float(1.5)), "1.5");
    assert_eq!(trait_text(&Value::Float(f64::NAN)), "null");
    assert_eq!(
        trait_text(&Value::Map(vec![(
            "tags".into(),
            Value::Array(vec![Value::String("a\"b".into()), Value::Null])
        )])),
        r#"{"tags":["a\"b",null]}"#
    );
}

#[test]
fn a_state_of_another_version_or_unreadable_is_discarded() {
    let mut f = SessionFacts::default();
    f.add_event(&click(T0, 1), &limits());
    let state = f.to_state();
    assert_eq!(SessionFacts::from_state(&state), Some(f));
    let old = state.replace(
        &format!("\"version\":{STATE_VERSION}"),
        &format!("\"version\":{}", STATE_VERSION + 1),
    );
    assert_eq!(SessionFacts::from_state(&old), None);
    assert_eq!(SessionFacts::from_state("{not json"), None);
}

fn any_event() -> impl Strategy<Value = (i64, u8, u32)> {
    (0i64..700, 0u8..7, 0u32..3)
}

fn to_event(ts: i64, kind: u8, n: u32) -> Event {
    match kind {
        0 => click(ts, n),
        1 => mutation(ts),
        2 => nav(ts, &format!("https://shop.example/{n}")),
        3 => error(ts),
        4 => track(ts, &format!("t{n}")),
        5 => identify(ts, &format!("u{n}"), &[("n", Value::Int(i64::from(n)))]),
        _ => meta(ts, &format!("https://shop.example/m{n}")),
    }
}

proptest! {
    /// However the events are cut into batches, the facts are the same as reading
    /// them in one go.
    #[test]
    fn batch_boundaries_do_not_change_the_facts(
        steps in proptest::collection::vec(any_event(), 0..120),
        cuts in proptest::collection::vec(0usize..120, 0..6),
    ) {
        let mut ts = T0;
        let events: Vec<Event> = steps
            .into_iter()
            .map(|(dt, kind, n)| {
                ts += dt;
                to_event(ts, kind, n)
            })
            .collect();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(events.len())).collect();
        cuts.push(0);
        cuts.push(events.len());
        cuts.sort_unstable();
        let batches: Vec<Batch> = cuts
            .windows(2)
            .enumerate()
            .map(|(i, w)| batch(i as u64, events[w[0]..w[1]].to_vec()))
            .collect();
        let whole = index(&[batch(0, events.clone())]);
        prop_assert_eq!(index(&batches), whole);
    }
}
