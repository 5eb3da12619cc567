//! What the player draws over the replayed page: the pointer, click ripples and
//! the focus ring, in the recorded page's own pixels, and the scaling that fits
//! the recorded viewport into the space the player has.

use web_sys::Element;

use crate::ui::el::El;

/// How long a click ripple stays, in ms (matches the CSS animation).
const RIPPLE_MS: f64 = 600.0;
/// At most this many ripples at once (a burst of clicks at 16× speed).
const MAX_RIPPLES: usize = 12;

#[derive(Debug)]
pub struct Overlay {
    stage: Element,
    viewport: Element,
    frame: Element,
    cursor: Element,
    focus_ring: Element,
    ripples: Vec<(Element, Option<f64>)>,
    size: (u32, u32),
}

impl Overlay {
    /// Builds the overlay inside `viewport` (which holds `frame`) within `stage`.
    pub fn new(stage: Element, viewport: Element, frame: Element) -> Overlay {
        let cursor = El::new("div")
            .class("cursor hidden")
            .attr("id", "replay-cursor")
            .0;
        let focus_ring = El::new("div").class("focus-ring hidden").0;
        let _ = viewport.append_child(&focus_ring);
        let _ = viewport.append_child(&cursor);
        Overlay {
            stage,
            viewport,
            frame,
            cursor,
            focus_ring,
            ripples: Vec::new(),
            size: (1024, 768),
        }
    }

    /// The recorded viewport changed size.
    pub fn resize(&mut self, width: u32, height: u32) {
        if (width, height) == self.size || width == 0 || height == 0 {
            return;
        }
        self.size = (width, height);
        self.fit();
    }

    /// Scales the recorded viewport to fit the stage, keeping its proportions.
    pub fn fit(&self) {
        let (width, height) = self.size;
        let _ = self.frame.set_attribute("width", &width.to_string());
        let _ = self.frame.set_attribute("height", &height.to_string());
        let available_w = f64::from(self.stage.client_width()).max(1.0);
        let available_h = f64::from(self.stage.client_height()).max(1.0);
        let scale = (available_w / f64::from(width)).min(available_h / f64::from(height));
        let left = ((available_w - f64::from(width) * scale) / 2.0).max(0.0);
        let _ = self.viewport.set_attribute(
            "style",
            &format!(
                "width:{width}px;height:{height}px;transform:translate({left:.1}px,0) scale({scale:.4})"
            ),
        );
    }

    pub fn cursor(&self, x: i32, y: i32) {
        let _ = self
            .cursor
            .set_attribute("style", &format!("transform:translate({x}px,{y}px)"));
        let _ = self.cursor.class_list().remove_1("hidden");
    }

    pub fn ripple(&mut self, x: i32, y: i32) {
        if self.ripples.len() >= MAX_RIPPLES {
            let (oldest, _) = self.ripples.remove(0);
            oldest.remove();
        }
        let ripple = El::new("div")
            .class("ripple")
            .attr("style", &format!("left:{x}px;top:{y}px"))
            .0;
        let _ = self.viewport.append_child(&ripple);
        self.ripples.push((ripple, None));
    }

    pub fn focus(&self, rect: Option<(f64, f64, f64, f64)>) {
        match rect {
            Some((x, y, w, h)) => {
                let _ = self.focus_ring.set_attribute(
                    "style",
                    &format!("left:{x:.0}px;top:{y:.0}px;width:{w:.0}px;height:{h:.0}px"),
                );
                let _ = self.focus_ring.class_list().remove_1("hidden");
            }
            None => {
                let _ = self.focus_ring.class_list().add_1("hidden");
            }
        }
    }

    /// Removes ripples that have finished (called every animation frame).
    pub fn fade(&mut self, now: f64) {
        for (_, born) in &mut self.ripples {
            born.get_or_insert(now);
        }
        self.ripples.retain(|(ripple, born)| {
            let alive = born.is_none_or(|b| now - b < RIPPLE_MS);
            if !alive {
                ripple.remove();
            }
            alive
        });
    }

    /// Forgets pointer state (a rebuild starts from a page without a pointer).
    pub fn reset(&mut self) {
        for (ripple, _) in self.ripples.drain(..) {
            ripple.remove();
        }
        let _ = self.cursor.class_list().add_1("hidden");
        self.focus(None);
    }
}
