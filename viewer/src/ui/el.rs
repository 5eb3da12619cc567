//! A few lines of DOM building so the pages read as structure, and the one
//! owner of event listeners (they live as long as the page that made them and
//! are dropped with it, never leaked with `Closure::forget`).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the viewer runs in a page")
}

/// An element under construction.
#[derive(Debug, Clone)]
pub struct El(pub Element);

impl El {
    pub fn new(tag: &str) -> El {
        El(document()
            .create_element(tag)
            .expect("tag names used by the viewer are valid"))
    }

    pub fn class(self, class: &str) -> El {
        self.0.set_class_name(class);
        self
    }

    pub fn text(self, text: &str) -> El {
        self.0.set_text_content(Some(text));
        self
    }

    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }

    pub fn child(self, child: impl AsRef<web_sys::Node>) -> El {
        let _ = self.0.append_child(child.as_ref());
        self
    }

    pub fn children<I, N>(self, children: I) -> El
    where
        I: IntoIterator<Item = N>,
        N: AsRef<web_sys::Node>,
    {
        for child in children {
            let _ = self.0.append_child(child.as_ref());
        }
        self
    }
}

impl AsRef<web_sys::Node> for El {
    fn as_ref(&self) -> &web_sys::Node {
        &self.0
    }
}

/// Shorthand for a text-only element.
pub fn text(tag: &str, class: &str, content: &str) -> El {
    El::new(tag).class(class).text(content)
}

pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

pub fn clear(element: &Element) {
    element.set_text_content(None);
}

/// Event listeners owned by a page.
#[derive(Default)]
pub struct Listeners(Vec<Listener>);

/// One registration: where, for which event, and the handler.
type Listener = (EventTarget, String, Closure<dyn FnMut(Event)>);

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listeners({})", self.0.len())
    }
}

impl Listeners {
    pub fn on(&mut self, target: &EventTarget, kind: &str, handler: impl FnMut(Event) + 'static) {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        self.0.push((target.clone(), kind.to_owned(), closure));
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for (target, kind, closure) in &self.0 {
            let _ =
                target.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        }
    }
}

/// The value of an `<input>`/`<select>` by id, trimmed; empty when absent.
pub fn field_value(id: &str) -> String {
    field_raw(id).trim().to_owned()
}

/// The value exactly as typed (passwords are not trimmed).
pub fn field_raw(id: &str) -> String {
    by_id(id)
        .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

pub fn navigate(to: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(to);
    }
}

/// The current URL's query parameter `name`.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}
