//! One mutation event applied in the protocol's order: removes, adds, texts,
//! attributes (see `protocol::Mutation`).

use protocol::{AddedNode, Mutation, NodeData};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

use super::build::{Builder, set_attribute, set_property};
use super::{Replay, describe};
use crate::sanitize::{self, AttributeAction};

pub(super) fn apply(replay: &mut Replay, mutation: &Mutation) {
    for removed in &mutation.removes {
        remove(replay, removed.parent.0, removed.id.0);
    }
    for added in &mutation.adds {
        add(replay, added);
    }
    for change in &mutation.texts {
        match replay.node(change.id.0) {
            Some(node) => node.set_node_value(Some(&change.text)),
            None => replay.warn(format!("text change on unknown node {}", change.id.0)),
        }
    }
    for change in &mutation.attributes {
        attribute(replay, change.id.0, &change.name, change.value.as_deref());
    }
}

fn remove(replay: &mut Replay, parent_id: u32, id: u32) {
    let Some(node) = replay.node(id).cloned() else {
        replay.warn(format!("removal of unknown node {id}"));
        return;
    };
    match node.node_type() {
        // A frame's document goes when the frame navigates; the frame stays.
        Node::DOCUMENT_NODE => {}
        // A shadow root cannot be detached; its host's removal takes it along.
        Node::DOCUMENT_FRAGMENT_NODE => {
            while let Some(child) = node.first_child() {
                let _ = node.remove_child(&child);
            }
        }
        _ => match node.parent_node() {
            Some(parent) => {
                if replay.node(parent_id).is_some_and(|p| p != &parent) {
                    replay.warn(format!(
                        "node {id} is not a child of {parent_id} in the replay"
                    ));
                }
                let _ = parent.remove_child(&node);
            }
            None => replay.warn(format!("node {id} was already detached")),
        },
    }
    replay.forget_subtree(&node);
}

fn add(replay: &mut Replay, added: &AddedNode) {
    let Some(parent) = replay.node(added.parent.0).cloned() else {
        replay.warn(format!(
            "node {} added under unknown node {}",
            added.node.id.0, added.parent.0
        ));
        return;
    };
    let doc: Document = match parent.node_type() {
        Node::DOCUMENT_NODE => parent.clone().unchecked_into(),
        _ => match parent.owner_document() {
            Some(doc) => doc,
            None => return replay.warn(format!("node {} has no document", added.parent.0)),
        },
    };
    let mut builder = Builder::new(replay);
    match &added.node.data {
        NodeData::ShadowRoot { .. } => {
            // A root attached after its host was recorded, with its content.
            if let Some(shadow) = builder.attach_shadow(&parent, &added.node) {
                builder.fill_children(&doc, &shadow, &added.node);
            }
            builder.finish();
        }
        NodeData::Document { .. } => {
            builder.queue_frame(&parent, &added.node);
            builder.finish();
        }
        NodeData::Doctype { .. } => {
            // Only document.open() replaces a doctype; the replay keeps the first.
            builder.warn(format!(
                "doctype {} added after the snapshot",
                added.node.id.0
            ));
            builder.finish();
        }
        _ => {
            let Some(node) = builder.subtree(&doc, &added.node) else {
                return builder.finish();
            };
            let before = added.next_sibling.and_then(|id| {
                let sibling = builder.node(id.0);
                if sibling.is_none() {
                    builder.warn(format!(
                        "next sibling {} of node {} is unknown; appended",
                        id.0, added.node.id.0
                    ));
                }
                sibling
            });
            if let Err(e) = parent.insert_before(&node, before.as_ref()) {
                builder.warn(format!(
                    "node {} cannot be inserted: {}",
                    added.node.id.0,
                    describe(&e)
                ));
            }
            builder.finish();
        }
    }
}

fn attribute(replay: &mut Replay, id: u32, name: &str, value: Option<&str>) {
    let Some(node) = replay.node(id).cloned() else {
        replay.warn(format!("attribute change on unknown node {id}"));
        return;
    };
    if node.node_type() != Node::ELEMENT_NODE {
        replay.warn(format!("attribute change on node {id}, not an element"));
        return;
    }
    let element: &Element = node.unchecked_ref();
    let tag = element.local_name();
    let inlined = element.has_attribute(&format!("{}href", sanitize::RENAMED_PREFIX));
    let Some(value) = value else {
        let target = match sanitize::attribute(&tag, name, "", inlined) {
            AttributeAction::Set(target, _) => target,
            AttributeAction::Skip => return,
        };
        let _ = element.remove_attribute(&target);
        match (tag.as_str(), name) {
            ("input", "checked") => set_property(element, "checked", &false.into()),
            ("option", "selected") => set_property(element, "selected", &false.into()),
            _ => {}
        }
        return;
    };
    if name == sanitize::INLINED_CSS {
        let _ = element.set_attribute("href", &sanitize::stylesheet_href(value));
        return;
    }
    if let AttributeAction::Set(target, value) = sanitize::attribute(&tag, name, value, inlined) {
        if let Err(e) = set_attribute(element, &target, &value) {
            replay.warn(format!("node {id}: attribute {target:?}: {}", describe(&e)));
        }
        match (tag.as_str(), name) {
            ("input" | "textarea", "value") => set_property(element, "value", &value.into()),
            ("input", "checked") => set_property(element, "checked", &true.into()),
            ("option", "selected") => set_property(element, "selected", &true.into()),
            _ => {}
        }
    }
}
