//! One `MutationObserver` callback's records, coalesced into one [`protocol::Mutation`].
//!
//! Records are folded, not replayed one by one: a node added and removed within the same
//! callback never appears, an added subtree is serialized once in its final state (so
//! changes to nodes inside it are dropped), and every added node's `next_sibling` is
//! already known to the replayer when it is applied, because adds are emitted in reverse
//! document order per parent. Removes come before adds, as the replayer applies them.
//!
//! `el.textContent = "…"` on an element with one text child replaces the text node; the
//! browser reports remove + add, which would cost a whole node and a new id per update
//! on a busy page. That case is recorded as a text change on the old node, whose id the
//! new text node inherits.

use js_sys::{Array, Set};
use protocol::{AddedNode, AttributeChange, Mutation, NodeId, RemovedNode, TextChange};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MutationRecord, Node};

use super::ids::NodeIds;
use super::page_privacy::PagePrivacy;
use super::serialize::{Discovered, Serializer, attribute_value};

/// What a flush produced: the mutation (if anything changed) and new roots to observe.
#[derive(Debug)]
pub(crate) struct Flushed {
    pub(crate) mutation: Option<Mutation>,
    pub(crate) found: Discovered,
}

struct Removal {
    parent: NodeId,
    id: NodeId,
    node: Node,
}

pub(crate) fn coalesce(
    records: &Array,
    ids: &mut NodeIds,
    privacy: &PagePrivacy,
    allow: &mut dyn FnMut(NodeId) -> bool,
) -> Flushed {
    let watermark = ids.watermark();
    let added = Set::new(&JsValue::UNDEFINED);
    let mut added_order: Vec<Node> = Vec::new();
    let mut removals: Vec<Removal> = Vec::new();
    let mut texts: Vec<Node> = Vec::new();
    let mut attributes: Vec<(Element, String)> = Vec::new();

    for record in records.iter() {
        let record: MutationRecord = record.unchecked_into();
        let Some(target) = record.target() else {
            continue;
        };
        match record.type_().as_str() {
            "childList" => {
                let removed = record.removed_nodes();
                for index in 0..removed.length() {
                    let Some(node) = removed.item(index) else {
                        continue;
                    };
                    // Unknown nodes were never recorded (added and removed before a flush,
                    // or under a blocked element): nothing to undo.
                    if let (Some(id), Some(parent)) = (ids.get(&node), ids.get(&target)) {
                        removals.push(Removal { parent, id, node });
                    }
                }
                let adds = record.added_nodes();
                for index in 0..adds.length() {
                    let Some(node) = adds.item(index) else {
                        continue;
                    };
                    if !added.has(&node) {
                        added.add(&node);
                        added_order.push(node);
                    }
                }
            }
            "characterData" => texts.push(target),
            "attributes" => {
                if let Some(name) = record.attribute_name() {
                    attributes.push((target.unchecked_into(), name));
                }
            }
            _ => {}
        }
    }

    // Roots of added subtrees: connected, under a recorded parent that is not itself added.
    let roots: Vec<Node> = added_order
        .into_iter()
        .filter(|node| {
            node.is_connected()
                && node
                    .parent_node()
                    .is_some_and(|parent| ids.get(&parent).is_some() && !added.has(&parent))
        })
        .collect();

    let mut mutation = Mutation {
        adds: Vec::new(),
        removes: Vec::new(),
        texts: Vec::new(),
        attributes: Vec::new(),
    };
    let mut roots = text_replacements(roots, &mut removals, ids, privacy, &mut mutation);

    let removed_ids: std::collections::HashSet<u32> = removals.iter().map(|r| r.id.0).collect();
    for removal in &removals {
        // A child of a node removed in the same flush goes with its parent.
        if !removed_ids.contains(&removal.parent.0) {
            mutation.removes.push(RemovedNode {
                parent: removal.parent,
                id: removal.id,
            });
        }
    }

    let mut serializer = Serializer::new(ids, privacy);
    let pending = Set::new(&JsValue::UNDEFINED);
    for root in &roots {
        pending.add(root);
    }
    // Emit each root after the pending roots that follow it, so its next sibling exists.
    roots.reverse();
    let done = Set::new(&JsValue::UNDEFINED);
    for root in &roots {
        let mut chain = vec![root.clone()];
        let mut next = root.next_sibling();
        while let Some(sibling) = next {
            if pending.has(&sibling) && !done.has(&sibling) {
                chain.push(sibling.clone());
            } else if serializer.ids.get(&sibling).is_some() {
                break;
            }
            next = sibling.next_sibling();
        }
        for node in chain.iter().rev() {
            if done.has(node) {
                continue;
            }
            done.add(node);
            if let Some(added) = add(&mut serializer, node) {
                mutation.adds.push(added);
            }
        }
    }
    let found = std::mem::take(&mut serializer.found);

    // A node that left the page in this flush (the page removed it, then touched it)
    // is gone from the replay once the removes are applied: its changes go with it.
    for node in texts {
        if !node.is_connected() {
            continue;
        }
        let Some(id) = ids.get(&node) else { continue };
        if id.0 >= watermark || !allow(id) {
            continue;
        }
        // Through the shadow host when the text sits directly in a shadow root.
        let parent = node.parent_node().and_then(|p| p.parent_element_or_host());
        // A recorded node moved under a blocked element keeps its id; it is still blocked.
        if parent
            .as_ref()
            .is_some_and(|p| privacy.is_within_blocked(p))
        {
            continue;
        }
        let masked = parent.is_some_and(|parent| privacy.masks_text_below(&parent));
        let text = node.text_content().unwrap_or_default();
        let is_comment = node.node_type() == Node::COMMENT_NODE;
        mutation.texts.push(TextChange {
            id,
            text: privacy.text(&text, masked || is_comment).into_owned(),
        });
    }

    let mut seen = std::collections::HashSet::new();
    for (element, name) in attributes {
        if !element.is_connected() {
            continue;
        }
        let Some(id) = ids.get(&element) else {
            continue;
        };
        if id.0 >= watermark || !seen.insert((id.0, name.clone())) || !allow(id) {
            continue;
        }
        if privacy.is_within_blocked(&element) {
            continue;
        }
        let tag = element.local_name();
        let field = privacy.field(&element);
        let masked = privacy.masks_text_below(&element);
        let value = element.get_attribute(&name);
        let value = match value {
            Some(value) => {
                match attribute_value(privacy, &element, &tag, field, masked, &name, &value) {
                    Some(value) => Some(value),
                    None => continue,
                }
            }
            None => None,
        };
        mutation
            .attributes
            .push(AttributeChange { id, name, value });
    }

    let empty = mutation.adds.is_empty()
        && mutation.removes.is_empty()
        && mutation.texts.is_empty()
        && mutation.attributes.is_empty();
    Flushed {
        mutation: (!empty).then_some(mutation),
        found,
    }
}

