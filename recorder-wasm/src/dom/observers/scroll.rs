//! Scroll positions and viewport size, throttled to one record per target per
//! `capture.scrollIntervalMs`, with a trailing record so the final position always arrives.
//!
//! Page scrolls are recorded on the document node with the window's `scrollX`/`scrollY`;
//! element scrolls with the element's `scrollLeft`/`scrollTop`. Element `scroll` events do
//! not bubble, so the document listener captures them on their way down. (Scrolls inside
//! shadow roots do not leave the shadow tree and are not seen: the engine installs
//! listeners on documents only.)

use protocol::{EventData, NodeId, Scroll, ViewportResize};
use wasm_bindgen::JsValue;
use web_sys::{Document, Node};

use super::js;
use super::timer::Throttled;
use crate::recorder::Engine;

fn interval(engine: &Engine) -> u32 {
    engine
        .with_core(|core| core.options.capture.scroll_interval_ms)
        .unwrap_or(100)
}

fn to_scroll(target: u32, (x, y): (i32, i32)) -> EventData {
    EventData::Scroll(Scroll {
        target: NodeId(target),
        x,
        y,
    })
}

fn to_resize(_: u8, (width, height): (u32, u32)) -> EventData {
    EventData::ViewportResize(ViewportResize { width, height })
}

pub(super) fn install(engine: &Engine, document: &Document) {
    let throttled = Throttled::new(engine, interval(engine), to_scroll);
    engine.listen(document, "scroll", true, move |engine, event| {
        let Some(target) = event.target().map(JsValue::from) else {
            return;
        };
        let Some(id) = engine.node_id(&target) else {
            return;
        };
        let position = match js::number(&target, "nodeType").map(|t| t as u16) {
            Some(Node::DOCUMENT_NODE) => {
                let view = js::get(&target, "defaultView").unwrap_or(JsValue::UNDEFINED);
                (js::number(&view, "scrollX"), js::number(&view, "scrollY"))
            }
            Some(Node::ELEMENT_NODE) => (
                js::number(&target, "scrollLeft"),
                js::number(&target, "scrollTop"),
            ),
            _ => return,
        };
        let position = (js::pixels(position.0), js::pixels(position.1));
        throttled.offer(engine, id.0, position);
    });
}

/// Window resizes, on the top window only (a frame's size is its element's, which the
/// DOM records).
pub(super) fn install_resize(engine: &Engine) {
    let throttled = Throttled::new(engine, interval(engine), to_resize);
    engine.listen(&engine.window, "resize", false, move |engine, _| {
        let dimension = |key| {
            js::number(&engine.window, key)
                .unwrap_or(0.0)
                .max(0.0)
                .round() as u32
        };
        throttled.offer(
            engine,
            0,
            (dimension("innerWidth"), dimension("innerHeight")),
        );
    });
}
