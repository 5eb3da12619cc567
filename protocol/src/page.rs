//! Page- and session-level events: the page's identity, where it navigated, whether anyone
//! could see it, and the recorder's own markers.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

/// The page being recorded. Sent before each full snapshot, at the same timestamp, so a
/// viewer seeking to a keyframe also knows the URL and viewport to replay it in.
/// Wire layout: `[url, width, height, user_agent]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub url: String,
    /// Viewport size in CSS pixels.
    pub width: u32,
    pub height: u32,
    pub user_agent: String,
}

wire_enum! {
    /// How the URL changed.
    pub enum NavigationKind {
        /// A document load, including reloads.
        Load = 0 => "load",
        /// `history.pushState`.
        Push = 1 => "push",
        /// `history.replaceState`.
        Replace = 2 => "replace",
        /// `popstate`: back/forward within the same document.
        Pop = 3 => "pop",
        /// `hashchange` without a history API call.
        Hash = 4 => "hash",
    }
}

/// Wire layout: `[kind, url]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Navigation {
    pub kind: NavigationKind,
    /// The new URL, absolute.
    pub url: String,
}

/// Whether the tab is visible and the window focused, sent whenever either changes.
/// Wire layout: `[visible, focused]`.
///
/// State rather than edge events (focus/blur, visible/hidden) so that the latest one alone
/// answers "could the user see the page here?" when seeking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// `document.visibilityState == "visible"`.
    pub visible: bool,
    /// `document.hasFocus()`.
    pub focused: bool,
}

wire_enum! {
    pub enum MarkerKind {
        /// Recording stopped for a while; nothing between this and `Resumed` was captured.
        Paused = 0 => "paused",
        Resumed = 1 => "resumed",
        /// A recorder limit (session length, batch size, node count…) stopped or thinned
        /// capture; the reason says which.
        LimitReached = 2 => "limit_reached",
    }
}

/// The recorder's note that the recording has a gap or was cut short, so a reviewer knows
/// missing activity was not captured rather than not happening. Wire layout: `[kind, reason]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub kind: MarkerKind,
    /// Human-readable, e.g. `"tab hidden"` or `"max_session_minutes=60"`.
    pub reason: String,
}
