//! `<audio>` and `<video>` playback: play, pause, seek and volume changes as
//! [`MediaInteraction`]s carrying the element's whole state, so a replay can seek without
//! replaying history. Media events do not bubble; the document listener captures them on
//! their way down (media inside shadow roots is not seen, as for scrolls).

use protocol::{EventData, MediaInteraction, MediaKind};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::js;
use crate::recorder::Engine;

const EVENTS: [(&str, MediaKind); 4] = [
    ("play", MediaKind::Play),
    ("pause", MediaKind::Pause),
    ("seeked", MediaKind::Seek),
    ("volumechange", MediaKind::Volume),
];

pub(super) fn install(engine: &Engine, document: &Document) {
    for (event, kind) in EVENTS {
        engine.listen(document, event, true, move |engine, event| {
            let Some(node) = js::event_node(&event).filter(js::is_element) else {
                return;
            };
            let element: Element = node.unchecked_into();
            if !matches!(element.local_name().as_str(), "audio" | "video") {
                return;
            }
            let Some(target) = engine.node_id(&element) else {
                return;
            };
            engine.record(EventData::MediaInteraction(MediaInteraction {
                target,
                kind,
                current_time: js::number(&element, "currentTime").unwrap_or(0.0).max(0.0),
                volume: js::number(&element, "volume")
                    .unwrap_or(1.0)
                    .clamp(0.0, 1.0),
                muted: js::boolean(&element, "muted").unwrap_or(false),
            }));
        });
    }
}
