//! `window.affidavitViewer`: the player's state and seeking for automation (the
//! browser tests, and anyone scripting a review), the same operations the
//! controls use.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::engine::Engine;
use crate::evidence::Status;

/// The player and the latest verification, shared with the page.
#[derive(Debug, Clone)]
pub struct Shared {
    engine: Rc<RefCell<Engine>>,
    status: Rc<RefCell<Option<Status>>>,
}

impl Shared {
    pub fn new(engine: Rc<RefCell<Engine>>) -> Shared {
        Shared {
            engine,
            status: Rc::new(RefCell::new(None)),
        }
    }

    pub fn set_status(&self, status: Status) {
        *self.status.borrow_mut() = Some(status);
    }
}

#[wasm_bindgen]
#[derive(Debug)]
pub struct ViewerHandle {
    shared: Shared,
    looping: Rc<Cell<bool>>,
}

impl ViewerHandle {
    pub fn install(shared: Shared, looping: Rc<Cell<bool>>) {
        if let Some(window) = web_sys::window() {
            let handle = ViewerHandle { shared, looping };
            let _ = Reflect::set(&window, &"affidavitViewer".into(), &JsValue::from(handle));
        }
    }
}

#[wasm_bindgen]
impl ViewerHandle {
    /// Shows the page right after event `index` (recording order, from 0).
    #[wasm_bindgen(js_name = seekToEvent)]
    pub fn seek_to_event(&self, index: usize) {
        self.shared.engine.borrow_mut().seek_to_event(index);
    }

    /// Shows the page `ms` after the session start.
    #[wasm_bindgen(js_name = seekToOffset)]
    pub fn seek_to_offset(&self, ms: f64) {
        self.shared.engine.borrow_mut().seek_to_offset(ms as i64);
    }

    /// The index of the first `track` event named `name`, or `undefined`.
    #[wasm_bindgen(js_name = findTrack)]
    pub fn find_track(&self, name: &str) -> Option<usize> {
        self.shared.engine.borrow().timeline.find_track(name)
    }

    /// Where each keyframe sits, in ms from the session start.
    #[wasm_bindgen(js_name = keyframeOffsets)]
    pub fn keyframe_offsets(&self) -> Vec<f64> {
        let engine = self.shared.engine.borrow();
        let (start, _) = engine.timeline.bounds();
        engine
            .timeline
            .keyframes()
            .iter()
            .map(|k| (engine.timeline.events[*k].at_ms - start) as f64)
            .collect()
    }

    #[wasm_bindgen(js_name = togglePlay)]
    pub fn toggle_play(&self) {
        super::toggle(&self.shared.engine, &self.looping);
    }

    /// `{events, keyframes, applied, offsetMs, durationMs, playing, batch,
    /// status, problems, warnings, warningCount, nodes}`.
    pub fn state(&self) -> JsValue {
        let engine = self.shared.engine.borrow();
        let out = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&out, &k.into(), &v);
        };
        set("events", engine.timeline.events.len().into());
        set("keyframes", engine.timeline.keyframes().len().into());
        set(
            "applied",
            engine.applied().map_or(JsValue::NULL, JsValue::from),
        );
        set("offsetMs", (engine.offset_ms() as f64).into());
        set("durationMs", (engine.timeline.duration_ms() as f64).into());
        set("playing", engine.playing.into());
        set(
            "batch",
            engine
                .highlighted_batch()
                .map_or(JsValue::NULL, |b| JsValue::from(b as f64)),
        );
        let (status, problems): (&str, Vec<String>) = match &*self.shared.status.borrow() {
            None => ("verifying", Vec::new()),
            Some(Status::Verified(summary)) => ("verified", vec![summary.clone()]),
            Some(Status::Incomplete(why)) => ("incomplete", why.clone()),
            Some(Status::Failed(why)) => ("failed", why.clone()),
        };
        set("status", status.into());
        set("problems", strings(&problems));
        let (warnings, count) = engine.warnings();
        set("warnings", strings(warnings));
        set("warningCount", count.into());
        set("nodes", engine.replayed_nodes().into());
        out.into()
    }
}

fn strings(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<js_sys::Array>()
        .into()
}
