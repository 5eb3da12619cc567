//! The replayed page: recorded node trees turned back into DOM inside the
//! sandboxed replay frame, and the recorded changes applied to it.
//!
//! Every replayed node keeps its recorded id in an expando property, so removing
//! a subtree forgets exactly its ids (memory stays flat on pages that churn
//! nodes) without a reverse map. Nodes of the replay live in the frame's realm:
//! they are cast with `unchecked_ref`, never `dyn_into`, which would fail the
//! cross-realm `instanceof` check.
//!
//! Nothing here throws: an event that cannot be applied (a node the recording
//! never introduced, a rule the browser refuses) becomes a warning the player
//! counts and shows, and the replay goes on.

mod build;
mod css;
mod mutate;
mod state;

use std::collections::HashMap;

use js_sys::Reflect;
use protocol::{EventData, FullSnapshot, NodeData};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlIFrameElement, Node};

/// The expando holding a replayed node's recorded id.
const ID_KEY: &str = "__affidavitId";
/// At most this many warnings are kept (the count goes on).
const MAX_WARNINGS: usize = 200;

/// Styles the viewer adds to every replayed document, through `adoptedStyleSheets`
/// so they never show up as nodes: blocked elements as visible placeholders.
const VIEWER_CSS: &str = "[data-affidavit-blocked]{display:inline-block;\
background:repeating-linear-gradient(45deg,#d8dce3 0 8px,#eceff3 8px 16px);\
outline:1px dashed #8a93a3}";

#[derive(Debug)]
pub struct Replay {
    frame: HtmlIFrameElement,
    nodes: HashMap<u32, Node>,
    /// Constructed stylesheets by recorder style id, one per document realm.
    sheets: Vec<css::Constructed>,
    warnings: Vec<String>,
    warning_count: usize,
}

impl Replay {
    pub fn new(frame: HtmlIFrameElement) -> Replay {
        Replay {
            frame,
            nodes: HashMap::new(),
            sheets: Vec::new(),
            warnings: Vec::new(),
            warning_count: 0,
        }
    }

    /// Replaces the whole replayed page with `snapshot`.
    pub fn rebuild(&mut self, snapshot: &FullSnapshot) {
        self.nodes.clear();
        self.sheets.clear();
        let Some(doc) = self.frame.content_document() else {
            self.warn("the replay frame has no document".into());
            return;
        };
        let standards = snapshot.root.children().iter().any(|c| {
            matches!(&c.data, NodeData::Doctype { name, .. } if name.eq_ignore_ascii_case("html"))
        });
        reset_document(&doc, standards);
        self.adopt_viewer_sheet(&doc);
        let mut builder = build::Builder::new(self);
        builder.fill_document(&doc, &snapshot.root);
        builder.finish();
        if let Some(window) = doc.default_view() {
            window.scroll_to_with_x_and_y(snapshot.scroll_x.into(), snapshot.scroll_y.into());
        }
    }

    /// Applies an event's effect on the page. Events without one (pointer,
    /// navigation, console, …) are the player's and are ignored here.
    pub fn apply(&mut self, data: &EventData) {
        match data {
            EventData::FullSnapshot(snapshot) => self.rebuild(snapshot),
            EventData::Mutation(mutation) => mutate::apply(self, mutation),
            EventData::Input(input) => state::input(self, input),
            EventData::Scroll(scroll) => state::scroll(self, scroll),
            EventData::MediaInteraction(media) => state::media(self, media),
            EventData::Selection(selection) => state::selection(self, selection),
            EventData::StyleSheetRule(rule) => css::rule(self, rule),
            EventData::AdoptedStyleSheets(adopted) => css::adopted(self, adopted),
            _ => {}
        }
    }

    /// The replayed node with this recorded id.
    pub fn node(&self, id: u32) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// Where a recorded element is in the replay frame's viewport (for click
    /// ripples and focus rings), in CSS pixels of the recorded page.
    pub fn rect_of(&self, id: u32) -> Option<(f64, f64, f64, f64)> {
        let node = self.nodes.get(&id)?;
        if node.node_type() != Node::ELEMENT_NODE {
            return None;
        }
        let rect = node
            .unchecked_ref::<web_sys::Element>()
            .get_bounding_client_rect();
        Some((rect.x(), rect.y(), rect.width(), rect.height()))
    }

    /// Replayed nodes currently known (for the memory benchmark and tests).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Warnings so far (the oldest ones, up to a limit) and how many there were.
    pub fn warnings(&self) -> (&[String], usize) {
        (&self.warnings, self.warning_count)
    }

    fn warn(&mut self, message: String) {
        self.warning_count += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(message);
        }
    }

    fn remember(&mut self, id: u32, node: &Node) {
        let _ = Reflect::set(node, &JsValue::from_str(ID_KEY), &JsValue::from(id));
        self.nodes.insert(id, node.clone());
    }

    /// Forgets every id in the subtree of `node`: its descendants, shadow roots
    /// and frame documents included.
    fn forget_subtree(&mut self, node: &Node) {
        let mut pending = vec![node.clone()];
        while let Some(current) = pending.pop() {
            if let Some(id) = Reflect::get(&current, &JsValue::from_str(ID_KEY))
                .ok()
                .and_then(|v| v.as_f64())
            {
                self.nodes.remove(&(id as u32));
            }
            let children = current.child_nodes();
            for i in 0..children.length() {
                if let Some(child) = children.item(i) {
                    pending.push(child);
                }
            }
            if current.node_type() == Node::ELEMENT_NODE {
                let element: &web_sys::Element = current.unchecked_ref();
                if let Some(shadow) = element.shadow_root() {
                    pending.push(shadow.into());
                }
                if is_frame(element)
                    && let Some(doc) = element
                        .unchecked_ref::<HtmlIFrameElement>()
                        .content_document()
                {
                    pending.push(doc.into());
                }
            }
        }
    }

    fn adopt_viewer_sheet(&mut self, doc: &Document) {
        if let Err(e) = css::adopt_viewer_sheet(doc) {
            self.warn(format!("viewer styles: {}", describe(&e)));
        }
    }
}

/// Empties `doc` and gives it standards or quirks mode, as the recorded doctype says.
fn reset_document(doc: &Document, standards: bool) {
    let html: &web_sys::HtmlDocument = doc.unchecked_ref();
    if html.open().is_ok() {
        let _ = html.write_1(if standards { "<!DOCTYPE html>" } else { "" });
        let _ = html.close();
    }
    while let Some(child) = doc.first_child() {
        let _ = doc.remove_child(&child);
    }
}

fn is_frame(element: &web_sys::Element) -> bool {
    matches!(element.local_name().as_str(), "iframe" | "frame")
}

/// A JavaScript exception's message, for a warning.
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| {
            Reflect::get(error, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{error:?}"))
}
