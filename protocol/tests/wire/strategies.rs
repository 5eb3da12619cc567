//! Proptest strategies for every type in the format.
//!
//! [`event_data`] matches on [`EventKind`] exhaustively, so a new kind does not compile until
//! it has a strategy.

use proptest::collection::vec;
use proptest::prelude::*;
use protocol::*;

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn id() -> impl Strategy<Value = NodeId> {
    any::<u32>().prop_map(NodeId)
}

/// Finite floats only: NaN would make `PartialEq` fail the round trip, not the codec.
fn finite() -> impl Strategy<Value = f64> {
    use proptest::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

fn attributes() -> impl Strategy<Value = Vec<(String, String)>> {
    vec((text(), text()), 0..4)
}

fn element(children: impl Strategy<Value = Vec<Node>>) -> impl Strategy<Value = Node> {
    (id(), text(), attributes(), any::<bool>(), children).prop_map(
        |(id, tag, attributes, svg, children)| Node {
            id,
            data: NodeData::Element(Element {
                tag,
                attributes,
                svg,
                children,
            }),
        },
    )
}

/// Any node, nested a few levels, including documents and shadow roots inside elements.
pub fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        (id(), text(), text(), text()).prop_map(|(id, name, public_id, system_id)| Node {
            id,
            data: NodeData::Doctype {
                name,
                public_id,
                system_id
            },
        }),
        (id(), text()).prop_map(|(id, t)| Node {
            id,
            data: NodeData::Text(t)
        }),
        (id(), text()).prop_map(|(id, t)| Node {
            id,
            data: NodeData::Comment(t)
        }),
        (id(), text()).prop_map(|(id, t)| Node {
            id,
            data: NodeData::CData(t)
        }),
        element(Just(vec![])),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            element(vec(inner.clone(), 0..4)),
            (id(), vec(inner.clone(), 0..4)).prop_map(|(id, children)| Node {
                id,
                data: NodeData::Document { children },
            }),
            (id(), vec(inner, 0..4)).prop_map(|(id, children)| Node {
                id,
                data: NodeData::ShadowRoot { children }
            }),
        ]
    })
}

fn document() -> impl Strategy<Value = Node> {
    (id(), vec(node(), 0..4)).prop_map(|(id, children)| Node {
        id,
        data: NodeData::Document { children },
    })
}

