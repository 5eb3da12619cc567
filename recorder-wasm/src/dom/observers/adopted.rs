//! `adoptedStyleSheets` of the document and of shadow roots, as [`AdoptedStyleSheets`]
//! events carrying the complete list by constructed-sheet number, plus the contents of
//! sheets the replay has not received.
//!
//! The setter is patched on `Document.prototype` and `ShadowRoot.prototype`; at start the
//! document and every open shadow root already adopting sheets are sent. A timer (every
//! second, sooner while something waits) covers what the setter alone would miss:
//! - a shadow root usually adopts its sheets in its host's constructor, before the host is
//!   recorded; such a root waits (up to a minute) until it has an id;
//! - full snapshots carry no adopted sheets, so after each keyframe (including the one
//!   taken on resume after a pause, when events were dropped) every tracked list is sent
//!   again with every sheet's contents;
//! - `document.adoptedStyleSheets.push(sheet)` edits the list without the setter, so the
//!   document's list is compared with the last one sent. Shadow roots are not polled
//!   (there can be thousands); in-place edits there wait for the next keyframe.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Object, WeakRef, WeakSet};
use protocol::{AdoptedStyleSheets, ConstructedSheet, EventData};
use wasm_bindgen::{JsCast, JsValue};

use super::cssom::prototype;
use super::js;
use super::patch::{self, After, Hook};
use super::sheets::Sheets;
use super::timer::Timer;
use crate::recorder::{Engine, now_ms};

const IDLE_MS: f64 = 1_000.0;
const WAITING_MS: f64 = 100.0;
/// How long a root may wait for an id.
const MAX_WAIT_MS: f64 = 60_000.0;
const MAX_WAITING: usize = 4_096;
const MAX_TRACKED: usize = 4_096;
/// Elements visited at start looking for shadow roots.
const MAX_WALK: u32 = 50_000;

struct Adopted {
    engine: Weak<Engine>,
    sheets: Rc<Sheets>,
    /// Shadow roots that adopted sheets, held weakly (`None` without `WeakRef`: old
    /// browsers get no resend rather than roots kept alive).
    tracked: Option<RefCell<Vec<WeakRef>>>,
    tracked_set: WeakSet,
    /// Roots not recorded yet, with when they adopted. A root adopting twice meanwhile is
    /// listed (and later sent) twice, which is harmless and cheaper than a search.
    waiting: RefCell<VecDeque<(JsValue, f64)>>,
    /// The document's list as last sent.
    document_ids: RefCell<Vec<u32>>,
    keyframe_at: Cell<f64>,
    tick: Timer,
}

pub(super) fn install(engine: &Engine, sheets: &Rc<Sheets>) {
    let adopted = Rc::new_cyclic(|me: &Weak<Adopted>| {
        let me = me.clone();
        Adopted {
            engine: engine.weak(),
            sheets: sheets.clone(),
            tracked: js::get(&js_sys::global(), "WeakRef")
                .is_some_and(|w| w.is_function())
                .then(|| RefCell::new(Vec::new())),
            tracked_set: WeakSet::new(),
            waiting: RefCell::new(VecDeque::new()),
            document_ids: RefCell::new(Vec::new()),
            keyframe_at: Cell::new(engine.with_core(|core| core.keyframe_at).unwrap_or(0.0)),
            tick: Timer::new(&engine.window, move || {
                if let Some(adopted) = me.upgrade() {
                    adopted.on_tick();
                }
            }),
        }
    });
    for interface in ["Document", "ShadowRoot"] {
        if let Some(prototype) = prototype(engine, interface) {
            let adopted = adopted.clone();
            let hook: Hook = Rc::new(move |this: &JsValue, _: &js_sys::Array| {
                let (adopted, this) = (adopted.clone(), this.clone());
                let after: After = Box::new(move |_| adopted.send(&this));
                Some(after)
            });
            patch::setter(engine, &prototype, "adoptedStyleSheets", hook);
        }
    }
    if has_sheets(&engine.document) {
        adopted.send(&engine.document);
    }
    for root in js::open_shadow_roots(&engine.document, MAX_WALK) {
        if has_sheets(&root) {
            adopted.send(&root);
        }
    }
    adopted.tick.arm(IDLE_MS);
    let owned = adopted.clone();
    engine.on_stop(Box::new(move || owned.tick.cancel()));
}

fn is_document(target: &JsValue) -> bool {
    js::number(target, "nodeType") == Some(f64::from(web_sys::Node::DOCUMENT_NODE))
}

