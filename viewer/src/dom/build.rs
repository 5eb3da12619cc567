//! Recorded node trees to DOM, with loops rather than recursion (a recorded
//! tree may be hundreds of levels deep) and subtrees built detached, then
//! inserted once.
//!
//! Frame documents cannot be built detached: an iframe has a document only once
//! it is in a live document. They are queued while their iframe is built and
//! filled by [`Builder::finish`], after the caller has inserted the subtree.

use protocol::{Node as PNode, NodeData};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node, ShadowRootInit, ShadowRootMode};

use super::{Replay, describe, is_frame, reset_document};
use crate::sanitize::{self, AttributeAction};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

pub(super) struct Builder<'r, 'p> {
    replay: &'r mut Replay,
    /// Frame documents waiting for their iframe to be live.
    frames: Vec<(HtmlIFrameElement, &'p PNode)>,
}

impl<'r, 'p> Builder<'r, 'p> {
    pub(super) fn new(replay: &'r mut Replay) -> Self {
        Builder {
            replay,
            frames: Vec::new(),
        }
    }

    /// The replayed node with this id (including ones built by this builder).
    pub(super) fn node(&self, id: u32) -> Option<Node> {
        self.replay.node(id).cloned()
    }

    pub(super) fn warn(&mut self, message: String) {
        self.replay.warn(message);
    }

    /// Builds `root` (any kind but a document) detached, owned by `doc`.
    pub(super) fn subtree(&mut self, doc: &Document, root: &'p PNode) -> Option<Node> {
        let top = self.create(doc, root)?;
        let mut pending = vec![(root, top.clone())];
        while let Some((recorded, node)) = pending.pop() {
            for (i, child) in recorded.children().iter().enumerate() {
                match &child.data {
                    NodeData::ShadowRoot { .. } if i == 0 => {
                        if let Some(shadow) = self.attach_shadow(&node, child) {
                            pending.push((child, shadow));
                        }
                    }
                    NodeData::Document { .. } => self.queue_frame(&node, child),
                    _ => {
                        if let Some(created) = self.create(doc, child) {
                            if let Err(e) = node.append_child(&created) {
                                self.replay.warn(format!(
                                    "node {}: cannot be added: {}",
                                    child.id.0,
                                    describe(&e)
                                ));
                                continue;
                            }
                            pending.push((child, created));
                        }
                    }
                }
            }
        }
        Some(top)
    }

    /// Gives `doc` the recorded document's children (doctype, root element, …).
    pub(super) fn fill_document(&mut self, doc: &Document, recorded: &'p PNode) {
        self.replay.remember(recorded.id.0, doc);
        for child in recorded.children() {
            let node = match &child.data {
                NodeData::Doctype {
                    name,
                    public_id,
                    system_id,
                } => match doc
                    .implementation()
                    .and_then(|i| i.create_document_type(name, public_id, system_id))
                {
                    Ok(doctype) => {
                        let node: Node = doctype.into();
                        self.replay.remember(child.id.0, &node);
                        Some(node)
                    }
                    Err(e) => {
                        self.replay.warn(format!("doctype: {}", describe(&e)));
                        None
                    }
                },
                _ => self.subtree(doc, child),
            };
            if let Some(node) = node
                && let Err(e) = doc.append_child(&node)
            {
                self.replay.warn(format!(
                    "node {}: cannot be a document's child: {}",
                    child.id.0,
                    describe(&e)
                ));
            }
        }
    }

    /// Builds each recorded child of `recorded` and appends it to `container`.
    pub(super) fn fill_children(&mut self, doc: &Document, container: &Node, recorded: &'p PNode) {
        for child in recorded.children() {
            if let Some(node) = self.subtree(doc, child)
                && let Err(e) = container.append_child(&node)
            {
                self.replay.warn(format!(
                    "node {}: cannot be added: {}",
                    child.id.0,
                    describe(&e)
                ));
            }
        }
    }

    /// Fills the frame documents queued while building, now that their iframes
    /// are (or should be) in a live document. Frames inside frames queue more.
    pub(super) fn finish(mut self) {
        while let Some((frame, recorded)) = self.frames.pop() {
            let Some(doc) = frame.content_document() else {
                self.replay.warn(format!(
                    "frame document {}: its iframe is not in the page",
                    recorded.id.0
                ));
                continue;
            };
            let standards = recorded.children().iter().any(|c| {
                matches!(&c.data, NodeData::Doctype { name, .. } if name.eq_ignore_ascii_case("html"))
            });
            // A frame that navigated: the old document's nodes go first.
            let old = doc.child_nodes();
            for i in 0..old.length() {
                if let Some(child) = old.item(i) {
                    self.replay.forget_subtree(&child);
                }
            }
            self.replay.sheets.retain(|s| !s.belongs_to(&doc));
            reset_document(&doc, standards);
            self.replay.adopt_viewer_sheet(&doc);
            self.fill_document(&doc, recorded);
        }
    }

