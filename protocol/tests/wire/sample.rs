//! A hand-built batch holding every event kind, every node kind and every tagged payload kind:
//! the content of the golden fixture.

use protocol::*;
use uuid::Uuid;

/// A fixed UUIDv7 (2025-01-01T00:00:00Z).
pub fn session_id() -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(1_735_689_600_000, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        .into_uuid()
}

pub const STARTED_AT: i64 = 1_735_689_600_000;

pub fn element(id: u32, tag: &str, attributes: &[(&str, &str)], children: Vec<Node>) -> Node {
    Node {
        id: NodeId(id),
        data: NodeData::Element(Element {
            tag: tag.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            svg: false,
            children,
        }),
    }
}

pub fn text(id: u32, text: &str) -> Node {
    Node {
        id: NodeId(id),
        data: NodeData::Text(text.into()),
    }
}

/// A document whose deepest node is `depth` levels down (the document counts as 1); the
/// deepest element carries an attribute, so its attribute map is the deepest container.
pub fn tree_of_depth(depth: usize) -> Node {
    assert!(depth >= 2);
    let mut node = element(depth as u32, "div", &[("class", "deepest")], vec![]);
    for id in (2..depth as u32).rev() {
        node = element(id, "div", &[], vec![node]);
    }
    Node {
        id: NodeId(1),
        data: NodeData::Document {
            children: vec![node],
        },
    }
}

fn page() -> Node {
    let svg = Node {
        id: NodeId(9),
        data: NodeData::Element(Element {
            tag: "svg".into(),
            attributes: vec![("viewBox".into(), "0 0 10 10".into())],
            svg: true,
            children: vec![Node {
                id: NodeId(10),
                data: NodeData::CData("x < y".into()),
            }],
        }),
    };
    let shadow_host = element(
        11,
        "user-card",
        &[],
        vec![Node {
            id: NodeId(12),
            data: NodeData::ShadowRoot {
                children: vec![text(13, "shadow text")],
            },
        }],
    );
    let iframe = element(
        14,
        "iframe",
        &[("src", "/frame")],
        vec![Node {
            id: NodeId(15),
            data: NodeData::Document {
                children: vec![element(16, "html", &[], vec![])],
            },
        }],
    );
    let body = element(
        5,
        "body",
        &[("class", "checkout"), ("data-x", "")],
        vec![
            Node {
                id: NodeId(6),
                data: NodeData::Comment(" cart ".into()),
            },
            element(7, "input", &[("type", "text"), ("value", "****")], vec![]),
            text(8, "Total: 42 €"),
            svg,
            shadow_host,
            iframe,
        ],
    );
    let html = element(
        3,
        "html",
        &[("lang", "en")],
        vec![element(4, "head", &[], vec![]), body],
    );
    let doctype = Node {
        id: NodeId(2),
        data: NodeData::Doctype {
            name: "html".into(),
            public_id: String::new(),
            system_id: String::new(),
        },
    };
    Node {
        id: NodeId(1),
        data: NodeData::Document {
            children: vec![doctype, html],
        },
    }
}

