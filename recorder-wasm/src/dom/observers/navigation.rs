//! Same-document navigation: `history.pushState` / `replaceState` (patched, see
//! [`super::patch`]), back/forward and fragment navigations (through the Navigation API
//! where the browser has it, else `popstate`) and `hashchange`, each as a [`Navigation`]
//! with the new URL through the privacy scrub. Document loads are not recorded here: every
//! load starts with a `Meta` event that carries the URL.
//!
//! The methods are patched on the `history` object itself rather than `History.prototype`,
//! so a wrapper another script installed there first still goes through ours.
//!
//! A `hashchange` or `replaceState` that leaves the URL as last recorded is dropped: a
//! fragment navigation fires `popstate` and then `hashchange` for the same URL, and some
//! routers call `replaceState` on every scroll only to save state. A `pushState` to the
//! same URL is kept: it is a new history entry.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use protocol::{EventData, Navigation, NavigationKind};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

use super::js;
use super::patch::{self, After, Hook};
use crate::recorder::Engine;

type LastUrl = Rc<RefCell<Option<String>>>;

pub(super) fn install(engine: &Engine) {
    let start = engine.window.location().href().ok();
    let start = start.and_then(|href| engine.with_core(|core| core.privacy.url(&href)));
    let last: LastUrl = Rc::new(RefCell::new(start));
    let history_length = Rc::new(Cell::new(history_length(engine)));
    if let Ok(history) = engine.window.history() {
        for (key, kind) in [
            ("pushState", NavigationKind::Push),
            ("replaceState", NavigationKind::Replace),
        ] {
            let hook = after_call(engine.weak(), last.clone(), history_length.clone(), kind);
            patch::method(engine, &history, key, hook);
        }
    }
    match js::get(&engine.window, "navigation").filter(JsValue::is_object) {
        Some(navigation) => install_navigation_api(engine, navigation.unchecked_ref(), &last),
        None => install_popstate(engine, &last, history_length),
    }
    let last_hash = last.clone();
    engine.listen(&engine.window, "hashchange", false, move |engine, _| {
        record(engine, &last_hash, NavigationKind::Hash);
    });
}

/// Back/forward and fragment navigations through the Navigation API: `currententrychange`
/// comes after the URL changed but before `popstate`, so before the page's router
/// re-renders, and says whether the entry was traversed to; the `navigate` event before it
/// says whether a new entry was a fragment navigation (a `#hash` link, `location.hash =
/// …`) rather than a history API call, which the patches record.
fn install_navigation_api(engine: &Engine, navigation: &EventTarget, last: &LastUrl) {
    let hash_change = Rc::new(Cell::new(false));
    let seen = hash_change.clone();
    engine.listen(navigation, "navigate", false, move |_, event| {
        seen.set(js::boolean(&event, "hashChange").unwrap_or(false));
    });
    let last = last.clone();
    engine.listen(
        navigation,
        "currententrychange",
        false,
        move |engine, event| {
            let kind = match js::string(&event, "navigationType").as_deref() {
                Some("traverse") => NavigationKind::Pop,
                Some("push" | "replace") if hash_change.replace(false) => NavigationKind::Hash,
                _ => return,
            };
            record(engine, &last, kind);
        },
    );
}

/// Without the Navigation API: `popstate`, which a fragment navigation fires too (before
/// `hashchange`); a history that grew since the last navigation means a new entry, which
/// no traversal makes, so that one is recorded as a fragment navigation.
fn install_popstate(engine: &Engine, last: &LastUrl, known_length: Rc<Cell<u32>>) {
    let last = last.clone();
    engine.listen(&engine.window, "popstate", false, move |engine, _| {
        let length = history_length(engine);
        let grew = length > known_length.replace(length);
        record(
            engine,
            &last,
            if grew {
                NavigationKind::Hash
            } else {
                NavigationKind::Pop
            },
        );
    });
}

fn history_length(engine: &Engine) -> u32 {
    engine
        .window
        .history()
        .ok()
        .and_then(|h| h.length().ok())
        .unwrap_or(0)
}

fn after_call(
    engine: Weak<Engine>,
    last: LastUrl,
    length: Rc<Cell<u32>>,
    kind: NavigationKind,
) -> Hook {
    Rc::new(move |_: &JsValue, _: &js_sys::Array| {
        let engine = engine.clone();
        let last = last.clone();
        let length = length.clone();
        // The URL changes only once the original has run (and not at all if it threw).
        let after: After = Box::new(move |_| {
            if let Some(engine) = engine.upgrade() {
                length.set(history_length(&engine));
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
