//! Playback: where in the session we are, what has been applied to the replay,
//! and the clock that moves it forward.

use protocol::{EventData, InteractionKind};
use web_sys::Element;

use super::overlay::Overlay;
use super::view::PlayerView;
use crate::dom::Replay;
use crate::timeline::Timeline;

/// Playback speeds offered, slowest first.
pub const SPEEDS: [f64; 5] = [1.0, 2.0, 4.0, 8.0, 16.0];

pub struct Engine {
    pub timeline: Timeline,
    replay: Replay,
    overlay: Overlay,
    pub view: PlayerView,
    /// The last event applied to the replay (`None`: nothing shown yet).
    applied: Option<usize>,
    /// The playback position, absolute Unix ms.
    position: i64,
    pub playing: bool,
    pub speed: f64,
    pub skip_inactive: bool,
    /// `performance.now()` at the previous animation frame while playing.
    last_frame: Option<f64>,
    /// Called with the batch seq of the moment shown, when it changes.
    highlighted: Option<u64>,
    on_batch: Box<dyn FnMut(Option<u64>)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("applied", &self.applied)
            .field("position", &self.position)
            .field("playing", &self.playing)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(
        timeline: Timeline,
        frame: web_sys::HtmlIFrameElement,
        overlay: Overlay,
        view: PlayerView,
        on_batch: Box<dyn FnMut(Option<u64>)>,
    ) -> Engine {
        let (start, _) = timeline.bounds();
        Engine {
            timeline,
            replay: Replay::new(frame),
            overlay,
            view,
            applied: None,
            position: start,
            playing: false,
            speed: 1.0,
            skip_inactive: true,
            last_frame: None,
            highlighted: None,
            on_batch,
        }
    }

    pub fn applied(&self) -> Option<usize> {
        self.applied
    }

    /// Playback position relative to the session start.
    pub fn offset_ms(&self) -> i64 {
        self.position - self.timeline.bounds().0
    }

    pub fn warnings(&self) -> (&[String], usize) {
        self.replay.warnings()
    }

    pub fn replayed_nodes(&self) -> usize {
        self.replay.node_count()
    }

    /// Shows the page as it was right after event `target`.
    pub fn seek_to_event(&mut self, target: usize) {
        if self.timeline.is_empty() {
            return;
        }
        let target = target.min(self.timeline.events.len() - 1);
        self.go_to(target, false);
        self.position = self.timeline.events[target].at_ms;
        self.refresh();
    }

    /// Shows the page as it was at `offset_ms` after the session start.
    pub fn seek_to_offset(&mut self, offset_ms: i64) {
        let (start, end) = self.timeline.bounds();
        let at = (start + offset_ms.max(0)).min(end);
        let target = self
            .timeline
            .index_at(at)
            .or_else(|| self.timeline.keyframes().first().copied());
        if let Some(target) = target {
            self.go_to(target, false);
        }
        self.position = at;
        self.refresh();
    }

    pub fn play(&mut self) {
        let (_, end) = self.timeline.bounds();
        if self.position >= end {
            self.seek_to_offset(0);
        }
        self.playing = true;
        self.last_frame = None;
        self.refresh();
    }

    pub fn pause(&mut self) {
        self.playing = false;
        self.last_frame = None;
        self.refresh();
    }

    /// One animation frame: advances the clock and applies what it passed.
    /// Returns whether playback continues.
    pub fn frame(&mut self, now: f64) -> bool {
        if !self.playing {
            return false;
        }
        let elapsed = self.last_frame.map_or(0.0, |last| (now - last).max(0.0));
        self.last_frame = Some(now);
        let (_, end) = self.timeline.bounds();
        let mut position = self.position + (elapsed * self.speed) as i64;
        if self.skip_inactive {
            position = self.timeline.skip_inactive(position);
        }
        self.position = position.min(end);
        if let Some(target) = self.timeline.index_at(self.position)
            && self.applied.is_none_or(|a| target > a)
        {
            // Live only when the step is small: a jump (skipped idle time) is a seek.
            let live = self.applied.is_some_and(|a| target - a < 200);
            self.go_to(target, live);
        }
        if self.position >= end {
            self.playing = false;
        }
        self.overlay.fade(now);
        self.refresh();
        self.playing
    }

    fn go_to(&mut self, target: usize, live: bool) {
        let plan = self.timeline.plan(self.applied, target);
        if let Some(keyframe) = plan.rebuild_from {
            self.overlay.reset();
            if let Some(url) = self.timeline.url_at(keyframe) {
                self.view.set_url(url);
            }
            // The meta sent with every keyframe sizes the frame before it is filled.
            if let Some(meta) =
                keyframe
                    .checked_sub(1)
                    .and_then(|i| match &self.timeline.events[i].event.data {
                        EventData::Meta(meta) => Some((meta.width, meta.height)),
                        _ => None,
                    })
            {
                self.overlay.resize(meta.0, meta.1);
            }
            if let EventData::FullSnapshot(snapshot) = &self.timeline.events[keyframe].event.data {
                self.replay.rebuild(snapshot);
            }
        }
        if plan.rebuild_from.is_none() && plan.apply.is_empty() {
            return;
        }
        for index in plan.apply.clone() {
            self.apply(index, live);
        }
        self.applied = Some(target);
        let (visible, focused) = self.timeline.page_state_at(target);
        self.view.set_page_state(visible, focused);
        let batch = self.timeline.batch_of(target);
        if batch != self.highlighted {
            self.highlighted = batch;
            (self.on_batch)(batch);
        }
    }

    fn apply(&mut self, index: usize, live: bool) {
        let data = &self.timeline.events[index].event.data;
        match data {
            EventData::Meta(meta) => {
                self.overlay.resize(meta.width, meta.height);
                self.view.set_url(&meta.url);
            }
            EventData::ViewportResize(size) => self.overlay.resize(size.width, size.height),
            EventData::Navigation(nav) => self.view.set_url(&nav.url),
            EventData::MouseMove(moves) | EventData::TouchMove(moves) => {
                if let Some(last) = moves.positions.last() {
                    self.overlay.cursor(last.x, last.y);
                }
            }
            EventData::MouseInteraction(interaction) => match interaction.kind {
                InteractionKind::Click
                | InteractionKind::DoubleClick
                | InteractionKind::TouchStart => {
                    self.overlay.cursor(interaction.x, interaction.y);
                    if live {
                        self.overlay.ripple(interaction.x, interaction.y);
                    }
                }
                InteractionKind::Focus => {
                    let rect = self.replay.rect_of(interaction.target.0);
                    self.overlay.focus(rect);
                }
                InteractionKind::Blur => self.overlay.focus(None),
                _ => {}
            },
            other => self.replay.apply(other),
        }
    }

    /// Fits the replayed viewport into the space the player has.
    pub fn fit(&self) {
        self.overlay.fit();
    }

    /// Redraws the controls for the current position.
    pub fn refresh(&self) {
        let (start, end) = self.timeline.bounds();
        self.view
            .set_position(self.position - start, end - start, self.playing, self.speed);
    }

    /// The audit row for the batch being shown, if any (for the hook's state).
    pub fn highlighted_batch(&self) -> Option<u64> {
        self.highlighted
    }
}

/// Marks `row` as the entry proving the moment shown, and only it.
pub fn highlight(rows: &[(u64, Element)], batch: Option<u64>) {
    for (seq, row) in rows {
        let on = Some(*seq) == batch;
        let _ = row.class_list().toggle_with_force("current", on);
        if on {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            row.scroll_into_view_with_scroll_into_view_options(&options);
        }
    }
}
