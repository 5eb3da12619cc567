//! Pointer, scroll, viewport, input, media and selection changes the replayer applies in order.
//!
//! Coordinates are whole CSS pixels: sub-pixel positions are invisible in a replay, and an
//! integer is 1–3 bytes on the wire where a float is always 9.

use crate::snapshot::NodeId;
use crate::wire::{impl_tagged_serde, tagged_enum, wire_enum};
use serde::{Deserialize, Serialize};

/// Sampled pointer positions (mouse or touch). Wire layout: `[positions]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointerMove {
    pub positions: Vec<PointerPosition>,
}

/// Wire layout: `[x, y, time_offset]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointerPosition {
    /// Viewport coordinates.
    pub x: i32,
    pub y: i32,
    /// Milliseconds from the event's timestamp to this sample; usually negative, because the
    /// recorder emits the event at the end of the sampling window.
    pub time_offset: i32,
}

wire_enum! {
    /// What happened in a [`MouseInteraction`]. Tags follow rrweb's `MouseInteractions`;
    /// 8 (rrweb's `TouchMove_Departed`) is left unused, as touch moves are [`PointerMove`]s.
    pub enum InteractionKind {
        MouseUp = 0 => "mouse_up",
        MouseDown = 1 => "mouse_down",
        Click = 2 => "click",
        ContextMenu = 3 => "context_menu",
        DoubleClick = 4 => "double_click",
        Focus = 5 => "focus",
        Blur = 6 => "blur",
        TouchStart = 7 => "touch_start",
        TouchEnd = 9 => "touch_end",
        TouchCancel = 10 => "touch_cancel",
    }
}

/// Wire layout: `[kind, target, x, y]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MouseInteraction {
    pub kind: InteractionKind,
    pub target: NodeId,
    /// Viewport coordinates; 0 for focus and blur, which have none.
    pub x: i32,
    pub y: i32,
}

/// Wire layout: `[target, x, y]`. The target is the document node for page scrolls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scroll {
    pub target: NodeId,
    pub x: i32,
    pub y: i32,
}

/// The layout viewport's new size in CSS pixels. Wire layout: `[width, height]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewportResize {
    pub width: u32,
    pub height: u32,
}

/// A form control's new state. Wire layout: `[target, value]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub target: NodeId,
    pub value: InputValue,
}

wire_enum! {
    pub enum InputValueKind {
        Text = 0 => "text",
        Checked = 1 => "checked",
        Selected = 2 => "selected",
    }
}

tagged_enum! {
    /// Wire layout: `[kind, payload]`.
    pub enum InputValue: InputValueKind {
        /// `input`/`textarea` value, already masked by the recorder unless the page opted out.
        Text(String),
        /// Checkbox or radio state.
        Checked(bool),
        /// A `select`'s selected option indices (`option.index`), ascending.
        Selected(Vec<u32>),
    }
}
impl_tagged_serde!(InputValue);

wire_enum! {
    pub enum MediaKind {
        Play = 0 => "play",
        Pause = 1 => "pause",
        Seek = 2 => "seek",
        Volume = 3 => "volume",
    }
}

/// An `audio`/`video` element's state after a change.
/// Wire layout: `[target, kind, current_time, volume, muted]`.
///
/// The full state is sent with every kind so the replayer can seek without replaying
/// history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaInteraction {
    pub target: NodeId,
    pub kind: MediaKind,
    /// `currentTime`, in seconds.
    pub current_time: f64,
    /// `volume`, 0.0 to 1.0.
    pub volume: f64,
    pub muted: bool,
}

/// The document selection. Wire layout: `[range]`, with `nil` when nothing is selected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    pub range: Option<SelectionRange>,
}

/// Wire layout: `[anchor, anchor_offset, focus, focus_offset]`; offsets as in the DOM
/// `Selection` API (characters in text nodes, child indices in elements).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionRange {
    pub anchor: NodeId,
    pub anchor_offset: u32,
    pub focus: NodeId,
    pub focus_offset: u32,
}