fn add(serializer: &mut Serializer<'_>, node: &Node) -> Option<AddedNode> {
    let parent = node.parent_node()?;
    let parent_id = serializer.ids.get(&parent)?;
    let masked = parent
        .parent_element_or_host()
        .is_some_and(|element| serializer.privacy.masks_text_below(&element));
    if let Some(element) = parent.parent_element_or_host()
        && serializer.privacy.is_within_blocked(&element)
    {
        return None;
    }
    let mut next = node.next_sibling();
    let next_sibling = loop {
        match next {
            Some(sibling) => match serializer.ids.get(&sibling) {
                Some(id) => break Some(id),
                None => next = sibling.next_sibling(),
            },
            None => break None,
        }
    };
    let serialized = serializer.node(node, masked, 1)?;
    Some(AddedNode {
        parent: parent_id,
        next_sibling,
        node: serialized,
    })
}

/// Turns "remove the only text child, add a new text child" into a text change.
fn text_replacements(
    roots: Vec<Node>,
    removals: &mut Vec<Removal>,
    ids: &mut NodeIds,
    privacy: &PagePrivacy,
    mutation: &mut Mutation,
) -> Vec<Node> {
    let mut kept = Vec::with_capacity(roots.len());
    for node in roots {
        let replaced = (node.node_type() == Node::TEXT_NODE)
            .then(|| node.parent_node())
            .flatten()
            .filter(|parent| parent.child_nodes().length() == 1)
            .and_then(|parent| {
                let parent_id = ids.get(&parent)?;
                let mut texts = removals.iter().enumerate().filter(|(_, r)| {
                    r.parent == parent_id && r.node.node_type() == Node::TEXT_NODE
                });
                let (index, _) = texts.next()?;
                texts.next().is_none().then_some((index, parent))
            });
        match replaced {
            Some((index, parent)) => {
                let removal = removals.remove(index);
                ids.set(&node, removal.id);
                let masked = parent
                    .parent_element_or_host()
                    .is_some_and(|element| privacy.masks_text_below(&element));
                let text = node.text_content().unwrap_or_default();
                mutation.texts.push(TextChange {
                    id: removal.id,
                    text: privacy.text(&text, masked).into_owned(),
                });
            }
            None => kept.push(node),
        }
    }
    kept
}

