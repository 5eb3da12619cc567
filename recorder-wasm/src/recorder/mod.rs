//! The running recorder: one [`Engine`] per `start()`, owning the capture state, the
//! listeners, the mutation observer and the transport.
//!
//! Every entry point from the page (an event listener, the observer, a timer, a patched
//! method) goes through [`Engine::with_core`], which skips the call instead of panicking
//! when the state is already borrowed (a page handler re-entering the recorder) or the
//! recorder has stopped. Nothing here can throw into the page.

mod listeners;
mod mutation_observer;
mod stats;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use protocol::{Event, EventData, Marker, MarkerKind, NodeId};
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, EventTarget, Window};

use crate::batching::Buffer;
use crate::dom::{NodeIds, PagePrivacy, snapshot};
use crate::guard::{CircuitBreaker, NodeRateLimiter};
use crate::options::Options;
use crate::transport::Transport;
pub(crate) use listeners::Listeners;
use mutation_observer::Observer;
pub(crate) use stats::Stats;
use stats::timed;

/// The recorder's mutable state.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) options: Options,
    pub(crate) ids: NodeIds,
    pub(crate) privacy: PagePrivacy,
    pub(crate) buffer: Buffer,
    pub(crate) limiter: NodeRateLimiter,
    pub(crate) breaker: CircuitBreaker,
    /// Why recording is paused, if it is.
    pub(crate) paused: Option<&'static str>,
    pub(crate) events_since_keyframe: u32,
    pub(crate) keyframe_at: f64,
    pub(crate) transport: Transport,
    pub(crate) stats: Stats,
}

