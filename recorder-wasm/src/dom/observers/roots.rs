//! Roots that appear after their host or frame was recorded, which no `MutationObserver`
//! record announces:
//! - `Element.prototype.attachShadow` is patched: a custom element defined after the
//!   snapshot (the recorder's snippet is `async`, so this is common) attaches its open
//!   shadow root to a host already recorded, and the root is added as its first child;
//! - a frame's `load` (captured on the way down, as it does not bubble) brings a new
//!   document: `<iframe src=…>` still showing its initial `about:blank` when the snapshot
//!   was taken, or a frame navigated since. The new document replaces the recorded one.
//!
//! Frames have their own realm: `attachShadow` inside a frame is not patched (its shadow
//! roots are recorded with the next keyframe), but frame loads are seen in every recorded
//! document.

use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node};

use super::cssom::prototype;
use super::js;
use super::patch::{self, After, Hook};
use crate::recorder::Engine;

pub(super) fn install(engine: &Engine) {
    let Some(prototype) = prototype(engine, "Element") else {
        return;
    };
    let engine_ref = engine.weak();
    let hook: Hook = Rc::new(move |this: &JsValue, _: &Array| {
        let (engine, host) = (engine_ref.clone(), this.clone());
        let after: After = Box::new(move |root| {
            let Some(engine) = engine.upgrade() else {
                return;
            };
            // Closed roots are never recorded, as in snapshots. (attachShadow returned, so
            // `this` is an element; checked through Reflect all the same.)
            let is_element = js::number(&host, "nodeType") == Some(f64::from(Node::ELEMENT_NODE));
            if js::string(root, "mode").as_deref() != Some("open") || !is_element {
                return;
            }
            engine.shadow_attached(
                host.unchecked_ref::<Element>(),
                root.unchecked_ref::<Node>(),
            );
        });
        Some(after)
    });
    patch::method(engine, &prototype, "attachShadow", hook);
}

pub(super) fn install_document(engine: &Engine, document: &Document) {
    engine.listen(document, "load", true, |engine, event| {
        let Some(target) = event.target().map(JsValue::from) else {
            return;
        };
        if js::number(&target, "nodeType") != Some(f64::from(Node::ELEMENT_NODE)) {
            return;
        }
        let element: &Element = target.unchecked_ref();
        if matches!(element.local_name().as_str(), "iframe" | "frame") {
            engine.frame_loaded(element);
        }
    });
}
