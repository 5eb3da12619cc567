//! One recorded event: what happened and when. The tag table here is the heart of the format.

use crate::app::{ConsoleMessage, Identify, JsError, Track};
use crate::incremental::{
    Input, MediaInteraction, MouseInteraction, PointerMove, Scroll, Selection, ViewportResize,
};
use crate::mutation::Mutation;
use crate::page::{Marker, Meta, Navigation, PageState};
use crate::snapshot::FullSnapshot;
use crate::stylesheet::{AdoptedStyleSheets, StyleSheetRule};
use crate::wire::{Tagged, element, tagged_enum, wire_enum};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

wire_enum! {
    /// The kind of an [`Event`], its first element on the wire.
    ///
    /// Tags are grouped, leaving room to grow each group: 0–15 page and session state,
    /// 16–47 incremental changes the replayer applies in order on top of the nearest
    /// keyframe, 48–63 application signals that never touch the DOM. All stay below 128, so
    /// a tag is always one byte. A tag is never renumbered or reused; adding one is a
    /// format change (see `docs/decisions/0002-wire-format.md`).
    pub enum EventKind {
        Meta = 0 => "meta",
        FullSnapshot = 1 => "full_snapshot",
        Navigation = 2 => "navigation",
        PageState = 3 => "page_state",
        Marker = 4 => "marker",
        Mutation = 16 => "mutation",
        MouseMove = 17 => "mouse_move",
        TouchMove = 18 => "touch_move",
        MouseInteraction = 19 => "mouse_interaction",
        Scroll = 20 => "scroll",
        ViewportResize = 21 => "viewport_resize",
        Input = 22 => "input",
        MediaInteraction = 23 => "media_interaction",
        StyleSheetRule = 24 => "style_sheet_rule",
        AdoptedStyleSheets = 25 => "adopted_style_sheets",
        Selection = 26 => "selection",
        Console = 48 => "console",
        Error = 49 => "error",
        Track = 50 => "track",
        Identify = 51 => "identify",
    }
}

impl EventKind {
    /// A full snapshot: replay can start here without any earlier event.
    pub const fn is_keyframe(self) -> bool {
        matches!(self, EventKind::FullSnapshot)
    }

    /// A change that must be applied, in order, after the nearest keyframe to reproduce the
    /// page at a later time.
    pub const fn is_incremental(self) -> bool {
        matches!(self.tag(), 16..=47)
    }
}

tagged_enum! {
    /// An event's payload; the variant is the [`EventKind`].
    pub enum EventData: EventKind {
        Meta(Meta),
        FullSnapshot(FullSnapshot),
        Navigation(Navigation),
        PageState(PageState),
        Marker(Marker),
        Mutation(Mutation),
        MouseMove(PointerMove),
        TouchMove(PointerMove),
        MouseInteraction(MouseInteraction),
        Scroll(Scroll),
        ViewportResize(ViewportResize),
        Input(Input),
        MediaInteraction(MediaInteraction),
        StyleSheetRule(StyleSheetRule),
        AdoptedStyleSheets(AdoptedStyleSheets),
        Selection(Selection),
        Console(ConsoleMessage),
        Error(JsError),
        Track(Track),
        Identify(Identify),
    }
}

/// A recorded event. Wire layout: `[kind, timestamp, payload]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened, in Unix milliseconds (absolute, not relative to the batch), so any
    /// event can be placed on the timeline without the events before it.
    pub timestamp: i64,
    pub data: EventData,
}

impl Event {
    pub const fn new(timestamp: i64, data: EventData) -> Self {
        Event { timestamp, data }
    }

    pub const fn kind(&self) -> EventKind {
        self.data.kind()
    }

    /// See [`EventKind::is_keyframe`].
    pub const fn is_keyframe(&self) -> bool {
        self.kind().is_keyframe()
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(3)?;
        tuple.serialize_element(&self.data.tag())?;
        tuple.serialize_element(&self.timestamp)?;
        self.data.serialize_payload(&mut tuple)?;
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_tuple(3, EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event array [kind, timestamp, payload]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Event, A::Error> {
        let tag: u8 = element(&mut seq, "event kind")?;
        let timestamp = element(&mut seq, "event timestamp")?;
        let data = EventData::deserialize_payload(tag, &mut seq)?;
        Ok(Event { timestamp, data })
    }
}
