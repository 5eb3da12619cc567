//! A cheap guess at an event's MessagePack size, used only to decide when to flush.
//!
//! # The key decision: count string bytes, charge a constant for everything else
//!
//! Encoding each event as it arrives would double the recorder's serialization work. Strings
//! are almost all of a DOM batch's bytes, so the estimate is their lengths plus a small
//! constant per event, node, number and string header. It can be off by a few bytes per
//! value; the hard limits are enforced on the real encoding when batches are sealed.
//! Node trees and `Value`s are walked with an explicit stack: page-controlled depth must not
//! cost recursion.

use protocol::{Event, EventData, InputValue, Node, NodeData, RuleChange, Value};

/// Event array header, kind tag, a 9-byte timestamp and the payload's array header.
const EVENT: usize = 12;
/// A string's header (1–5 bytes; most DOM strings are short).
const STR: usize = 2;
/// An integer or small header (1–5 bytes).
const NUM: usize = 3;
/// A node's array header, id, kind tag and its own list headers.
const NODE: usize = 8;
/// A MessagePack float.
const FLOAT: usize = 9;

/// The estimated encoded size of `event` in bytes, before compression.
pub fn estimated_size(event: &Event) -> usize {
    EVENT.saturating_add(payload(&event.data))
}

fn payload(data: &EventData) -> usize {
    match data {
        EventData::Meta(m) => sum([str_len(&m.url), str_len(&m.user_agent), 2 * NUM]),
        EventData::FullSnapshot(f) => nodes(&f.root).saturating_add(2 * NUM),
        EventData::Navigation(n) => str_len(&n.url).saturating_add(NUM),
        EventData::PageState(_) => 2,
        EventData::Marker(m) => str_len(&m.reason).saturating_add(NUM),
        EventData::Mutation(m) => {
            let adds = m
                .adds
                .iter()
                .map(|add| nodes(&add.node).saturating_add(2 * NUM));
            let texts = m.texts.iter().map(|t| str_len(&t.text).saturating_add(NUM));
            let attributes = m
                .attributes
                .iter()
                .map(|a| sum([str_len(&a.name), opt_len(a.value.as_deref()), NUM]));
            sum(adds.chain(texts).chain(attributes))
                .saturating_add(m.removes.len().saturating_mul(2 * NUM))
                .saturating_add(4 * NUM)
        }
        EventData::MouseMove(p) | EventData::TouchMove(p) => {
            p.positions.len().saturating_mul(3 * NUM + 1)
        }
        EventData::MouseInteraction(_) => 4 * NUM,
        EventData::Scroll(_) => 3 * NUM,
        EventData::ViewportResize(_) => 2 * NUM,
        EventData::Input(i) => NUM.saturating_add(match &i.value {
            InputValue::Text(text) => str_len(text),
            InputValue::Checked(_) => 1,
            InputValue::Selected(options) => options.len().saturating_mul(NUM),
        }),
        EventData::MediaInteraction(_) => 2 * FLOAT + 3 * NUM,
        EventData::StyleSheetRule(r) => (2 * NUM).saturating_add(match &r.change {
            RuleChange::Insert(insert) => {
                str_len(&insert.rule).saturating_add(insert.index.len().saturating_mul(NUM))
            }
            RuleChange::Delete(index) => index.len().saturating_mul(NUM),
        }),
        EventData::AdoptedStyleSheets(a) => {
            let sheets = a.new_sheets.iter().map(|sheet| {
                sum(sheet.rules.iter().map(|rule| str_len(rule))).saturating_add(2 * NUM)
            });
            sum(sheets).saturating_add(a.style_ids.len().saturating_mul(NUM).saturating_add(NUM))
        }
        EventData::Selection(_) => 4 * NUM,
        EventData::Console(c) => sum(c.args.iter().map(|a| str_len(a))).saturating_add(NUM),
        EventData::Error(e) => sum([
            str_len(&e.message),
            opt_len(e.source.as_deref()),
            opt_len(e.stack.as_deref()),
            4 * NUM,
        ]),
        EventData::Track(t) => str_len(&t.name).saturating_add(values([&t.data])),
        EventData::Identify(i) => {
            let traits = i
                .traits
                .iter()
                .map(|(key, value)| str_len(key).saturating_add(values([value])));
            sum(traits).saturating_add(str_len(&i.user_id))
        }
    }
}