    pub(super) fn queue_frame(&mut self, host: &Node, recorded: &'p PNode) {
        if host.node_type() == Node::ELEMENT_NODE && is_frame(host.unchecked_ref()) {
            self.frames.push((host.clone().unchecked_into(), recorded));
        } else {
            self.replay
                .warn(format!("document {} is not inside a frame", recorded.id.0));
        }
    }

    pub(super) fn attach_shadow(&mut self, host: &Node, recorded: &PNode) -> Option<Node> {
        if host.node_type() != Node::ELEMENT_NODE {
            self.replay
                .warn(format!("shadow root {} has no host element", recorded.id.0));
            return None;
        }
        let element: &Element = host.unchecked_ref();
        let shadow = match element.shadow_root() {
            Some(existing) => existing,
            None => match element.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
                Ok(shadow) => shadow,
                Err(e) => {
                    self.replay
                        .warn(format!("shadow root {}: {}", recorded.id.0, describe(&e)));
                    return None;
                }
            },
        };
        let node: Node = shadow.into();
        self.replay.remember(recorded.id.0, &node);
        Some(node)
    }

    /// One node without its children.
    fn create(&mut self, doc: &Document, recorded: &PNode) -> Option<Node> {
        let id = recorded.id.0;
        let created: Result<Node, _> = match &recorded.data {
            NodeData::Element(element) => self.element(doc, id, element).map(Into::into),
            NodeData::Text(text) | NodeData::CData(text) => Ok(doc.create_text_node(text).into()),
            NodeData::Comment(text) => Ok(doc.create_comment(text).into()),
            NodeData::Doctype { .. } | NodeData::Document { .. } | NodeData::ShadowRoot { .. } => {
                self.replay.warn(format!(
                    "node {id}: a {} cannot be placed here",
                    recorded.kind().label()
                ));
                return None;
            }
        };
        match created {
            Ok(node) => {
                self.replay.remember(id, &node);
                Some(node)
            }
            Err(e) => {
                self.replay
                    .warn(format!("node {id}: cannot be created: {}", describe(&e)));
                None
            }
        }
    }

    fn element(
        &mut self,
        doc: &Document,
        id: u32,
        recorded: &protocol::Element,
    ) -> Result<Element, wasm_bindgen::JsValue> {
        let element = if recorded.svg {
            doc.create_element_ns(Some(SVG_NS), &recorded.tag)?
        } else {
            doc.create_element(&recorded.tag)?
        };
        let tag = element.local_name();
        let css = recorded
            .attributes
            .iter()
            .find(|(name, _)| name == sanitize::INLINED_CSS)
            .map(|(_, css)| css);
        for (name, value) in &recorded.attributes {
            if let AttributeAction::Set(name, value) =
                sanitize::attribute(&tag, name, value, css.is_some())
                && let Err(e) = set_attribute(&element, &name, &value)
            {
                self.replay
                    .warn(format!("node {id}: attribute {name:?}: {}", describe(&e)));
            }
        }
        if let Some(css) = css {
            let _ = element.set_attribute("href", &sanitize::stylesheet_href(css));
        }
        state_from_attributes(&element, &tag, &recorded.attributes);
        Ok(element)
    }
}

/// `setAttribute`, with the namespaced attributes SVG needs (`xlink:href`).
pub(super) fn set_attribute(
    element: &Element,
    name: &str,
    value: &str,
) -> Result<(), wasm_bindgen::JsValue> {
    if name.starts_with("xlink:") {
        return element.set_attribute_ns(Some(XLINK_NS), name, value);
    }
    if name.starts_with("xml:") {
        return element.set_attribute_ns(Some(XML_NS), name, value);
    }
    element.set_attribute(name, value)
}

/// The recorder writes a form control's current state as its `value`,
/// `checked` and `selected` attributes; the live properties must follow.
pub(super) fn state_from_attributes(element: &Element, tag: &str, attributes: &[(String, String)]) {
    let has = |n: &str| {
        attributes
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, v)| v)
    };
    match tag {
        "input" | "textarea" => {
            if let Some(value) = has("value") {
                set_property(element, "value", &value.into());
            }
            if tag == "input" {
                set_property(element, "checked", &has("checked").is_some().into());
            }
        }
        "option" => set_property(element, "selected", &has("selected").is_some().into()),
        _ => {}
    }
}

/// Sets a DOM property through `Reflect`, which reports a throwing setter (a
/// file input's `value`) as an error instead of unwinding through the wasm.
pub(super) fn set_property(
    target: &wasm_bindgen::JsValue,
    name: &str,
    value: &wasm_bindgen::JsValue,
) {
    let _ = js_sys::Reflect::set(target, &wasm_bindgen::JsValue::from_str(name), value);
}
