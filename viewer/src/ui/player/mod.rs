//! The player page: loads a session, replays it, and verifies it beside the
//! audit entries — each moment highlights the batch entry it came from.

mod engine;
mod hook;
mod load;
mod overlay;
mod panels;
mod view;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, KeyboardEvent, MouseEvent};

use crate::evidence::Status;
use crate::timeline::Timeline;
use crate::ui::el::{self, Listeners};
use crate::ui::keep;
use engine::{Engine, SPEEDS, highlight};
use hook::{Shared, ViewerHandle};

/// How often, and how many times, proofs are fetched again while entries wait
/// for the integrator (it signs a checkpoint about once a second by default).
const RECHECK_MS: i32 = 2_000;
const RECHECKS: u32 = 30;
/// Arrow keys move this far; with Shift, `LONG_STEP_MS`.
const STEP_MS: i64 = 5_000;
const LONG_STEP_MS: i64 = 30_000;

pub async fn show(id: &str) {
    let Some(app) = el::by_id("app") else {
        return;
    };
    el::clear(&app);
    let layout = view::layout(id);
    let _ = app.append_child(&layout.root.0);
    let key = load::pinned_key();

    let mut loaded = match load::session(id).await {
        Ok(loaded) => loaded,
        Err(failure) => {
            layout
                .verification
                .set_text_content(Some(&format!("This session cannot be shown: {failure}")));
            let _ = layout
                .verification
                .set_attribute("class", "verification failed");
            let _ = layout.verification.set_attribute("data-status", "failed");
            return;
        }
    };
    let rows = Rc::new(panels::audit(&layout.audit, &loaded.audit.entries));
    // The decoded batches move into the timeline; verification needs only the bytes.
    let timeline = Timeline::new(std::mem::take(&mut loaded.batches));
    view::draw_markers(&layout.bar, &timeline);
    panels::console(&layout.console, &timeline);
    panels::pages(&layout.pages, &timeline);
    panels::user(&layout.user, &timeline);

    let overlay = overlay::Overlay::new(
        layout.stage.clone(),
        layout.viewport.clone(),
        layout.frame.clone().into(),
    );
    let highlight_rows = rows.clone();
    let engine = Rc::new(RefCell::new(Engine::new(
        timeline,
        layout.frame.clone(),
        overlay,
        layout.view,
        Box::new(move |batch| highlight(&highlight_rows, batch)),
    )));
    let shared = Shared::new(engine.clone());

    let start = el::query_param("t")
        .and_then(|t| t.parse::<f64>().ok())
        .map_or(0, |seconds| (seconds * 1000.0) as i64);
    {
        let mut engine = engine.borrow_mut();
        engine.fit();
        engine.seek_to_offset(start);
    }

    let looping = Rc::new(Cell::new(false));
    let mut listeners = Listeners::default();
    wire(&mut listeners, &layout.tabs);
    wire_controls(
        &mut listeners,
        &engine,
        &looping,
        &layout.play,
        &layout.bar,
        &layout.speed,
        &layout.skip,
        &layout.link,
    );
    wire_seek_lists(
        &mut listeners,
        &engine,
        &[&layout.console, &layout.pages, &layout.bar],
    );
    wire_audit_rows(&mut listeners, &engine, &layout.audit);
    if let Some(window) = web_sys::window() {
        let resize = engine.clone();
        listeners.on(&window, "resize", move |_| resize.borrow().fit());
        let keys = (engine.clone(), looping.clone());
        listeners.on(&el::document(), "keydown", move |event| {
            keyboard(&keys.0, &keys.1, event.unchecked_ref());
        });
    }
    ViewerHandle::install(shared.clone(), looping.clone());
    keep(listeners);
    keep(rows);

    verify_until_settled(loaded, key, layout.verification, layout.audit, shared).await;
}

