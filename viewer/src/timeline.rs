//! A session's events laid out for playback: one ordered list, the keyframes a
//! seek can start from, the markers and idle stretches the timeline shows, and
//! which batch each moment came from (so the audit panel can follow playback).
//!
//! Pure: built from decoded batches, tested natively. The DOM side ([`crate::dom`])
//! only ever asks "what do I apply to get from here to there" ([`Timeline::plan`]).

use std::ops::Range;

use protocol::{Batch, Event, EventData, EventKind, InteractionKind, MarkerKind};

/// Stretches without user activity longer than this are "inactive": playback can
/// skip them. Five seconds is long enough that reading a page is not skipped and
/// short enough that a coffee break is.
pub const INACTIVITY_MS: i64 = 5_000;
/// Skipping leaves this much of an idle stretch on each side, so the viewer sees
/// the page settle before and the activity start after.
pub const INACTIVITY_MARGIN_MS: i64 = 1_000;
/// No event at all for this long is a gap in the recording (a closed tab, a
/// sleeping laptop), marked on the timeline.
pub const GAP_MS: i64 = 60_000;

/// One event at its place on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Effective time in Unix ms: the recorded timestamp, but never earlier than
    /// the event before it (clocks can step back; playback cannot).
    pub at_ms: i64,
    /// The batch the event arrived in.
    pub batch_seq: u64,
    pub event: Event,
}

/// A batch's share of the timeline, for mapping a moment to its audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSpan {
    pub batch_seq: u64,
    /// Index of its first event in [`Timeline::events`]; its events are contiguous.
    pub first_event: usize,
    pub event_count: usize,
    /// Effective times of its first and last events (equal for a one-event batch;
    /// `None` for an empty batch).
    pub span_ms: Option<(i64, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickKind {
    Click,
    Navigation,
    Error,
    Custom,
    Paused,
    Resumed,
    LimitReached,
    Gap,
}

impl TickKind {
    /// Stable lowercase name (CSS class and test hook).
    pub fn name(self) -> &'static str {
        match self {
            TickKind::Click => "click",
            TickKind::Navigation => "navigation",
            TickKind::Error => "error",
            TickKind::Custom => "custom",
            TickKind::Paused => "paused",
            TickKind::Resumed => "resumed",
            TickKind::LimitReached => "limit",
            TickKind::Gap => "gap",
        }
    }
}

/// Something worth a tick on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineMarker {
    pub kind: TickKind,
    pub at_ms: i64,
    /// The event it stands for (for gaps: the first event after the gap).
    pub event: usize,
    pub label: String,
}

/// What to do to show the page as it was after event `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeekPlan {
    /// Rebuild the DOM from this full snapshot first (`None`: continue from the
    /// current state).
    pub rebuild_from: Option<usize>,
    /// Then apply these events in order.
    pub apply: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub events: Vec<Placed>,
    pub batches: Vec<BatchSpan>,
    keyframes: Vec<usize>,
    pub markers: Vec<TimelineMarker>,
    /// Idle stretches that "skip inactivity" jumps over, as (from, to) in ms.
    pub inactive: Vec<(i64, i64)>,
    /// Every URL change (meta or navigation) as (event index, URL).
    urls: Vec<(usize, String)>,
    /// Every page state change as (event index, visible, focused).
    page_states: Vec<(usize, bool, bool)>,
}

