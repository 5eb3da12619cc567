//! A full snapshot (keyframe): the page's identity, the whole DOM, and where everything is
//! scrolled — everything a replay needs to start from this moment.

use protocol::{EventData, FullSnapshot, Meta, Scroll};
use web_sys::{Document, Window};

use super::ids::NodeIds;
use super::page_privacy::PagePrivacy;
use super::serialize::{Discovered, Serializer};

pub(crate) struct Snapshot {
    pub(crate) events: Vec<EventData>,
    pub(crate) found: Discovered,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("events", &self.events.len())
            .finish()
    }
}

pub(crate) fn take(
    window: &Window,
    document: &Document,
    ids: &mut NodeIds,
    privacy: &PagePrivacy,
) -> Option<Snapshot> {
    let mut serializer = Serializer::new(ids, privacy);
    let root = serializer.node(document, privacy.options.mask_all_text, 0)?;
    let found = std::mem::take(&mut serializer.found);
    let dimension = |value: Result<wasm_bindgen::JsValue, _>| {
        value.ok().and_then(|v| v.as_f64()).unwrap_or(0.0).max(0.0) as u32
    };
    let url = privacy.url(&document.url().unwrap_or_default());
    let mut events = vec![
        EventData::Meta(Meta {
            url,
            width: dimension(window.inner_width()),
            height: dimension(window.inner_height()),
            user_agent: window.navigator().user_agent().unwrap_or_default(),
        }),
        EventData::FullSnapshot(FullSnapshot {
            root,
            scroll_x: window.scroll_x().unwrap_or(0.0).round() as i32,
            scroll_y: window.scroll_y().unwrap_or(0.0).round() as i32,
        }),
    ];
    for (target, x, y) in &found.scrolled {
        events.push(EventData::Scroll(Scroll {
            target: *target,
            x: *x,
            y: *y,
        }));
    }
    Some(Snapshot { events, found })
}