/// Verifies, then again while entries wait for the integrator (the view this
/// page just caused among them), so every row ends up checked.
async fn verify_until_settled(
    loaded: crate::evidence::LoadedSession,
    key: load::PinnedKey,
    banner: Element,
    audit: Element,
    shared: Shared,
) {
    for attempt in 0..=RECHECKS {
        let (status, pending) = match load::verify(&loaded, &key).await {
            Ok(verification) => {
                panels::audit_states(&audit, &verification);
                (verification.status(), verification.pending())
            }
            Err(why) => (Status::Failed(vec![why]), 0),
        };
        panels::verification_banner(&banner, &status, &key.info);
        let settled = matches!(status, Status::Failed(_)) || pending == 0;
        shared.set_status(status);
        if settled || attempt == RECHECKS {
            return;
        }
        sleep(RECHECK_MS).await;
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// An animation-frame handler that schedules itself again.
type FrameCallback = Closure<dyn FnMut(f64)>;

// The page's one frame handler, made on the first play and reused by every later
// one (a new closure per play would pile up for the page's lifetime).
thread_local! {
    static FRAME: RefCell<Option<Rc<FrameCallback>>> = const { RefCell::new(None) };
}

fn request_frame() {
    let callback = FRAME.with(|f| f.borrow().clone());
    if let (Some(window), Some(callback)) = (web_sys::window(), callback) {
        let _ = window.request_animation_frame(callback.as_ref().as_ref().unchecked_ref());
    }
}

/// Runs animation frames while the engine plays.
fn run(engine: &Rc<RefCell<Engine>>, looping: &Rc<Cell<bool>>) {
    if looping.replace(true) {
        return;
    }
    FRAME.with(|f| {
        if f.borrow().is_none() {
            let engine = engine.clone();
            let flag = looping.clone();
            let callback: FrameCallback = Closure::new(move |now: f64| {
                if engine.borrow_mut().frame(now) {
                    request_frame();
                } else {
                    flag.set(false);
                }
            });
            *f.borrow_mut() = Some(Rc::new(callback));
        }
    });
    request_frame();
}

pub(super) fn toggle(engine: &Rc<RefCell<Engine>>, looping: &Rc<Cell<bool>>) {
    let playing = engine.borrow().playing;
    if playing {
        engine.borrow_mut().pause();
    } else {
        engine.borrow_mut().play();
        run(engine, looping);
    }
}

fn wire(listeners: &mut Listeners, tabs: &[(Element, Element)]) {
    let all: Rc<Vec<(Element, Element)>> = Rc::new(tabs.to_vec());
    let select = |all: &[(Element, Element)], chosen: usize| {
        for (i, (tab, panel)) in all.iter().enumerate() {
            let _ = tab.set_attribute("aria-selected", if i == chosen { "true" } else { "false" });
            let _ = panel.class_list().toggle_with_force("hidden", i != chosen);
        }
    };
    select(&all, 0);
    for (i, (tab, _)) in tabs.iter().enumerate() {
        let all = all.clone();
        listeners.on(tab, "click", move |_| select(&all, i));
    }
}

#[allow(clippy::too_many_arguments)] // one listener per control, named at the call
fn wire_controls(
    listeners: &mut Listeners,
    engine: &Rc<RefCell<Engine>>,
    looping: &Rc<Cell<bool>>,
    play: &Element,
    bar: &Element,
    speed: &Element,
    skip: &Element,
    link: &Element,
) {
    let (e, l) = (engine.clone(), looping.clone());
    listeners.on(play, "click", move |_| toggle(&e, &l));

    let (e, track) = (engine.clone(), bar.clone());
    listeners.on(bar, "click", move |event| {
        let target: Option<Element> = event.target().and_then(|t| t.dyn_into().ok());
        if target.is_some_and(|t| t.has_attribute("data-event")) {
            return; // a marker: handled by the seek lists
        }
        let mouse: &MouseEvent = event.unchecked_ref();
        let rect = track.get_bounding_client_rect();
        let fraction =
            ((f64::from(mouse.client_x()) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
        let mut engine = e.borrow_mut();
        let duration = engine.timeline.duration_ms();
        engine.seek_to_offset((fraction * duration as f64) as i64);
    });

    let e = engine.clone();
    listeners.on(speed, "change", move |event| {
        let value = event
            .target()
            .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
            .and_then(|v| v.as_string())
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| SPEEDS.contains(s));
        if let Some(speed) = value {
            let mut engine = e.borrow_mut();
            engine.speed = speed;
            engine.refresh();
        }
    });

    let e = engine.clone();
    listeners.on(skip, "change", move |event| {
        let checked = event
            .target()
            .and_then(|t| js_sys::Reflect::get(&t, &"checked".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        e.borrow_mut().skip_inactive = checked;
    });

    let e = engine.clone();
    listeners.on(link, "click", move |_| {
        let offset = e.borrow().offset_ms();
        copy_moment_link(offset);
    });
}

/// Puts `?t=SECONDS` for this moment into the address bar and the clipboard.
fn copy_moment_link(offset_ms: i64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(origin), Ok(path)) = (location.origin(), location.pathname()) else {
        return;
    };
    let url = format!("{origin}{path}?t={:.1}", offset_ms as f64 / 1000.0);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    let clipboard = window.navigator().clipboard();
    let _ = clipboard.write_text(&url);
}

/// Buttons carrying `data-event` (console, pages, timeline markers) seek to it.
fn wire_seek_lists(
    listeners: &mut Listeners,
    engine: &Rc<RefCell<Engine>>,
    containers: &[&Element],
) {
    for container in containers {
        let e = engine.clone();
        listeners.on(container, "click", move |event: Event| {
            let index = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("[data-event]").ok().flatten())
                .and_then(|t| t.get_attribute("data-event"))
                .and_then(|i| i.parse::<usize>().ok());
            if let Some(index) = index {
                e.borrow_mut().seek_to_event(index);
            }
        });
    }
}

/// Clicking a batch entry shows the moment that batch begins.
fn wire_audit_rows(listeners: &mut Listeners, engine: &Rc<RefCell<Engine>>, audit: &Element) {
    let e = engine.clone();
    listeners.on(audit, "click", move |event: Event| {
        let batch = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-batch]").ok().flatten())
            .and_then(|t| t.get_attribute("data-batch"))
            .and_then(|b| b.parse::<u64>().ok());
        let Some(batch) = batch else { return };
        let mut engine = e.borrow_mut();
        let first = engine
            .timeline
            .batches
            .iter()
            .find(|b| b.batch_seq == batch && b.event_count > 0)
            .map(|b| b.first_event);
        if let Some(first) = first {
            engine.seek_to_event(first);
        }
    });
}

fn keyboard(engine: &Rc<RefCell<Engine>>, looping: &Rc<Cell<bool>>, event: &KeyboardEvent) {
    // Typing in a filter or the speed menu is not a shortcut.
    let in_field = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
    if in_field || event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let step = if event.shift_key() {
        LONG_STEP_MS
    } else {
        STEP_MS
    };
    let handled = match event.key().as_str() {
        " " | "k" => {
            toggle(engine, looping);
            true
        }
        "ArrowLeft" | "j" => {
            let mut e = engine.borrow_mut();
            let at = e.offset_ms() - step;
            e.seek_to_offset(at);
            true
        }
        "ArrowRight" | "l" => {
            let mut e = engine.borrow_mut();
            let at = e.offset_ms() + step;
            e.seek_to_offset(at);
            true
        }
        "Home" => {
            engine.borrow_mut().seek_to_offset(0);
            true
        }
        "End" => {
            let mut e = engine.borrow_mut();
            let end = e.timeline.duration_ms();
            e.seek_to_offset(end);
            true
        }
        ">" | "<" => {
            let mut e = engine.borrow_mut();
            let current = SPEEDS.iter().position(|s| *s == e.speed).unwrap_or(0);
            let next = if event.key() == ">" {
                (current + 1).min(SPEEDS.len() - 1)
            } else {
                current.saturating_sub(1)
            };
            e.speed = SPEEDS[next];
            e.refresh();
            true
        }
        _ => false,
    };
    if handled {
        event.prevent_default();
    }
}
