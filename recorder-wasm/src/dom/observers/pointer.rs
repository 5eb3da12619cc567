//! Pointer activity: clicks, touches and focus changes as [`MouseInteraction`]s, and sampled
//! movement as [`PointerMove`] groups.
//!
//! Movement is sampled at most every `capture.mouseMoveIntervalMs` and sent in groups (at
//! most 20 positions or 500 ms), each position carrying its time relative to the event's
//! own timestamp, as the protocol defines it: the group is recorded when it closes, so
//! offsets are negative. A timer closes the last group even when the pointer stops.
//!
//! Coordinates are in the top window's viewport: a frame's event is shifted by where the
//! frame sits, so a replay can draw the pointer without knowing which document it was in
//! (frame padding and CSS transforms on the frame are not accounted for).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use protocol::{EventData, InteractionKind, MouseInteraction, PointerMove, PointerPosition};
use wasm_bindgen::JsValue;
use web_sys::Document;

use super::js;
use super::timer::Timer;
use crate::recorder::{Engine, now_ms};

/// A group of positions is sent when its first one is this old…
const GROUP_MS: f64 = 500.0;
/// …or when it holds this many.
const GROUP_SIZE: usize = 20;

const INTERACTIONS: [(&str, InteractionKind); 10] = [
    ("mousedown", InteractionKind::MouseDown),
    ("mouseup", InteractionKind::MouseUp),
    ("click", InteractionKind::Click),
    ("dblclick", InteractionKind::DoubleClick),
    ("contextmenu", InteractionKind::ContextMenu),
    ("touchstart", InteractionKind::TouchStart),
    ("touchend", InteractionKind::TouchEnd),
    ("touchcancel", InteractionKind::TouchCancel),
    ("focusin", InteractionKind::Focus),
    ("focusout", InteractionKind::Blur),
];

pub(super) fn install(engine: &Engine, document: &Document) {
    for (event, kind) in INTERACTIONS {
        let document = document.clone();
        engine.listen(&document.clone(), event, true, move |engine, event| {
            on_interaction(engine, &document, &event, kind);
        });
    }
    let interval = engine
        .with_core(|core| core.options.capture.mouse_move_interval_ms)
        .unwrap_or(0);
    if interval == 0 {
        return;
    }
    for (event, touch) in [("mousemove", false), ("touchmove", true)] {
        let sampler = Sampler::new(engine, touch, interval);
        let document = document.clone();
        engine.listen(&document.clone(), event, true, move |engine, event| {
            sampler.on_move(engine, &document, &event);
        });
    }
}

fn on_interaction(
    engine: &Engine,
    document: &Document,
    event: &web_sys::Event,
    kind: InteractionKind,
) {
    let Some(node) = js::event_node(event) else {
        return;
    };
    let Some(target) = js::nearest_id(engine, &node) else {
        return;
    };
    let (x, y) = match kind {
        InteractionKind::Focus | InteractionKind::Blur => (0, 0),
        _ => match position(engine, document, event) {
            Some(position) => position,
            None => return,
        },
    };
    engine.record(EventData::MouseInteraction(MouseInteraction {
        kind,
        target,
        x,
        y,
    }));
}

/// The event's position in the top viewport: a mouse event's own, a touch event's first
/// changed touch.
fn position(engine: &Engine, document: &Document, event: &web_sys::Event) -> Option<(i32, i32)> {
    let touches = js::get(event, "changedTouches").filter(|t| !js::is_nullish(t));
    let point = match touches {
        Some(touches) => js_sys::Reflect::get_u32(&touches, 0)
            .ok()
            .filter(|t| !js::is_nullish(t))?,
        None => JsValue::from(event.clone()),
    };
    let x = js::number(&point, "clientX")?;
    let y = js::number(&point, "clientY")?;
    let (dx, dy) = frame_offset(engine, document);
    Some((js::pixels(Some(x + dx)), js::pixels(Some(y + dy))))
}

/// Where `document`'s viewport sits in the top window's viewport: (0, 0) for the top
/// document, the sum of the enclosing frames' content-box origins for a frame's.
fn frame_offset(engine: &Engine, document: &Document) -> (f64, f64) {
    let (mut x, mut y) = (0.0, 0.0);
    let mut view = js::get(document, "defaultView");
    // Frames nest a few levels at most; the bound only guards against a pathological page.
    for _ in 0..16 {
        let Some(current) = view.filter(|v| !js::is_nullish(v)) else {
            break;
        };
        if js_sys::Object::is(&current, &engine.window) {
            break;
        }
        let Some(frame) = js::get(&current, "frameElement").filter(|f| !js::is_nullish(f)) else {
            break;
        };
        let Ok(rect) = js::call(&frame, "getBoundingClientRect", &[]) else {
            break;
        };
        x += js::number(&rect, "left").unwrap_or(0.0)
            + js::number(&frame, "clientLeft").unwrap_or(0.0);
        y += js::number(&rect, "top").unwrap_or(0.0)
            + js::number(&frame, "clientTop").unwrap_or(0.0);
        view = js::get(&frame, "ownerDocument").and_then(|d| js::get(&d, "defaultView"));
    }
    (x, y)
}

/// One kind of movement (mouse or touch) for one document.
struct Sampler {
    engine: Weak<Engine>,
    touch: bool,
    interval: f64,
    last_sample: Cell<f64>,
    /// (x, y, when) of the open group.
    positions: RefCell<Vec<(i32, i32, f64)>>,
    close: Timer,
}

impl Sampler {
    fn new(engine: &Engine, touch: bool, interval_ms: u32) -> Rc<Sampler> {
        Rc::new_cyclic(|me: &Weak<Sampler>| {
            let me = me.clone();
            Sampler {
                engine: engine.weak(),
                touch,
                interval: f64::from(interval_ms),
                last_sample: Cell::new(f64::NEG_INFINITY),
                positions: RefCell::new(Vec::new()),
                close: Timer::new(&engine.window, move || {
                    if let Some(sampler) = me.upgrade() {
                        sampler.emit();
                    }
                }),
            }
        })
    }

    fn on_move(&self, engine: &Engine, document: &Document, event: &web_sys::Event) {
        let now = now_ms();
        if now - self.last_sample.get() < self.interval {
            return;
        }
        let Some((x, y)) = position(engine, document, event) else {
            return;
        };
        self.last_sample.set(now);
        let full = {
            let Ok(mut positions) = self.positions.try_borrow_mut() else {
                return;
            };
            positions.push((x, y, now));
            if positions.len() == 1 {
                self.close.arm(GROUP_MS);
            }
            positions.len() >= GROUP_SIZE
        };
        if full {
            self.emit();
        }
    }

    fn emit(&self) {
        self.close.cancel();
        let Ok(mut positions) = self.positions.try_borrow_mut() else {
            return;
        };
        let taken = std::mem::take(&mut *positions);
        drop(positions);
        let Some(engine) = self.engine.upgrade() else {
            return;
        };
        if taken.is_empty() {
            return;
        }
        let now = now_ms();
        let positions = taken
            .into_iter()
            .map(|(x, y, at)| PointerPosition {
                x,
                y,
                time_offset: (at - now).round().clamp(f64::from(i32::MIN), 0.0) as i32,
            })
            .collect();
        let moved = PointerMove { positions };
        engine.record(if self.touch {
            EventData::TouchMove(moved)
        } else {
            EventData::MouseMove(moved)
        });
    }
}