/// An open shadow root attached to `host` after the host was recorded (a custom element
/// upgraded after the snapshot): no `MutationObserver` reports `attachShadow`, so the root
/// is added here, as its host's first child. `None` when the host is not recorded, the
/// root already is, or the host is blocked.
pub(crate) fn attached_shadow(
    host: &Element,
    root: &Node,
    ids: &mut NodeIds,
    privacy: &PagePrivacy,
) -> Option<Flushed> {
    let parent = ids.get(host)?;
    if ids.get(root).is_some() || !host.is_connected() || privacy.is_within_blocked(host) {
        return None;
    }
    let next_sibling = first_recorded_child(host, ids);
    let masked = privacy.masks_text_below(host);
    let mut serializer = Serializer::new(ids, privacy);
    let node = serializer.node(root, masked, 1)?;
    let mut found = std::mem::take(&mut serializer.found);
    found.roots.push(root.clone());
    Some(added(
        AddedNode {
            parent,
            next_sibling,
            node,
        },
        None,
        found,
    ))
}

/// The document a recorded frame element holds now, when it is not the one recorded (the
/// frame loaded or navigated after it was recorded, e.g. `frame.html` arriving after the
/// snapshot took the initial `about:blank`): the old document is removed and the new one
/// added as the frame's only child. `None` when nothing changed or the frame is not
/// recorded, blocked or cross-origin.
pub(crate) fn loaded_frame(
    frame: &Element,
    ids: &mut NodeIds,
    privacy: &PagePrivacy,
) -> Option<Flushed> {
    let parent = ids.get(frame)?;
    let document: Node = super::serialize::frame_document(frame)?.into();
    if ids.get(&document).is_some() || !frame.is_connected() || privacy.is_within_blocked(frame) {
        return None;
    }
    let old = ids
        .frame_document(frame)
        .map(|id| RemovedNode { parent, id });
    let masked = privacy.masks_text_below(frame);
    let mut serializer = Serializer::new(ids, privacy);
    let node = serializer.node(&document, masked, 1)?;
    let mut found = std::mem::take(&mut serializer.found);
    ids.set_frame_document(frame, node.id);
    found.roots.push(document);
    Some(added(
        AddedNode {
            parent,
            next_sibling: None,
            node,
        },
        old,
        found,
    ))
}

fn first_recorded_child(parent: &Node, ids: &NodeIds) -> Option<NodeId> {
    let mut child = parent.first_child();
    while let Some(node) = child {
        if let Some(id) = ids.get(&node) {
            return Some(id);
        }
        child = node.next_sibling();
    }
    None
}

fn added(add: AddedNode, remove: Option<RemovedNode>, found: Discovered) -> Flushed {
    Flushed {
        mutation: Some(Mutation {
            adds: vec![add],
            removes: remove.into_iter().collect(),
            texts: Vec::new(),
            attributes: Vec::new(),
        }),
        found,
    }
}

trait ParentElementOrHost {
    /// The node itself when it is an element, the host when it is a shadow root.
    fn parent_element_or_host(&self) -> Option<Element>;
}

impl ParentElementOrHost for Node {
    fn parent_element_or_host(&self) -> Option<Element> {
        match self.node_type() {
            Node::ELEMENT_NODE => Some(self.clone().unchecked_into()),
            Node::DOCUMENT_FRAGMENT_NODE => {
                Some(self.clone().unchecked_into::<web_sys::ShadowRoot>().host())
            }
            _ => None,
        }
    }
}
