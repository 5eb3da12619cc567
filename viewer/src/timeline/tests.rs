use super::*;
use protocol::{
    FullSnapshot, JsError, Marker, Meta, MouseInteraction, Mutation, Navigation, NavigationKind,
    Node, NodeData, NodeId, PointerMove, PointerPosition, Track, Value,
};
use uuid::Uuid;

fn session() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)
}

fn batch(seq: u64, events: Vec<Event>) -> Batch {
    Batch::new("demo", session(), seq, 0, events)
}

fn snapshot(at: i64) -> Event {
    Event::new(
        at,
        EventData::FullSnapshot(FullSnapshot {
            root: Node {
                id: NodeId(1),
                data: NodeData::Document {
                    children: Vec::new(),
                },
            },
            scroll_x: 0,
            scroll_y: 0,
        }),
    )
}

fn meta(at: i64) -> Event {
    Event::new(
        at,
        EventData::Meta(Meta {
            url: "https://shop.example/".into(),
            width: 800,
            height: 600,
            user_agent: "test".into(),
        }),
    )
}

fn mutation(at: i64) -> Event {
    Event::new(
        at,
        EventData::Mutation(Mutation {
            adds: Vec::new(),
            removes: Vec::new(),
            texts: Vec::new(),
            attributes: Vec::new(),
        }),
    )
}

fn mouse(at: i64) -> Event {
    Event::new(
        at,
        EventData::MouseMove(PointerMove {
            positions: vec![PointerPosition {
                x: 1,
                y: 2,
                time_offset: 0,
            }],
        }),
    )
}

fn click(at: i64) -> Event {
    Event::new(
        at,
        EventData::MouseInteraction(MouseInteraction {
            kind: InteractionKind::Click,
            target: NodeId(5),
            x: 3,
            y: 4,
        }),
    )
}

fn track(at: i64, name: &str) -> Event {
    Event::new(
        at,
        EventData::Track(Track {
            name: name.into(),
            data: Value::Null,
        }),
    )
}

#[test]
fn events_keep_recording_order_and_time_never_runs_backwards() {
    let t = Timeline::new(vec![
        batch(0, vec![meta(1_000), snapshot(1_000), mouse(1_200)]),
        // A clock step back inside the next batch.
        batch(1, vec![mouse(1_100), click(1_300)]),
    ]);
    let times: Vec<i64> = t.events.iter().map(|e| e.at_ms).collect();
    assert_eq!(times, vec![1_000, 1_000, 1_200, 1_200, 1_300]);
    assert_eq!(t.bounds(), (1_000, 1_300));
    assert_eq!(t.keyframes(), &[1]);
    assert_eq!(t.batches[1].first_event, 3);
    assert_eq!(t.batches[1].span_ms, Some((1_200, 1_300)));
    assert_eq!(t.batch_of(4), Some(1));
    assert_eq!(t.index_at(999), None);
    assert_eq!(t.index_at(1_200), Some(3));
    assert_eq!(t.index_at(99_999), Some(4));
}

#[test]
fn seeking_rebuilds_from_the_nearest_keyframe_and_continues_forward_otherwise() {
    let t = Timeline::new(vec![
        batch(0, vec![meta(0), snapshot(0), mutation(10), mutation(20)]),
        batch(1, vec![meta(30), snapshot(30), mutation(40), mutation(50)]),
    ]);
    // From a blank replay to event 3: rebuild from snapshot 1, apply 2..=3.
    assert_eq!(
        t.plan(None, 3),
        SeekPlan {
            rebuild_from: Some(1),
            apply: 2..4
        }
    );
    // Forward within the same keyframe's stretch: just continue.
    assert_eq!(
        t.plan(Some(2), 3),
        SeekPlan {
            rebuild_from: None,
            apply: 3..4
        }
    );
    // Forward across a keyframe: rebuild from the later one, not replay everything.
    assert_eq!(
        t.plan(Some(2), 7),
        SeekPlan {
            rebuild_from: Some(5),
            apply: 6..8
        }
    );
    // Backwards: rebuild.
    assert_eq!(
        t.plan(Some(7), 2),
        SeekPlan {
            rebuild_from: Some(1),
            apply: 2..3
        }
    );
    // Before the first keyframe there is nothing to show.
    assert_eq!(
        t.plan(None, 0),
        SeekPlan {
            rebuild_from: None,
            apply: 0..0
        }
    );
    // Past the end clamps to the last event.
    assert_eq!(t.plan(Some(7), 100).apply, 8..8);
}

