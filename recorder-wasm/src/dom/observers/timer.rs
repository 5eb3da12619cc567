//! Owned one-shot timers and a keyed throttle with a trailing edge.
//!
//! A [`Timer`] owns its `Closure` and clears its timeout when dropped, so an observer that
//! goes away (at `stop()`) can never be called back into freed memory. Observers build
//! their timer inside `Rc::new_cyclic` with a `Weak` to themselves: the timer never keeps
//! its owner alive, so dropping the listeners and the `on_stop` hook frees everything.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::{Rc, Weak};

use protocol::EventData;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::Window;

use crate::recorder::{Engine, now_ms};

pub(super) struct Timer {
    window: Window,
    handle: Rc<Cell<Option<i32>>>,
    callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub(super) fn new(window: &Window, mut on_fire: impl FnMut() + 'static) -> Timer {
        let handle = Rc::new(Cell::new(None));
        let fired = handle.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            // Cleared first, so `on_fire` may arm the timer again.
            fired.set(None);
            on_fire();
        });
        Timer {
            window: window.clone(),
            handle,
            callback,
        }
    }

    /// Fires once after `delay_ms`, unless already armed (the earlier deadline stands).
    pub(super) fn arm(&self, delay_ms: f64) {
        if self.handle.get().is_some() {
            return;
        }
        let delay = delay_ms.clamp(0.0, 60_000.0).ceil() as i32;
        if let Ok(id) = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.callback.as_ref().unchecked_ref(),
                delay,
            )
        {
            self.handle.set(Some(id));
        }
    }

    /// Re-arms for `delay_ms` from now, replacing any earlier deadline.
    pub(super) fn rearm(&self, delay_ms: f64) {
        self.cancel();
        self.arm(delay_ms);
    }

    pub(super) fn cancel(&self) {
        if let Some(id) = self.handle.take() {
            self.window.clear_timeout_with_handle(id);
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// At most one value per key per interval; a value offered too early is kept (the latest
/// one wins) and handed back by [`Throttle::due`] once its interval has passed, so the
/// final position of a scroll or resize is never lost.
pub(super) struct Throttle<K, V> {
    interval: f64,
    last: HashMap<K, f64>,
    pending: Vec<(K, V)>,
}

/// Keys remembered before old ones are forgotten; a forgotten key is only throttled anew.
const MAX_KEYS: usize = 256;

impl<K: Copy + Eq + Hash, V> Throttle<K, V> {
    pub(super) fn new(interval_ms: u32) -> Self {
        Throttle {
            interval: f64::from(interval_ms),
            last: HashMap::new(),
            pending: Vec::new(),
        }
    }

    /// `Ok(value)` to record now, or `Err(delay)` when the value was kept as the key's
    /// trailing value, due in `delay` milliseconds.
    pub(super) fn offer(&mut self, key: K, value: V, now: f64) -> Result<V, f64> {
        let due = self.last.get(&key).map_or(now, |last| last + self.interval);
        if now >= due {
            if self.last.len() >= MAX_KEYS {
                let interval = self.interval;
                self.last.retain(|_, last| now - *last < interval);
            }
            self.last.insert(key, now);
            self.pending.retain(|(k, _)| *k != key);
            return Ok(value);
        }
        match self.pending.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.pending.push((key, value)),
        }
        Err(due - now)
    }

    /// The trailing values now due (their keys count as just recorded), and the delay
    /// until the next one still waiting.
    pub(super) fn due(&mut self, now: f64) -> (Vec<(K, V)>, Option<f64>) {
        let mut ready = Vec::new();
        let mut next: Option<f64> = None;
        for (key, value) in std::mem::take(&mut self.pending) {
            let due = self.last.get(&key).map_or(now, |last| last + self.interval);
            if now >= due {
                self.last.insert(key, now);
                ready.push((key, value));
            } else {
                next = Some(next.map_or(due - now, |n| n.min(due - now)));
                self.pending.push((key, value));
            }
        }
        (ready, next)
    }
}

/// A [`Throttle`] that records: each value offered goes out now or as its key's trailing
/// event, turned into an event by `to_event`.
pub(super) struct Throttled<K, V> {
    engine: Weak<Engine>,
    throttle: RefCell<Throttle<K, V>>,
    to_event: fn(K, V) -> EventData,
    trailing: Timer,
}

impl<K: Copy + Eq + Hash + 'static, V: 'static> Throttled<K, V> {
    pub(super) fn new(
        engine: &Engine,
        interval_ms: u32,
        to_event: fn(K, V) -> EventData,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me: &Weak<Self>| {
            let me = me.clone();
            Throttled {
                engine: engine.weak(),
                throttle: RefCell::new(Throttle::new(interval_ms)),
                to_event,
                trailing: Timer::new(&engine.window, move || {
                    if let Some(throttled) = me.upgrade() {
                        throttled.on_timer();
                    }
                }),
            }
        })
    }

    pub(super) fn offer(&self, engine: &Engine, key: K, value: V) {
        let offered = match self.throttle.try_borrow_mut() {
            Ok(mut throttle) => throttle.offer(key, value, now_ms()),
            Err(_) => return,
        };
        match offered {
            Ok(value) => engine.record((self.to_event)(key, value)),
            Err(delay) => self.trailing.arm(delay),
        }
    }

    fn on_timer(&self) {
        let (ready, next) = match self.throttle.try_borrow_mut() {
            Ok(mut throttle) => throttle.due(now_ms()),
            Err(_) => return,
        };
        if let Some(delay) = next {
            self.trailing.arm(delay);
        }
        if let Some(engine) = self.engine.upgrade()
            && !ready.is_empty()
        {
            engine.record_all(
                ready
                    .into_iter()
                    .map(|(k, v)| (self.to_event)(k, v))
                    .collect(),
            );
        }
    }
}