pub(crate) struct Engine {
    pub(crate) window: Window,
    pub(crate) document: Document,
    core: RefCell<Core>,
    listeners: RefCell<Listeners>,
    observer: RefCell<Option<Observer>>,
    timer: Cell<Option<i32>>,
    ticks: Cell<u32>,
    tick: RefCell<Option<Closure<dyn FnMut()>>>,
    stopped: Cell<bool>,
    me: Weak<Engine>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("stopped", &self.stopped.get())
            .finish_non_exhaustive()
    }
}

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Engine {
    pub(crate) fn start(options: Options) -> Result<Rc<Engine>, String> {
        options.validate().map_err(|e| e.to_string())?;
        let window = web_sys::window().ok_or("Affidavit records in a browser window only")?;
        let document = window.document().ok_or("the window has no document")?;
        let privacy = PagePrivacy::new(options.privacy.clone(), &document)?;
        let transport = Transport::open(&window, &options, now_ms())?;
        let core = Core {
            buffer: Buffer::new(),
            limiter: NodeRateLimiter::new(&options.guard),
            breaker: CircuitBreaker::new(&options.guard),
            ids: NodeIds::new(),
            privacy,
            paused: None,
            events_since_keyframe: 0,
            keyframe_at: now_ms(),
            transport,
            options,
            stats: Stats::default(),
        };
        let engine = Rc::new_cyclic(|me| Engine {
            window,
            document,
            core: RefCell::new(core),
            listeners: RefCell::new(Listeners::default()),
            observer: RefCell::new(None),
            timer: Cell::new(None),
            ticks: Cell::new(0),
            tick: RefCell::new(None),
            stopped: Cell::new(false),
            me: me.clone(),
        });
        engine.connect_observer();
        engine.keyframe();
        crate::dom::observers::install(&engine);
        engine.start_timer();
        crate::transport::install(&engine);
        engine.pump();
        Ok(engine)
    }

    pub(crate) fn weak(&self) -> Weak<Engine> {
        self.me.clone()
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Runs `f` on the state unless the recorder stopped or the state is in use.
    pub(crate) fn with_core<T>(&self, f: impl FnOnce(&mut Core) -> T) -> Option<T> {
        if self.stopped.get() {
            return None;
        }
        let mut core = self.core.try_borrow_mut().ok()?;
        Some(f(&mut core))
    }

    /// Records one event now (dropped while paused).
    pub(crate) fn record(&self, data: EventData) {
        self.record_all(vec![data]);
    }

    pub(crate) fn record_all(&self, events: Vec<EventData>) {
        let now = now_ms();
        let flush = self
            .with_core(|core| {
                if core.paused.is_some() {
                    return false;
                }
                core.stats.events = core.stats.events.saturating_add(events.len() as u64);
                for data in events {
                    core.buffer.push(Event::new(now as i64, data), now);
                    core.events_since_keyframe = core.events_since_keyframe.saturating_add(1);
                }
                core.buffer.should_flush(now, &core.options.batching)
            })
            .unwrap_or(false);
        if flush {
            self.flush();
        }
    }

    /// Runs `f` on the transport even after `stop()`: answers to requests sent before the
    /// stop must still be acknowledged.
    pub(crate) fn with_transport<T>(
        &self,
        f: impl FnOnce(&mut Transport, &crate::options::BatchOptions) -> T,
    ) -> Option<T> {
        let mut core = self.core.try_borrow_mut().ok()?;
        let core = &mut *core;
        Some(f(&mut core.transport, &core.options.batching))
    }

    /// The server lost this session: continue in a new one, starting with a keyframe.
    pub(crate) fn restart_session(&self) {
        let now = now_ms();
        self.with_transport(|t, _| t.restart_session(&self.window, now));
        if !self.is_stopped() {
            self.with_core(|core| core.buffer.take());
            self.keyframe();
        }
    }

    pub(crate) fn node_id(&self, node: &JsValue) -> Option<NodeId> {
        self.with_core(|core| core.ids.get(node)).flatten()
    }

    /// Seals what is buffered into batches, persists them and sends.
    pub(crate) fn flush(&self) {
        let full = self.with_core(|core| {
            let events = core.buffer.take();
            if !events.is_empty() {
                let options = core.options.batching.clone();
                let mut took = 0.0;
                let (batches, bytes) = timed(&mut took, || {
                    core.transport.seal(events, &options, now_ms())
                });
                core.stats.seal_ms += took;
                core.stats.max_seal_ms = core.stats.max_seal_ms.max(took);
                core.stats.batches_sealed += batches as u64;
                core.stats.bytes_sealed += bytes as u64;
            }
            core.transport.is_full(&core.options.batching)
        });
        if full == Some(true) {
            self.pause("queue_full");
        }
        self.pump();
    }

    pub(crate) fn pump(&self) {
        crate::transport::pump(self);
    }

    /// Takes a full snapshot (a keyframe) and starts observing any new roots.
    pub(crate) fn keyframe(&self) {
        let taken = self.with_core(|core| {
            core.events_since_keyframe = 0;
            core.keyframe_at = now_ms();
            let start = stats::now_precise();
            let taken = snapshot::take(&self.window, &self.document, &mut core.ids, &core.privacy);
            let took = stats::now_precise() - start;
            core.stats.capture_ms += took;
            core.stats.last_snapshot_ms = took;
            core.stats.snapshots += 1;
            taken
        });
        if let Some(Some(snapshot)) = taken {
            self.observe_roots(&snapshot.found.roots);
            self.record_all(snapshot.events);
        }
    }

    pub(crate) fn listen(
        &self,
        target: &EventTarget,
        event: &'static str,
        capture: bool,
        mut handler: impl FnMut(&Engine, web_sys::Event) + 'static,
    ) {
        let me = self.weak();
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(engine) = me.upgrade()
                && !engine.is_stopped()
            {
                let start = stats::now_precise();
                handler(&engine, event);
                let took = stats::now_precise() - start;
                engine.with_core(|core| core.stats.capture_ms += took);
            }
        });
        if let Ok(mut listeners) = self.listeners.try_borrow_mut() {
            listeners.add(target, event, capture, closure);
        }
    }

    pub(crate) fn on_stop(&self, undo: Box<dyn FnOnce()>) {
        if let Ok(mut listeners) = self.listeners.try_borrow_mut() {
            listeners.on_stop(undo);
        }
    }

    /// Pauses recording with a marker; mutations stop being observed until resumed.
    pub(crate) fn pause(&self, reason: &'static str) {
        let now = now_ms();
        let newly = self
            .with_core(|core| {
                if core.paused.is_some() {
                    return false;
                }
                core.buffer.push(
                    Event::new(
                        now as i64,
                        EventData::Marker(Marker {
                            kind: MarkerKind::Paused,
                            reason: reason.to_owned(),
                        }),
                    ),
                    now,
                );
                core.paused = Some(reason);
                true
            })
            .unwrap_or(false);
        if newly {
            self.disconnect_observer();
        }
    }

    /// Resumes after a pause: a marker, then a keyframe, since the page changed unseen.
    pub(crate) fn resume(&self) {
        let resumed = self
            .with_core(|core| {
                let reason = core.paused.take()?;
                Some(reason)
            })
            .flatten();
        if let Some(reason) = resumed {
            self.record(EventData::Marker(Marker {
                kind: MarkerKind::Resumed,
                reason: reason.to_owned(),
            }));
            self.connect_observer();
            self.keyframe();
        }
    }

    fn start_timer(&self) {
        let me = self.weak();
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(engine) = me.upgrade() {
                engine.on_tick();
            }
        });
        let period = self
            .with_core(|core| core.options.batching.flush_interval_ms.clamp(100, 1_000))
            .unwrap_or(1_000);
        use wasm_bindgen::JsCast;
        if let Ok(id) = self
            .window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                period as i32,
            )
        {
            self.timer.set(Some(id));
        }
        *self.tick.borrow_mut() = Some(tick);
    }

    fn on_tick(&self) {
        let now = now_ms();
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks.is_multiple_of(10)
            && let Ok(mut listeners) = self.listeners.try_borrow_mut()
        {
            listeners.prune_dead_documents();
        }
        let Some((flush, keyframe, resume, refused)) = self.with_core(|core| {
            core.transport.heartbeat(now);
            let capture = &core.options.capture;
            let keyframe = core.paused.is_none()
                && ((capture.keyframe_interval_ms > 0
                    && now - core.keyframe_at >= f64::from(capture.keyframe_interval_ms))
                    || (capture.keyframe_events > 0
                        && core.events_since_keyframe >= capture.keyframe_events));
            let resume = match core.paused {
                Some("mutation_storm") => core.breaker.try_resume(now),
                Some("queue_full") => !core.transport.is_full(&core.options.batching),
                _ => false,
            };
            let refused = core.transport.is_refused() && core.paused.is_none();
            (
                core.buffer.should_flush(now, &core.options.batching),
                keyframe,
                resume,
                refused,
            )
        }) else {
            return;
        };
        if refused {
            // The server will take nothing from this page: stop costing it anything.
            self.stop();
            return;
        }
        if resume {
            self.resume();
        }
        if keyframe {
            self.keyframe();
        }
        if flush || keyframe {
            self.flush();
        } else {
            self.pump();
        }
    }

    /// Stops recording: everything installed is removed, and what was recorded is sealed
    /// and sent (or left persisted for the next page load).
    pub(crate) fn stop(&self) {
        if self.stopped.get() {
            return;
        }
        self.flush();
        self.disconnect_observer();
        if let Some(id) = self.timer.take() {
            self.window.clear_interval_with_handle(id);
        }
        if let Ok(mut listeners) = self.listeners.try_borrow_mut() {
            listeners.remove_all();
        }
        self.stopped.set(true);
        self.tick.borrow_mut().take();
    }

    pub(crate) fn stats(&self) -> Stats {
        self.core
            .try_borrow()
            .map(|core| {
                let mut stats = core.stats.clone();
                stats.batches_acknowledged = core.transport.acknowledged();
                stats.wasm_memory_bytes = wasm_memory_bytes();
                stats.paused = core.paused;
                stats
            })
            .unwrap_or_default()
    }

    pub(crate) fn session_id(&self) -> String {
        self.core
            .try_borrow()
            .map(|core| core.transport.session_id().to_string())
            .unwrap_or_default()
    }
}

fn wasm_memory_bytes() -> u64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as u64
        })
        .unwrap_or(0)
}
