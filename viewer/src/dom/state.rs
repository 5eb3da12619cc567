//! Form values, scroll positions, media state and the selection: state that is
//! not in the DOM tree but shows in the page.

use protocol::{Input, InputValue, MediaInteraction, Scroll, Selection};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node};

use super::Replay;
use super::build::set_property;

pub(super) fn input(replay: &mut Replay, input: &Input) {
    let Some(node) = replay.node(input.target.0).cloned() else {
        return replay.warn(format!("input on unknown node {}", input.target.0));
    };
    match &input.value {
        InputValue::Text(text) => set_property(&node, "value", &JsValue::from_str(text)),
        InputValue::Checked(checked) => set_property(&node, "checked", &JsValue::from(*checked)),
        InputValue::Selected(indices) => {
            let options = js_sys::Reflect::get(&node, &JsValue::from_str("options"))
                .ok()
                .filter(|o| !o.is_undefined() && !o.is_null());
            let Some(options) = options else {
                return replay.warn(format!(
                    "selection on node {}, not a select",
                    input.target.0
                ));
            };
            let count = js_sys::Reflect::get(&options, &JsValue::from_str("length"))
                .ok()
                .and_then(|n| n.as_f64())
                .unwrap_or(0.0) as u32;
            for i in 0..count {
                if let Ok(option) = js_sys::Reflect::get_u32(&options, i) {
                    set_property(&option, "selected", &JsValue::from(indices.contains(&i)));
                }
            }
        }
    }
}

pub(super) fn scroll(replay: &mut Replay, scroll: &Scroll) {
    let Some(node) = replay.node(scroll.target.0).cloned() else {
        return replay.warn(format!("scroll of unknown node {}", scroll.target.0));
    };
    let (x, y) = (f64::from(scroll.x), f64::from(scroll.y));
    if node.node_type() == Node::DOCUMENT_NODE {
        if let Some(window) = node.unchecked_ref::<Document>().default_view() {
            window.scroll_to_with_x_and_y(x, y);
        }
    } else if node.node_type() == Node::ELEMENT_NODE {
        let element: &Element = node.unchecked_ref();
        element.set_scroll_left(scroll.x);
        element.set_scroll_top(scroll.y);
    }
}

/// Media is shown at its recorded position and left paused: a replay is
/// watched, not listened to (the player shows whether it was playing).
pub(super) fn media(replay: &mut Replay, media: &MediaInteraction) {
    let Some(node) = replay.node(media.target.0).cloned() else {
        return replay.warn(format!("media event on unknown node {}", media.target.0));
    };
    set_property(&node, "currentTime", &JsValue::from(media.current_time));
    set_property(
        &node,
        "volume",
        &JsValue::from(media.volume.clamp(0.0, 1.0)),
    );
    set_property(&node, "muted", &JsValue::from(media.muted));
}

pub(super) fn selection(replay: &mut Replay, selection: &Selection) {
    let Some(range) = &selection.range else {
        return;
    };
    let (Some(anchor), Some(focus)) = (
        replay.node(range.anchor.0).cloned(),
        replay.node(range.focus.0).cloned(),
    ) else {
        return;
    };
    let Some(window) = anchor.owner_document().and_then(|d| d.default_view()) else {
        return;
    };
    if let Ok(Some(current)) = window.get_selection() {
        let _ =
            current.set_base_and_extent(&anchor, range.anchor_offset, &focus, range.focus_offset);
    }
}