pub fn sample_events() -> Vec<EventData> {
    vec![
        EventData::Meta(Meta {
            url: "https://shop.example/checkout".into(),
            width: 1280,
            height: 720,
            user_agent: "Mozilla/5.0".into(),
        }),
        EventData::FullSnapshot(FullSnapshot {
            root: page(),
            scroll_x: 0,
            scroll_y: 120,
        }),
        EventData::Navigation(Navigation {
            kind: NavigationKind::Push,
            url: "https://shop.example/pay".into(),
        }),
        EventData::PageState(PageState {
            visible: true,
            focused: false,
        }),
        EventData::Marker(Marker {
            kind: MarkerKind::Paused,
            reason: "tab hidden".into(),
        }),
        EventData::Mutation(Mutation {
            adds: vec![AddedNode {
                parent: NodeId(5),
                next_sibling: Some(NodeId(8)),
                node: text(17, "added"),
            }],
            removes: vec![RemovedNode {
                parent: NodeId(5),
                id: NodeId(6),
            }],
            texts: vec![TextChange {
                id: NodeId(8),
                text: "Total: 40 €".into(),
            }],
            attributes: vec![
                AttributeChange {
                    id: NodeId(5),
                    name: "class".into(),
                    value: Some("paid".into()),
                },
                AttributeChange {
                    id: NodeId(5),
                    name: "data-x".into(),
                    value: None,
                },
            ],
        }),
        EventData::MouseMove(PointerMove {
            positions: vec![
                PointerPosition {
                    x: 10,
                    y: 20,
                    time_offset: -40,
                },
                PointerPosition {
                    x: 300,
                    y: 2000,
                    time_offset: 0,
                },
            ],
        }),
        EventData::TouchMove(PointerMove {
            positions: vec![PointerPosition {
                x: -5,
                y: 7,
                time_offset: -10,
            }],
        }),
        EventData::MouseInteraction(MouseInteraction {
            kind: InteractionKind::Click,
            target: NodeId(7),
            x: 100,
            y: 200,
        }),
        EventData::Scroll(Scroll {
            target: NodeId(1),
            x: 0,
            y: 640,
        }),
        EventData::ViewportResize(ViewportResize {
            width: 390,
            height: 844,
        }),
        EventData::Input(Input {
            target: NodeId(7),
            value: InputValue::Text("****".into()),
        }),
        EventData::Input(Input {
            target: NodeId(7),
            value: InputValue::Checked(true),
        }),
        EventData::Input(Input {
            target: NodeId(7),
            value: InputValue::Selected(vec![0, 2]),
        }),
        EventData::MediaInteraction(MediaInteraction {
            target: NodeId(9),
            kind: MediaKind::Seek,
            current_time: 12.5,
            volume: 0.75,
            muted: false,
        }),
        EventData::StyleSheetRule(StyleSheetRule {
            sheet: StyleSheetId::Node(NodeId(4)),
            change: RuleChange::Insert(RuleInsert {
                rule: ".a { color: red }".into(),
                index: vec![2, 0],
            }),
        }),
        EventData::StyleSheetRule(StyleSheetRule {
            sheet: StyleSheetId::Constructed(1),
            change: RuleChange::Delete(vec![3]),
        }),
        EventData::AdoptedStyleSheets(AdoptedStyleSheets {
            target: NodeId(12),
            style_ids: vec![1, 2],
            new_sheets: vec![ConstructedSheet {
                style_id: 2,
                rules: vec![":host { display: block }".into()],
            }],
        }),
        EventData::Selection(Selection {
            range: Some(SelectionRange {
                anchor: NodeId(8),
                anchor_offset: 0,
                focus: NodeId(8),
                focus_offset: 5,
            }),
        }),
        EventData::Selection(Selection { range: None }),
        EventData::Console(ConsoleMessage {
            level: ConsoleLevel::Warn,
            args: vec!["low stock".into(), "3".into()],
        }),
        EventData::Error(JsError {
            message: "TypeError: x is undefined".into(),
            source: Some("https://shop.example/app.js".into()),
            line: 10,
            column: 4,
            stack: Some("at pay (app.js:10:4)".into()),
            unhandled_rejection: false,
        }),
        EventData::Error(JsError {
            message: "rejected".into(),
            source: None,
            line: 0,
            column: 0,
            stack: None,
            unhandled_rejection: true,
        }),
        EventData::Track(Track {
            name: "checkout_step".into(),
            data: Value::Map(vec![
                ("step".into(), Value::Int(2)),
                ("total".into(), Value::Float(42.5)),
                ("coupon".into(), Value::Null),
                (
                    "items".into(),
                    Value::Array(vec![Value::from("sku-1"), Value::Int(-7)]),
                ),
                ("gift".into(), Value::Bool(false)),
            ]),
        }),
        EventData::Identify(Identify {
            user_id: "user-42".into(),
            traits: vec![
                ("plan".into(), Value::from("pro")),
                ("seats".into(), Value::Int(5)),
            ],
        }),
    ]
}

/// [`sample_events`] one millisecond apart, starting at [`STARTED_AT`].
pub fn sample_batch() -> Batch {
    let events = sample_events()
        .into_iter()
        .zip(STARTED_AT..)
        .map(|(data, timestamp)| Event::new(timestamp, data))
        .collect();
    Batch::new("demo", session_id(), 7, STARTED_AT, events)
}