impl Timeline {
    /// Lays out `batches`, which must be in seq order (the chain guarantees it).
    pub fn new(batches: Vec<Batch>) -> Timeline {
        let mut timeline = Timeline::default();
        let mut clock = i64::MIN;
        for batch in batches {
            let first_event = timeline.events.len();
            let event_count = batch.events.len();
            for event in batch.events {
                clock = clock.max(event.timestamp);
                if event.is_keyframe() {
                    timeline.keyframes.push(timeline.events.len());
                }
                timeline.events.push(Placed {
                    at_ms: clock,
                    batch_seq: batch.seq,
                    event,
                });
            }
            let span_ms = (event_count > 0).then(|| {
                (
                    timeline.events[first_event].at_ms,
                    timeline.events[first_event + event_count - 1].at_ms,
                )
            });
            timeline.batches.push(BatchSpan {
                batch_seq: batch.seq,
                first_event,
                event_count,
                span_ms,
            });
        }
        for (index, placed) in timeline.events.iter().enumerate() {
            match &placed.event.data {
                EventData::Meta(meta) => timeline.urls.push((index, meta.url.clone())),
                EventData::Navigation(nav) => timeline.urls.push((index, nav.url.clone())),
                EventData::PageState(state) => {
                    timeline
                        .page_states
                        .push((index, state.visible, state.focused))
                }
                _ => {}
            }
        }
        timeline.markers = markers(&timeline.events);
        timeline.inactive = inactive_stretches(&timeline.events);
        timeline
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// First and last effective times; `(0, 0)` for an empty session.
    pub fn bounds(&self) -> (i64, i64) {
        match (self.events.first(), self.events.last()) {
            (Some(first), Some(last)) => (first.at_ms, last.at_ms),
            _ => (0, 0),
        }
    }

    pub fn duration_ms(&self) -> i64 {
        let (start, end) = self.bounds();
        end - start
    }

    /// Indices of the full snapshots.
    pub fn keyframes(&self) -> &[usize] {
        &self.keyframes
    }

    /// The last event at or before `at_ms`; `None` before the first event.
    pub fn index_at(&self, at_ms: i64) -> Option<usize> {
        let after = self.events.partition_point(|e| e.at_ms <= at_ms);
        after.checked_sub(1)
    }

    /// How to get from `current` (the last event applied, `None` for a blank
    /// replay) to the state right after `target`.
    ///
    /// Continues forward when no keyframe lies in between (cheapest); otherwise
    /// rebuilds from the last keyframe at or before `target`, which bounds a
    /// seek's work by the keyframe interval, not by the session's length. A target
    /// before the first keyframe has no page to show: an empty plan.
    pub fn plan(&self, current: Option<usize>, target: usize) -> SeekPlan {
        let target = target.min(self.events.len().saturating_sub(1));
        let keyframe = self.keyframe_at_or_before(target);
        let Some(keyframe) = keyframe else {
            return SeekPlan {
                rebuild_from: None,
                apply: 0..0,
            };
        };
        if let Some(current) = current
            && current <= target
            && current >= keyframe
        {
            return SeekPlan {
                rebuild_from: None,
                apply: current + 1..target + 1,
            };
        }
        SeekPlan {
            rebuild_from: Some(keyframe),
            apply: keyframe + 1..target + 1,
        }
    }

    fn keyframe_at_or_before(&self, index: usize) -> Option<usize> {
        let after = self.keyframes.partition_point(|k| *k <= index);
        after.checked_sub(1).map(|i| self.keyframes[i])
    }

    /// Where "skip inactivity" continues from `at_ms`: the end of the idle
    /// stretch it is in, or `at_ms` itself.
    pub fn skip_inactive(&self, at_ms: i64) -> i64 {
        self.inactive
            .iter()
            .find(|(from, to)| *from <= at_ms && at_ms < *to)
            .map_or(at_ms, |(_, to)| *to)
    }

    /// The batch whose events cover the moment after event `index`.
    pub fn batch_of(&self, index: usize) -> Option<u64> {
        self.events.get(index).map(|e| e.batch_seq)
    }

    /// The page's URL after event `index`.
    pub fn url_at(&self, index: usize) -> Option<&str> {
        let after = self.urls.partition_point(|(i, _)| *i <= index);
        after.checked_sub(1).map(|i| self.urls[i].1.as_str())
    }

    /// Whether the page was visible and focused after event `index` (assumed
    /// both until the recording says otherwise).
    pub fn page_state_at(&self, index: usize) -> (bool, bool) {
        let after = self.page_states.partition_point(|(i, _, _)| *i <= index);
        after.checked_sub(1).map_or((true, true), |i| {
            (self.page_states[i].1, self.page_states[i].2)
        })
    }

    /// The index of the first `track` event named `name` (test hooks and deep links).
    pub fn find_track(&self, name: &str) -> Option<usize> {
        self.events
            .iter()
            .position(|e| matches!(&e.event.data, EventData::Track(t) if t.name == name))
    }
}

/// Events that show a person using the page (mutations alone do not: a busy
/// dashboard mutates with nobody watching).
fn is_activity(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::MouseMove
            | EventKind::TouchMove
            | EventKind::MouseInteraction
            | EventKind::Scroll
            | EventKind::ViewportResize
            | EventKind::Input
            | EventKind::MediaInteraction
            | EventKind::Selection
            | EventKind::Navigation
            | EventKind::FullSnapshot
    )
}

fn inactive_stretches(events: &[Placed]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut last_activity: Option<i64> = None;
    let end = events.last().map(|e| e.at_ms);
    for placed in events {
        if !is_activity(placed.event.kind()) {
            continue;
        }
        if let Some(last) = last_activity
            && placed.at_ms - last > INACTIVITY_MS
        {
            out.push((
                last + INACTIVITY_MARGIN_MS,
                placed.at_ms - INACTIVITY_MARGIN_MS,
            ));
        }
        last_activity = Some(placed.at_ms);
    }
    // Idle to the end: skip to the end.
    if let (Some(last), Some(end)) = (last_activity, end)
        && end - last > INACTIVITY_MS
    {
        out.push((last + INACTIVITY_MARGIN_MS, end));
    }
    out
}

fn markers(events: &[Placed]) -> Vec<TimelineMarker> {
    let mut out = Vec::new();
    let mut previous: Option<i64> = None;
    for (index, placed) in events.iter().enumerate() {
        if let Some(prev) = previous
            && placed.at_ms - prev >= GAP_MS
        {
            out.push(TimelineMarker {
                kind: TickKind::Gap,
                at_ms: placed.at_ms,
                event: index,
                label: format!("nothing recorded for {} s", (placed.at_ms - prev) / 1000),
            });
        }
        previous = Some(placed.at_ms);
        let marker = match &placed.event.data {
            EventData::MouseInteraction(m) if m.kind == InteractionKind::Click => {
                Some((TickKind::Click, "click".to_owned()))
            }
            EventData::Navigation(n) => Some((TickKind::Navigation, n.url.clone())),
            EventData::Error(e) => Some((TickKind::Error, e.message.clone())),
            EventData::Track(t) => Some((TickKind::Custom, t.name.clone())),
            EventData::Marker(m) => Some((
                match m.kind {
                    MarkerKind::Paused => TickKind::Paused,
                    MarkerKind::Resumed => TickKind::Resumed,
                    MarkerKind::LimitReached => TickKind::LimitReached,
                },
                m.reason.clone(),
            )),
            _ => None,
        };
        if let Some((kind, label)) = marker {
            out.push(TimelineMarker {
                kind,
                at_ms: placed.at_ms,
                event: index,
                label,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