fn sum(sizes: impl IntoIterator<Item = usize>) -> usize {
    sizes.into_iter().fold(0, usize::saturating_add)
}

fn str_len(s: &str) -> usize {
    s.len().saturating_add(STR)
}

fn opt_len(s: Option<&str>) -> usize {
    s.map_or(1, str_len)
}

fn nodes(root: &Node) -> usize {
    let mut total = 0usize;
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let own = match &node.data {
            NodeData::Document { .. } | NodeData::ShadowRoot { .. } => 0,
            NodeData::Doctype {
                name,
                public_id,
                system_id,
            } => sum([str_len(name), str_len(public_id), str_len(system_id)]),
            NodeData::Element(element) => sum(element
                .attributes
                .iter()
                .map(|(name, value)| str_len(name).saturating_add(str_len(value))))
            .saturating_add(str_len(&element.tag)),
            NodeData::Text(text) | NodeData::Comment(text) | NodeData::CData(text) => str_len(text),
        };
        total = total.saturating_add(NODE).saturating_add(own);
        pending.extend(node.children());
    }
    total
}

fn values<'a>(roots: impl IntoIterator<Item = &'a Value>) -> usize {
    let mut total = 0usize;
    let mut pending: Vec<&Value> = roots.into_iter().collect();
    while let Some(value) = pending.pop() {
        let own = match value {
            Value::Null | Value::Bool(_) => 1,
            Value::Int(_) => NUM,
            Value::Float(_) => FLOAT,
            Value::String(s) => str_len(s),
            Value::Array(items) => {
                pending.extend(items);
                NUM
            }
            Value::Map(pairs) => {
                pending.extend(pairs.iter().map(|(_, v)| v));
                sum(pairs.iter().map(|(k, _)| str_len(k))).saturating_add(NUM)
            }
        };
        total = total.saturating_add(own);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Element, FullSnapshot, NodeId, Track};

    fn deep_tree(depth: u32) -> Node {
        let mut node = Node {
            id: NodeId(depth),
            data: NodeData::Text("leaf".into()),
        };
        for id in (0..depth).rev() {
            node = Node {
                id: NodeId(id),
                data: NodeData::Element(Element {
                    tag: "div".into(),
                    attributes: vec![("class".into(), "x".into())],
                    svg: false,
                    children: vec![node],
                }),
            };
        }
        node
    }

    #[test]
    fn grows_with_string_bytes_and_is_close_to_the_real_size() {
        let small = Event::new(
            1,
            EventData::Track(Track {
                name: "a".into(),
                data: Value::Null,
            }),
        );
        let text = "x".repeat(10_000);
        let big = Event::new(
            1,
            EventData::Track(Track {
                name: text,
                data: Value::Null,
            }),
        );
        assert!(estimated_size(&big) > estimated_size(&small) + 9_990);

        let real = protocol::encode_batch_uncompressed(&protocol::Batch::new(
            "p",
            crate::batching::test_support::session(),
            0,
            0,
            vec![big.clone()],
        ))
        .map(|b| b.len())
        .unwrap_or(0);
        let guess = estimated_size(&big);
        assert!(guess.abs_diff(real) < 64, "guess {guess}, real {real}");
    }

    #[test]
    fn walks_deep_trees_without_recursion() {
        let snapshot = FullSnapshot {
            root: Node {
                id: NodeId(0),
                data: NodeData::Document {
                    children: vec![deep_tree(100_000)],
                },
            },
            scroll_x: 0,
            scroll_y: 0,
        };
        let event = Event::new(0, EventData::FullSnapshot(snapshot));
        assert!(estimated_size(&event) > 100_000 * NODE);
    }
}