#[test]
fn idle_stretches_are_skippable_but_busy_pages_without_people_are_not_activity() {
    let mut events = vec![meta(0), snapshot(0), mouse(100)];
    // 20 s of mutations only, then the user moves again.
    events.extend((1..20).map(|s| mutation(100 + s * 1_000)));
    events.push(mouse(20_100));
    events.push(mutation(30_000));
    let t = Timeline::new(vec![batch(0, events)]);
    assert_eq!(t.inactive, vec![(1_100, 19_100), (21_100, 30_000)]);
    assert_eq!(t.skip_inactive(5_000), 19_100);
    assert_eq!(t.skip_inactive(500), 500);
    assert_eq!(t.skip_inactive(25_000), 30_000);
}

#[test]
fn markers_name_clicks_navigations_errors_custom_events_pauses_and_gaps() {
    let t = Timeline::new(vec![batch(
        0,
        vec![
            meta(0),
            snapshot(0),
            click(10),
            Event::new(
                20,
                EventData::Navigation(Navigation {
                    kind: NavigationKind::Push,
                    url: "https://shop.example/cart".into(),
                }),
            ),
            Event::new(
                30,
                EventData::Error(JsError {
                    message: "boom".into(),
                    source: None,
                    line: 0,
                    column: 0,
                    stack: None,
                    unhandled_rejection: false,
                }),
            ),
            track(40, "checkout"),
            Event::new(
                50,
                EventData::Marker(Marker {
                    kind: MarkerKind::Paused,
                    reason: "mutation_storm".into(),
                }),
            ),
            mouse(50 + GAP_MS),
        ],
    )]);
    let kinds: Vec<(&str, &str)> = t
        .markers
        .iter()
        .map(|m| (m.kind.name(), m.label.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("click", "click"),
            ("navigation", "https://shop.example/cart"),
            ("error", "boom"),
            ("custom", "checkout"),
            ("paused", "mutation_storm"),
            ("gap", "nothing recorded for 60 s"),
        ]
    );
    assert_eq!(t.find_track("checkout"), Some(5));
    assert_eq!(t.find_track("nope"), None);
}

#[test]
fn an_empty_session_has_no_plan_and_no_bounds() {
    let t = Timeline::new(vec![batch(0, Vec::new())]);
    assert!(t.is_empty());
    assert_eq!(t.bounds(), (0, 0));
    assert_eq!(t.batches[0].span_ms, None);
    assert_eq!(t.plan(None, 0).apply, 0..0);
}

#[test]
fn url_and_page_state_are_known_at_any_event() {
    use protocol::PageState;
    let t = Timeline::new(vec![batch(
        0,
        vec![
            meta(0),
            snapshot(0),
            Event::new(
                10,
                EventData::PageState(PageState {
                    visible: false,
                    focused: false,
                }),
            ),
            Event::new(
                20,
                EventData::Navigation(Navigation {
                    kind: NavigationKind::Hash,
                    url: "https://shop.example/#faq".into(),
                }),
            ),
        ],
    )]);
    assert_eq!(t.url_at(1), Some("https://shop.example/"));
    assert_eq!(t.url_at(3), Some("https://shop.example/#faq"));
    assert_eq!(t.page_state_at(1), (true, true));
    assert_eq!(t.page_state_at(3), (false, false));
}
