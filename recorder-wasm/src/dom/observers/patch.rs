//! Replacing page methods (and accessor setters) without the page being able to tell.
//!
//! The replacement is a `Proxy` of the original function with an `apply` trap, not a new
//! function: the trap receives `this` and the exact argument list (a Rust closure gets
//! neither), so the original runs with the same receiver and arguments, its return value
//! is returned and its exception rethrown as is; `name`, `length` and `toString()` are
//! the original's, and no `eval` is needed (pages with a strict CSP still work).
//!
//! Ownership: the trap closure is handed to the JavaScript GC (`into_js_value`), because
//! another script may have wrapped our proxy (saving it as its "original") and call it
//! after the recorder stopped. At stop the hook is dropped, turning the proxy into a pure
//! pass-through, and the property is restored when it still holds our proxy.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Proxy, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::js;
use crate::recorder::Engine;

/// Runs after the original returned normally, with its return value.
pub(super) type After = Box<dyn FnOnce(&JsValue)>;
/// Runs before the original with `this` and the arguments; returns what to run after.
/// Must not throw or panic: it runs inside the page's own call.
pub(super) type Hook = Rc<dyn Fn(&JsValue, &Array) -> Option<After>>;

type Slot = Rc<RefCell<Option<Hook>>>;

fn proxy(original: &JsValue, slot: Slot) -> JsValue {
    let trap = Closure::<dyn Fn(JsValue, JsValue, Array) -> Result<JsValue, JsValue>>::new(
        move |target: JsValue, this: JsValue, args: Array| {
            let hook = slot.try_borrow().ok().and_then(|hook| hook.clone());
            let after = hook.and_then(|hook| hook(&this, &args));
            let result = Reflect::apply(target.unchecked_ref::<Function>(), &this, &args);
            if let (Ok(value), Some(after)) = (&result, after) {
                after(value);
            }
            result
        },
    );
    let handler = js::object(&[("apply", &trap.into_js_value())]);
    Proxy::new(original, &handler).into()
}

fn define(target: &Object, key: &str, descriptor: &Object) -> bool {
    Reflect::define_property(target, &JsValue::from_str(key), descriptor).unwrap_or(false)
}

fn own_descriptor(target: &Object, key: &str) -> JsValue {
    Reflect::get_own_property_descriptor(target, &JsValue::from_str(key))
        .unwrap_or(JsValue::UNDEFINED)
}

fn field(descriptor: &JsValue, key: &str) -> JsValue {
    js::get(descriptor, key).unwrap_or(JsValue::UNDEFINED)
}

/// Replaces `target[key]` (own or inherited) with a proxy calling `hook`. Returns false,
/// changing nothing, when it is not a function or cannot be redefined.
pub(super) fn method(engine: &Engine, target: &Object, key: &'static str, hook: Hook) -> bool {
    let Some(original) = js::get(target, key).filter(JsValue::is_function) else {
        return false;
    };
    let own = own_descriptor(target, key);
    let slot: Slot = Rc::new(RefCell::new(Some(hook)));
    let replacement = proxy(&original, slot.clone());
    // An inherited method becomes an own, non-enumerable property: invisible to
    // `Object.keys`, and deleting it at stop brings the inherited one back.
    let (writable, enumerable) = if own.is_undefined() {
        (JsValue::TRUE, JsValue::FALSE)
    } else {
        (field(&own, "writable"), field(&own, "enumerable"))
    };
    let descriptor = js::object(&[
        ("value", &replacement),
        ("writable", &writable),
        ("enumerable", &enumerable),
        ("configurable", &JsValue::TRUE),
    ]);
    if !define(target, key, &descriptor) {
        return false;
    }
    let target = target.clone();
    engine.on_stop(Box::new(move || {
        if let Ok(mut hook) = slot.try_borrow_mut() {
            *hook = None;
        }
        let current = js::get(&target, key).unwrap_or(JsValue::UNDEFINED);
        if !Object::is(&current, &replacement) {
            return;
        }
        if own.is_undefined() {
            let _ = Reflect::delete_property(&target, &JsValue::from_str(key));
        } else {
            define(&target, key, own.unchecked_ref());
        }
    }));
    true
}

/// Replaces the setter of the accessor `key` defined on `target` (a prototype) with a
/// proxy calling `hook`; the getter stays the original.
pub(super) fn setter(engine: &Engine, target: &Object, key: &'static str, hook: Hook) -> bool {
    let own = own_descriptor(target, key);
    let original = field(&own, "set");
    if !original.is_function() {
        return false;
    }
    let slot: Slot = Rc::new(RefCell::new(Some(hook)));
    let replacement = proxy(&original, slot.clone());
    let descriptor = js::object(&[
        ("get", &field(&own, "get")),
        ("set", &replacement),
        ("enumerable", &field(&own, "enumerable")),
        ("configurable", &JsValue::TRUE),
    ]);
    if !define(target, key, &descriptor) {
        return false;
    }
    let target = target.clone();
    engine.on_stop(Box::new(move || {
        if let Ok(mut hook) = slot.try_borrow_mut() {
            *hook = None;
        }
        let current = field(&own_descriptor(&target, key), "set");
        if Object::is(&current, &replacement) {
            define(&target, key, own.unchecked_ref());
        }
    }));
    true
}
