//! The network side: `fetch` for the head batch, `sendBeacon` when the page goes away, and
//! the timers between retries.
//!
//! Requests carry the key as `?key=` and the body as bytes with no content type, which makes
//! them CORS "simple requests": a page on another origin pays no preflight per batch, and
//! `sendBeacon` (which cannot set headers) works the same way.

use std::cell::Cell;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use crate::batching::{SendOutcome, classify};
use crate::recorder::{Engine, now_ms};

/// Browsers cap the bodies of keepalive requests and beacons in flight at 64 KiB in all.
const KEEPALIVE_BUDGET: usize = 60 * 1024;

thread_local! {
    static WARNED: Cell<u32> = const { Cell::new(0) };
}

/// Tells the developer something went wrong, a few times at most: the recorder must not
/// flood the page's console.
pub(crate) fn warn(message: &str) {
    let count = WARNED.with(|w| {
        let n = w.get();
        w.set(n.saturating_add(1));
        n
    });
    if count < 5 {
        web_sys::console::warn_1(&JsValue::from_str(&format!("[affidavit] {message}")));
    }
}

/// Listens for the page going away: the buffer is sealed and persisted, and what fits is
/// sent with `sendBeacon` (the rest goes out on the next page load).
pub(crate) fn install(engine: &Engine) {
    let window: web_sys::EventTarget = engine.window.clone().into();
    engine.listen(&window, "pagehide", true, |engine, _| {
        engine.flush();
        beacon(engine);
    });
    let document: web_sys::EventTarget = engine.document.clone().into();
    engine.listen(&document, "visibilitychange", false, |engine, _| {
        if engine.document.visibility_state() == web_sys::VisibilityState::Hidden {
            engine.flush();
        }
    });
    window_online(engine);
}

/// Coming back online retries at once instead of waiting out the backoff.
fn window_online(engine: &Engine) {
    let window: web_sys::EventTarget = engine.window.clone().into();
    engine.listen(&window, "online", false, |engine, _| {
        engine.with_transport(|t, _| t.retry_at = 0.0);
        engine.pump();
    });
}

fn beacon(engine: &Engine) {
    let Some((url, bodies)) = engine.with_transport(|t, _| {
        let mut budget = KEEPALIVE_BUDGET;
        let mut bodies = Vec::new();
        let mut batches = t.outbox.iter();
        // The head in flight is a keepalive fetch already (when it fits the budget) and
        // uses the same budget: do not send it twice.
        if t.in_flight
            && !t.orphan_in_flight
            && let Some(head) = batches.next()
        {
            budget = budget.saturating_sub(head.bytes.len());
        }
        for batch in batches {
            if batch.bytes.len() > budget {
                break;
            }
            budget -= batch.bytes.len();
            bodies.push(batch.bytes.clone());
        }
        (t.url.clone(), bodies)
    }) else {
        return;
    };
    let navigator = engine.window.navigator();
    for body in bodies {
        let array = Uint8Array::from(body.as_slice());
        if !matches!(
            navigator.send_beacon_with_opt_buffer_source(&url, Some(&array)),
            Ok(true)
        ) {
            break;
        }
    }
}

/// Sends the head batch if one is due and none is in flight.
pub(crate) fn pump(engine: &Engine) {
    let now = now_ms();
    let Some(Some((seq, body, url))) = engine.with_transport(|t, _| {
        t.next_request(now)
            .map(|(seq, body)| (seq, body, t.url.clone()))
    }) else {
        return;
    };
    let me = engine.weak();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = post(&url, &body).await;
        let Some(engine) = me.upgrade() else { return };
        let _ = seq;
        let now = now_ms();
        let (retry, lost) = engine
            .with_transport(|t, options| (t.on_outcome(outcome, options, now), t.lost))
            .unwrap_or((None, false));
        if lost {
            engine.restart_session();
        }
        if let Some(delay) = retry {
            schedule(&engine, delay);
        }
        engine.with_transport(|t, _| t.wake_waiters(now));
        pump(&engine);
    });
}

fn schedule(engine: &Engine, delay_ms: u64) {
    let me = engine.weak();
    let callback = Closure::once_into_js(move || {
        if let Some(engine) = me.upgrade() {
            pump(&engine);
        }
    });
    let _ = engine
        .window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            delay_ms.min(i32::MAX as u64) as i32,
        );
}

async fn post(url: &str, body: &[u8]) -> SendOutcome {
    let init = RequestInit::new();
    init.set_method("POST");
    let array = Uint8Array::from(body);
    init.set_body(&array);
    // `keepalive` lets the request outlive the page; web-sys has no setter for it.
    let _ = js_sys::Reflect::set(
        &init,
        &JsValue::from_str("keepalive"),
        &JsValue::from_bool(body.len() <= KEEPALIVE_BUDGET),
    );
    let Some(window) = web_sys::window() else {
        return classify(None, None, "");
    };
    let response = match JsFuture::from(window.fetch_with_str_and_init(url, &init)).await {
        Ok(response) => response.unchecked_into::<Response>(),
        Err(_) => return classify(None, None, ""),
    };
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    classify(Some(response.status()), retry_after.as_deref(), &text)
}

/// A promise that resolves when nothing is left to send (or sending is waiting on a retry
/// or has been refused).
pub(crate) fn when_idle(engine: &Engine) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let now = now_ms();
        let idle = engine
            .with_transport(|t, _| {
                if t.is_idle(now) {
                    true
                } else {
                    t.waiters.push(resolve.clone());
                    false
                }
            })
            .unwrap_or(true);
        if idle {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

impl super::Transport {
    fn wake_waiters(&mut self, now: f64) {
        if self.is_idle(now) {
            for waiter in self.waiters.drain(..) {
                let _ = waiter.call0(&JsValue::UNDEFINED);
            }
        }
    }
}
