//! Reading the page's values without trusting them.
//!
//! A JavaScript exception that crosses a wasm frame skips every Rust destructor on the way,
//! so a throw inside [`crate::recorder::Engine::with_core`] would leave the state borrowed
//! and the recorder dead. Anything the page can redefine (a getter on an element, a
//! `toString`, a proxy) is therefore read through `Reflect`, which catches, and never while
//! the state is borrowed. Natives that cannot run page code are called directly.

use js_sys::{Array, Function, Object, Reflect};
use protocol::NodeId;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

use crate::recorder::Engine;

/// `target[key]`, or `None` when `target` is not an object or the read throws.
pub(super) fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    if !target.is_object() && !target.is_function() {
        return None;
    }
    Reflect::get(target, &JsValue::from_str(key)).ok()
}

pub(super) fn number(target: &JsValue, key: &str) -> Option<f64> {
    get(target, key)?.as_f64().filter(|n| n.is_finite())
}

pub(super) fn string(target: &JsValue, key: &str) -> Option<String> {
    get(target, key)?.as_string()
}

pub(super) fn boolean(target: &JsValue, key: &str) -> Option<bool> {
    get(target, key)?.as_bool()
}

/// Coordinates and scroll offsets are whole CSS pixels on the wire.
pub(super) fn pixels(value: Option<f64>) -> i32 {
    value.map_or(0, |v| {
        v.round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
    })
}

pub(super) fn is_nullish(value: &JsValue) -> bool {
    value.is_null() || value.is_undefined()
}

/// `object.name(...args)`, with anything it throws returned instead.
pub(super) fn call(object: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let method = get(object, name)
        .filter(JsValue::is_function)
        .ok_or(JsValue::UNDEFINED)?;
    let list = Array::new();
    for arg in args {
        list.push(arg);
    }
    Reflect::apply(method.unchecked_ref::<Function>(), object, &list)
}

/// `String(value)`: never throws (a `Symbol`, an object without `toString`, a throwing
/// `toString` all give `None` or their own text). Functions give only their name: their
/// text is code, and code is never captured.
pub(super) fn to_text(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if value.is_function() {
        let name = string(value, "name").unwrap_or_default();
        return Some(format!("[function {name}]"));
    }
    let string_fn = get(&js_sys::global(), "String").filter(JsValue::is_function)?;
    let args = Array::of1(value);
    Reflect::apply(
        string_fn.unchecked_ref::<Function>(),
        &JsValue::UNDEFINED,
        &args,
    )
    .ok()?
    .as_string()
}

/// At most `max_units` UTF-16 units of a JavaScript string, cut in JavaScript so a huge
/// string is never copied into wasm whole.
pub(super) fn head(value: &JsValue, max_units: u32) -> Option<String> {
    let text: &js_sys::JsString = value.dyn_ref()?;
    if text.length() <= max_units {
        return text.as_string();
    }
    text.slice(0, max_units).as_string()
}

/// The longest prefix of `text` within `max_bytes`, cut on a character boundary.
pub(super) fn truncate(mut text: String, max_bytes: usize) -> String {
    if text.len() > max_bytes {
        let mut end = max_bytes;
        while end > 0 && !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The node an event really happened on: `composedPath()[0]` sees through open shadow
/// roots, where `target` is retargeted to the host by the time it reaches the document.
pub(super) fn event_node(event: &web_sys::Event) -> Option<Node> {
    let first = event.composed_path().get(0);
    let target = if is_nullish(&first) {
        event.target().map(JsValue::from)?
    } else {
        first
    };
    // By `nodeType`, not `instanceof`: frame nodes come from another realm.
    number(&target, "nodeType")
        .is_some()
        .then(|| target.unchecked_into())
}

pub(super) fn is_element(node: &Node) -> bool {
    node.node_type() == Node::ELEMENT_NODE
}

/// The id of `node`, or of its nearest recorded ancestor (crossing shadow roots): a click
/// inside a blocked element lands on the placeholder, whose children were never recorded.
pub(super) fn nearest_id(engine: &Engine, node: &Node) -> Option<NodeId> {
    let mut current = Some(node.clone());
    for _ in 0..64 {
        let node = current?;
        if let Some(id) = engine.node_id(&node) {
            return Some(id);
        }
        current = match node.parent_node() {
            Some(parent) => Some(parent),
            None if node.node_type() == Node::DOCUMENT_FRAGMENT_NODE => get(&node, "host")
                .filter(|h| !is_nullish(h))
                .map(JsCast::unchecked_into),
            None => None,
        };
    }
    None
}

/// A fresh plain object with `entries` as properties (for descriptors and handlers).
pub(super) fn object(entries: &[(&str, &JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// Every open shadow root below `root` (nested ones too), visiting at most `max_elements`
/// elements: a walk for what the engine's snapshot does not hand over.
pub(super) fn open_shadow_roots(root: &JsValue, max_elements: u32) -> Vec<JsValue> {
    let mut found = Vec::new();
    let mut visited = 0u32;
    let mut stack = vec![root.clone()];
    while let Some(root) = stack.pop() {
        let Ok(elements) = call(&root, "querySelectorAll", &[&JsValue::from_str("*")]) else {
            continue;
        };
        let count = number(&elements, "length").unwrap_or(0.0) as u32;
        for index in 0..count {
            visited += 1;
            if visited > max_elements {
                return found;
            }
            let element = Reflect::get_u32(&elements, index).unwrap_or(JsValue::UNDEFINED);
            if let Some(shadow) = get(&element, "shadowRoot").filter(|s| !is_nullish(s)) {
                stack.push(shadow.clone());
                found.push(shadow);
            }
        }
    }
    found
}
