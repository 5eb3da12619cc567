//! Every listener, observer and patch the recorder installs, owned in one place so `stop()`
//! removes all of them: a stopped recorder leaves the page exactly as it found it, and no
//! `Closure` is ever leaked with `forget`.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{AddEventListenerOptions, EventTarget};

type Handler = Closure<dyn FnMut(web_sys::Event)>;

#[derive(Default)]
pub(crate) struct Listeners {
    installed: Vec<(EventTarget, &'static str, bool, Handler)>,
    undo: Vec<Box<dyn FnOnce()>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners")
            .field("installed", &self.installed.len())
            .field("undo", &self.undo.len())
            .finish()
    }
}

impl Listeners {
    pub(crate) fn add(
        &mut self,
        target: &EventTarget,
        event: &'static str,
        capture: bool,
        handler: Handler,
    ) {
        let options = AddEventListenerOptions::new();
        options.set_capture(capture);
        // Passive: the recorder never calls preventDefault, and a passive listener cannot
        // delay scrolling or touch handling on the page.
        options.set_passive(true);
        if target
            .add_event_listener_with_callback_and_add_event_listener_options(
                event,
                handler.as_ref().unchecked_ref(),
                &options,
            )
            .is_ok()
        {
            self.installed
                .push((target.clone(), event, capture, handler));
        }
    }

    /// Drops the listeners on documents that no longer have a window: the document of an
    /// iframe that navigated or was removed. Holding them would keep the dead document
    /// (and its whole realm) alive until `stop()`.
    pub(crate) fn prune_dead_documents(&mut self) {
        self.installed
            .retain(|(target, _, _, _)| !is_dead_document(target));
    }

    /// Something to run at stop: restoring a patched method, disconnecting an observer.
    pub(crate) fn on_stop(&mut self, undo: Box<dyn FnOnce()>) {
        self.undo.push(undo);
    }

    pub(crate) fn remove_all(&mut self) {
        for (target, event, capture, handler) in self.installed.drain(..) {
            let _ = target.remove_event_listener_with_callback_and_bool(
                event,
                handler.as_ref().unchecked_ref(),
                capture,
            );
        }
        // Undo in reverse: a later patch may wrap an earlier one.
        while let Some(undo) = self.undo.pop() {
            undo();
        }
    }
}

/// A document whose browsing context is gone (`defaultView` is null). Read through
/// `Reflect`, since the target may be a window or an element as well.
fn is_dead_document(target: &EventTarget) -> bool {
    let get = |name: &str| js_sys::Reflect::get(target, &wasm_bindgen::JsValue::from_str(name));
    let is_document = get("nodeType").ok().and_then(|t| t.as_f64()) == Some(9.0);
    is_document && get("defaultView").is_ok_and(|view| view.is_null())
}