pub fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        finite().prop_map(Value::Float),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec((text(), inner), 0..4).prop_map(Value::Map),
        ]
    })
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn pointer_move() -> impl Strategy<Value = PointerMove> {
    vec((any::<i32>(), any::<i32>(), any::<i32>()), 0..6).prop_map(|positions| PointerMove {
        positions: positions
            .into_iter()
            .map(|(x, y, time_offset)| PointerPosition { x, y, time_offset })
            .collect(),
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let add =
        (id(), proptest::option::of(id()), node()).prop_map(|(parent, next_sibling, node)| {
            AddedNode {
                parent,
                next_sibling,
                node,
            }
        });
    let remove = (id(), id()).prop_map(|(parent, id)| RemovedNode { parent, id });
    let text_change = (id(), text()).prop_map(|(id, text)| TextChange { id, text });
    let attribute = (id(), text(), proptest::option::of(text()))
        .prop_map(|(id, name, value)| AttributeChange { id, name, value });
    (
        vec(add, 0..3),
        vec(remove, 0..3),
        vec(text_change, 0..3),
        vec(attribute, 0..3),
    )
        .prop_map(|(adds, removes, texts, attributes)| Mutation {
            adds,
            removes,
            texts,
            attributes,
        })
}

fn input_value() -> impl Strategy<Value = InputValue> {
    prop_oneof![
        text().prop_map(InputValue::Text),
        any::<bool>().prop_map(InputValue::Checked),
        vec(any::<u32>(), 0..4).prop_map(InputValue::Selected),
    ]
}

fn style_sheet_rule() -> impl Strategy<Value = StyleSheetRule> {
    let sheet = prop_oneof![
        id().prop_map(StyleSheetId::Node),
        any::<u32>().prop_map(StyleSheetId::Constructed)
    ];
    let change = prop_oneof![
        (text(), vec(any::<u32>(), 0..3))
            .prop_map(|(rule, index)| RuleChange::Insert(RuleInsert { rule, index })),
        vec(any::<u32>(), 0..3).prop_map(RuleChange::Delete),
    ];
    (sheet, change).prop_map(|(sheet, change)| StyleSheetRule { sheet, change })
}

fn adopted_style_sheets() -> impl Strategy<Value = AdoptedStyleSheets> {
    let sheet = (any::<u32>(), vec(text(), 0..3))
        .prop_map(|(style_id, rules)| ConstructedSheet { style_id, rules });
    (id(), vec(any::<u32>(), 0..4), vec(sheet, 0..3)).prop_map(|(target, style_ids, new_sheets)| {
        AdoptedStyleSheets {
            target,
            style_ids,
            new_sheets,
        }
    })
}

fn selection() -> impl Strategy<Value = Selection> {
    let range = (id(), any::<u32>(), id(), any::<u32>()).prop_map(
        |(anchor, anchor_offset, focus, focus_offset)| SelectionRange {
            anchor,
            anchor_offset,
            focus,
            focus_offset,
        },
    );
    proptest::option::of(range).prop_map(|range| Selection { range })
}

fn js_error() -> impl Strategy<Value = JsError> {
    (
        text(),
        proptest::option::of(text()),
        any::<u32>(),
        any::<u32>(),
        proptest::option::of(text()),
        any::<bool>(),
    )
        .prop_map(
            |(message, source, line, column, stack, unhandled_rejection)| JsError {
                message,
                source,
                line,
                column,
                stack,
                unhandled_rejection,
            },
        )
}

/// Payloads of exactly the given kind.
pub fn event_data(kind: EventKind) -> BoxedStrategy<EventData> {
    match kind {
        EventKind::Meta => (text(), any::<u32>(), any::<u32>(), text())
            .prop_map(|(url, width, height, user_agent)| {
                EventData::Meta(Meta {
                    url,
                    width,
                    height,
                    user_agent,
                })
            })
            .boxed(),
        EventKind::FullSnapshot => (document(), any::<i32>(), any::<i32>())
            .prop_map(|(root, scroll_x, scroll_y)| {
                EventData::FullSnapshot(FullSnapshot {
                    root,
                    scroll_x,
                    scroll_y,
                })
            })
            .boxed(),
        EventKind::Navigation => (pick(NavigationKind::ALL), text())
            .prop_map(|(kind, url)| EventData::Navigation(Navigation { kind, url }))
            .boxed(),
        EventKind::PageState => (any::<bool>(), any::<bool>())
            .prop_map(|(visible, focused)| EventData::PageState(PageState { visible, focused }))
            .boxed(),
        EventKind::Marker => (pick(MarkerKind::ALL), text())
            .prop_map(|(kind, reason)| EventData::Marker(Marker { kind, reason }))
            .boxed(),
        EventKind::Mutation => mutation().prop_map(EventData::Mutation).boxed(),
        EventKind::MouseMove => pointer_move().prop_map(EventData::MouseMove).boxed(),
        EventKind::TouchMove => pointer_move().prop_map(EventData::TouchMove).boxed(),
        EventKind::MouseInteraction => {
            (pick(InteractionKind::ALL), id(), any::<i32>(), any::<i32>())
                .prop_map(|(kind, target, x, y)| {
                    EventData::MouseInteraction(MouseInteraction { kind, target, x, y })
                })
                .boxed()
        }
        EventKind::Scroll => (id(), any::<i32>(), any::<i32>())
            .prop_map(|(target, x, y)| EventData::Scroll(Scroll { target, x, y }))
            .boxed(),
        EventKind::ViewportResize => (any::<u32>(), any::<u32>())
            .prop_map(|(width, height)| EventData::ViewportResize(ViewportResize { width, height }))
            .boxed(),
        EventKind::Input => (id(), input_value())
            .prop_map(|(target, value)| EventData::Input(Input { target, value }))
            .boxed(),
        EventKind::MediaInteraction => (
            id(),
            pick(MediaKind::ALL),
            finite(),
            finite(),
            any::<bool>(),
        )
            .prop_map(|(target, kind, current_time, volume, muted)| {
                EventData::MediaInteraction(MediaInteraction {
                    target,
                    kind,
                    current_time,
                    volume,
                    muted,
                })
            })
            .boxed(),
        EventKind::StyleSheetRule => style_sheet_rule()
            .prop_map(EventData::StyleSheetRule)
            .boxed(),
        EventKind::AdoptedStyleSheets => adopted_style_sheets()
            .prop_map(EventData::AdoptedStyleSheets)
            .boxed(),
        EventKind::Selection => selection().prop_map(EventData::Selection).boxed(),
        EventKind::Console => (pick(ConsoleLevel::ALL), vec(text(), 0..4))
            .prop_map(|(level, args)| EventData::Console(ConsoleMessage { level, args }))
            .boxed(),
        EventKind::Error => js_error().prop_map(EventData::Error).boxed(),
        EventKind::Track => (text(), value())
            .prop_map(|(name, data)| EventData::Track(Track { name, data }))
            .boxed(),
        EventKind::Identify => (text(), vec((text(), value()), 0..4))
            .prop_map(|(user_id, traits)| EventData::Identify(Identify { user_id, traits }))
            .boxed(),
    }
}

pub fn event() -> impl Strategy<Value = Event> {
    (any::<i64>(), pick(EventKind::ALL).prop_flat_map(event_data))
        .prop_map(|(timestamp, data)| Event::new(timestamp, data))
}

/// Any valid UUIDv7.
fn session_id() -> impl Strategy<Value = uuid::Uuid> {
    (0u64..(1 << 48), any::<[u8; 10]>()).prop_map(|(millis, random)| {
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    })
}

pub fn batch_of(events: impl Strategy<Value = Vec<Event>>) -> impl Strategy<Value = Batch> {
    (text(), session_id(), any::<u64>(), any::<i64>(), events).prop_map(
        |(project, session_id, seq, started_at, events)| {
            Batch::new(project, session_id, seq, started_at, events)
        },
    )
}

pub fn batch() -> impl Strategy<Value = Batch> {
    batch_of(vec(event(), 0..6))
}
