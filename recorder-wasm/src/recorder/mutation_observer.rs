//! The one `MutationObserver`: it watches the document, every open shadow root and every
//! same-origin iframe document, and hands each callback's records to
//! [`crate::dom::mutations::coalesce`] behind the circuit breaker.

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MutationObserver, MutationObserverInit, Node};

use super::{Engine, now_ms};
use crate::dom::mutations;
use crate::guard::BreakerState;

type Callback = Closure<dyn FnMut(Array, MutationObserver)>;

pub(super) struct Observer {
    observer: MutationObserver,
    _callback: Callback,
    /// Roots already observed; weak, so a dropped shadow root or frame is not kept alive.
    roots: js_sys::WeakSet,
}

fn init() -> MutationObserverInit {
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attributes(true);
    init.set_character_data(true);
    init
}

impl Engine {
    pub(super) fn connect_observer(&self) {
        let me = self.weak();
        let callback: Callback = Closure::new(move |records: Array, _: MutationObserver| {
            if let Some(engine) = me.upgrade() {
                engine.on_mutations(&records);
            }
        });
        let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        let document: Node = self.document.clone().into();
        let _ = observer.observe_with_options(&document, &init());
        if let Ok(mut slot) = self.observer.try_borrow_mut() {
            *slot = Some(Observer {
                observer,
                _callback: callback,
                roots: {
                    let roots = js_sys::WeakSet::new();
                    roots.add(&document);
                    roots
                },
            });
        }
    }

    pub(super) fn disconnect_observer(&self) {
        if let Ok(mut slot) = self.observer.try_borrow_mut()
            && let Some(observer) = slot.take()
        {
            observer.observer.disconnect();
        }
    }

    /// Starts observing shadow roots and iframe documents found by a snapshot or an add.
    pub(crate) fn observe_roots(&self, roots: &[Node]) {
        if roots.is_empty() {
            return;
        }
        if let Ok(mut slot) = self.observer.try_borrow_mut()
            && let Some(observer) = slot.as_mut()
        {
            for root in roots {
                if observer.roots.has(root) {
                    continue;
                }
                let _ = observer.observer.observe_with_options(root, &init());
                observer.roots.add(root);
            }
        }
        // Frames get the same input and pointer listeners as the top document.
        for root in roots {
            if root.node_type() == Node::DOCUMENT_NODE {
                crate::dom::observers::install_in_frame(self, root.unchecked_ref());
            }
        }
    }

    fn on_mutations(&self, records: &Array) {
        let now = now_ms();
        let count = records.length();
        let state = self.with_core(|core| core.breaker.observe(count, now));
        if state == Some(BreakerState::Tripped) {
            self.pause("mutation_storm");
            return;
        }
        let flushed = self.with_core(|core| {
            let limiter = &mut core.limiter;
            let (ids, privacy) = (&mut core.ids, &core.privacy);
            super::timed(&mut core.stats.capture_ms, || {
                mutations::coalesce(records, ids, privacy, &mut |id| limiter.allow(id.0, now))
            })
        });
        if let Some(flushed) = flushed {
            self.observe_roots(&flushed.found.roots);
            if let Some(mutation) = flushed.mutation {
                let mut events = vec![protocol::EventData::Mutation(mutation)];
                for (target, x, y) in flushed.found.scrolled {
                    events.push(protocol::EventData::Scroll(protocol::Scroll {
                        target,
                        x,
                        y,
                    }));
                }
                self.record_all(events);
            }
        }
    }
}

/// New roots no `MutationObserver` record announces: an open shadow root attached to a
/// recorded host, a document loaded into a recorded frame.
impl Engine {
    /// `host.attachShadow()` returned `root` (see [`mutations::attached_shadow`]).
    pub(crate) fn shadow_attached(&self, host: &web_sys::Element, root: &Node) {
        self.record_new_root(
            |core| core.ids.get(host).is_some() && core.ids.get(root).is_none(),
            |core| mutations::attached_shadow(host, root, &mut core.ids, &core.privacy),
        );
    }

    /// A frame element fired `load` (see [`mutations::loaded_frame`]).
    pub(crate) fn frame_loaded(&self, frame: &web_sys::Element) {
        self.record_new_root(
            |core| core.ids.get(frame).is_some(),
            |core| mutations::loaded_frame(frame, &mut core.ids, &core.privacy),
        );
    }

    /// `wanted` is a cheap check (is there anything new to record?); only then are the
    /// changes the observer has queued, which happened first, recorded first.
    fn record_new_root(
        &self,
        wanted: impl FnOnce(&super::Core) -> bool,
        serialize: impl FnOnce(&mut super::Core) -> Option<mutations::Flushed>,
    ) {
        if self.with_core(|core| core.paused.is_none() && wanted(core)) != Some(true) {
            return;
        }
        self.take_pending_mutations();
        let flushed = self
            .with_core(|core| {
                if core.paused.is_some() {
                    None
                } else {
                    serialize(core)
                }
            })
            .flatten();
        if let Some(flushed) = flushed {
            self.observe_roots(&flushed.found.roots);
            if let Some(mutation) = flushed.mutation {
                self.record(protocol::EventData::Mutation(mutation));
            }
        }
    }

    fn take_pending_mutations(&self) {
        let records = match self.observer.try_borrow() {
            Ok(slot) => match slot.as_ref() {
                Some(observer) => observer.observer.take_records(),
                None => return,
            },
            Err(_) => return,
        };
        if records.length() > 0 {
            self.on_mutations(&records);
        }
    }
}