impl Adopted {
    /// Records `target`'s current list (or waits for the target to be recorded).
    fn send(&self, target: &JsValue) {
        let Some(engine) = self.engine.upgrade() else {
            return;
        };
        let document = is_document(target);
        if !document {
            self.track(target);
        }
        let Some(id) = engine.node_id(target) else {
            // A closed root is never recorded, and a document other than ours (one built
            // with `createHTMLDocument`) is never shown.
            if !document && js::string(target, "mode").as_deref() == Some("open") {
                self.wait(target);
            }
            return;
        };
        // While paused the event would be dropped yet its sheets counted as sent; the
        // keyframe taken on resume sends everything again instead.
        if engine.with_core(|core| core.paused.is_none()) != Some(true) {
            return;
        }
        let Some(list) = js::get(target, "adoptedStyleSheets").filter(js_sys::Array::is_array)
        else {
            return;
        };
        let list: js_sys::Array = list.unchecked_into();
        let mut style_ids = Vec::new();
        let mut new_sheets = Vec::new();
        for sheet in list.iter() {
            let Some(style_id) = self.sheets.style_id(&sheet) else {
                continue;
            };
            style_ids.push(style_id);
            if !self.sheets.is_sent(&sheet) {
                self.sheets.mark_sent(&sheet);
                new_sheets.push(ConstructedSheet {
                    style_id,
                    rules: self.sheets.rules(&sheet),
                });
            }
        }
        if document && let Ok(mut last) = self.document_ids.try_borrow_mut() {
            last.clone_from(&style_ids);
        }
        engine.record(EventData::AdoptedStyleSheets(AdoptedStyleSheets {
            target: id,
            style_ids,
            new_sheets,
        }));
    }

    fn track(&self, root: &JsValue) {
        let Some(Ok(mut tracked)) = self.tracked.as_ref().map(RefCell::try_borrow_mut) else {
            return;
        };
        if !root.is_object() || self.tracked_set.has(root.unchecked_ref()) {
            return;
        }
        if tracked.len() >= MAX_TRACKED {
            tracked.retain(|known| known.deref().is_some());
        }
        if tracked.len() < MAX_TRACKED {
            self.tracked_set.add(root.unchecked_ref());
            tracked.push(WeakRef::new(root.unchecked_ref::<Object>()));
        }
    }

    fn wait(&self, root: &JsValue) {
        let Ok(mut waiting) = self.waiting.try_borrow_mut() else {
            return;
        };
        if waiting.len() >= MAX_WAITING {
            waiting.pop_front();
        }
        waiting.push_back((root.clone(), now_ms()));
        drop(waiting);
        // Soon, but after the microtask in which the mutation observer records the host.
        self.tick.rearm(0.0);
    }

    fn on_tick(&self) {
        let Some(engine) = self.engine.upgrade() else {
            return;
        };
        let Some((keyframe_at, paused)) =
            engine.with_core(|core| (core.keyframe_at, core.paused.is_some()))
        else {
            return;
        };
        if !paused {
            if keyframe_at != self.keyframe_at.get() {
                self.keyframe_at.set(keyframe_at);
                self.resend_all(&engine);
            } else if self.document_changed(&engine) {
                self.send(&engine.document);
            }
            self.retry_waiting(&engine);
        }
        let waiting = self.waiting.try_borrow().is_ok_and(|w| !w.is_empty());
        self.tick.arm(if waiting { WAITING_MS } else { IDLE_MS });
    }

    fn resend_all(&self, engine: &Engine) {
        self.sheets.forget_sent();
        if has_sheets(&engine.document) {
            self.send(&engine.document);
        }
        let roots: Vec<Object> = match self.tracked.as_ref().map(RefCell::try_borrow) {
            Some(Ok(tracked)) => tracked.iter().filter_map(WeakRef::deref).collect(),
            _ => return,
        };
        for root in roots {
            let connected = js::boolean(&root, "isConnected").unwrap_or(false);
            if connected && engine.node_id(&root).is_some() && has_sheets(&root) {
                self.send(&root);
            }
        }
    }

    fn document_changed(&self, engine: &Engine) -> bool {
        let Some(list) =
            js::get(&engine.document, "adoptedStyleSheets").filter(js_sys::Array::is_array)
        else {
            return false;
        };
        let list: js_sys::Array = list.unchecked_into();
        let current: Vec<u32> = list
            .iter()
            .filter_map(|sheet| self.sheets.style_id(&sheet))
            .collect();
        self.document_ids
            .try_borrow()
            .is_ok_and(|last| *last != current)
    }

    fn retry_waiting(&self, engine: &Engine) {
        let now = now_ms();
        let mut ready = Vec::new();
        let Ok(mut waiting) = self.waiting.try_borrow_mut() else {
            return;
        };
        waiting.retain(|(root, since)| {
            let recorded = engine.node_id(root).is_some();
            if recorded {
                ready.push(root.clone());
            }
            !recorded && now - since < MAX_WAIT_MS
        });
        drop(waiting);
        for root in ready {
            self.send(&root);
        }
    }
}

fn has_sheets(root: &JsValue) -> bool {
    js::get(root, "adoptedStyleSheets")
        .and_then(|list| js::number(&list, "length"))
        .unwrap_or(0.0)
        > 0.0
}
