//! Same-document navigation: `history.pushState` / `replaceState` (patched, see
//! [`super::patch`]), `popstate` and `hashchange`, each as a [`Navigation`] with the new
//! URL through the privacy scrub. Document loads are not recorded here: every load starts
//! with a `Meta` event that carries the URL.
//!
//! The methods are patched on the `history` object itself rather than `History.prototype`,
//! so a wrapper another script installed there first still goes through ours.
//!
//! A `hashchange` or `replaceState` that leaves the URL as last recorded is dropped: a
//! fragment navigation fires `popstate` and then `hashchange` for the same URL, and some
//! routers call `replaceState` on every scroll only to save state. A `pushState` to the
//! same URL is kept: it is a new history entry.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use protocol::{EventData, Navigation, NavigationKind};
use wasm_bindgen::JsValue;

use super::patch::{self, After, Hook};
use crate::recorder::Engine;

type LastUrl = Rc<RefCell<Option<String>>>;

pub(super) fn install(engine: &Engine) {
    let start = engine.window.location().href().ok();
    let start = start.and_then(|href| engine.with_core(|core| core.privacy.url(&href)));
    let last: LastUrl = Rc::new(RefCell::new(start));
    if let Ok(history) = engine.window.history() {
        for (key, kind) in [("pushState", NavigationKind::Push), ("replaceState", NavigationKind::Replace)] {
            patch::method(engine, &history, key, after_call(engine.weak(), last.clone(), kind));
        }
    }
    for (event, kind) in [("popstate", NavigationKind::Pop), ("hashchange", NavigationKind::Hash)] {
        let last = last.clone();
        engine.listen(&engine.window, event, false, move |engine, _| record(engine, &last, kind));
    }
}

fn after_call(engine: Weak<Engine>, last: LastUrl, kind: NavigationKind) -> Hook {
    Rc::new(move |_: &JsValue, _: &js_sys::Array| {
        let engine = engine.clone();
        let last = last.clone();
        // The URL changes only once the original has run (and not at all if it threw).
        let after: After = Box::new(move |_| {
            if let Some(engine) = engine.upgrade() {
                record(&engine, &last, kind);
            }
        });
        Some(after)
    })
}

fn record(engine: &Engine, last: &RefCell<Option<String>>, kind: NavigationKind) {
    let Ok(href) = engine.window.location().href() else {
        return;
    };
    let Some(url) = engine.with_core(|core| core.privacy.url(&href)) else {
        return;
    };
    let Ok(mut last) = last.try_borrow_mut() else {
        return;
    };
    let repeat = matches!(kind, NavigationKind::Hash | NavigationKind::Replace);
    if repeat && last.as_deref() == Some(url.as_str()) {
        return;
    }
    *last = Some(url.clone());
    drop(last);
    engine.record(EventData::Navigation(Navigation { kind, url }));
}
