//! The document selection, throttled to one record per 250 ms with a trailing record, and
//! only when it differs from the last one offered (a moving caret is a stream of identical
//! "nothing selected" changes).
//!
//! Decision on masked text: an endpoint inside a text node whose text is masked is not
//! recorded; the selection is sent as `None`. Its offset counts characters of text the
//! replay does not have (a mask hides the length too), so it could not be applied, and
//! it would tell how long the hidden words are. Endpoints on elements (child offsets) are
//! fine anywhere. An endpoint the replay does not know (inside a blocked element) also
//! gives `None`, so a stale highlight never lingers. In a frame, the frame's own selection
//! is recorded the same way; its nodes' ids say which document it is in.

use std::cell::RefCell;

use protocol::{EventData, Selection, SelectionRange};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Node};

use super::js;
use super::timer::Throttled;
use crate::dom::{NodeIds, PagePrivacy};
use crate::recorder::Engine;

const INTERVAL_MS: u32 = 250;

fn to_selection(_: u8, range: Option<SelectionRange>) -> EventData {
    EventData::Selection(Selection { range })
}

pub(super) fn install(engine: &Engine, document: &Document) {
    let throttled = Throttled::new(engine, INTERVAL_MS, to_selection);
    let last: RefCell<Option<Option<SelectionRange>>> = RefCell::new(None);
    let source = document.clone();
    engine.listen(document, "selectionchange", false, move |engine, _| {
        let Some(range) = read(engine, &source) else {
            return;
        };
        let Ok(mut last) = last.try_borrow_mut() else {
            return;
        };
        if last.as_ref() == Some(&range) {
            return;
        }
        *last = Some(range.clone());
        drop(last);
        throttled.offer(engine, 0, range);
    });
}

/// The selection as it may be recorded; `None` when it cannot be read now.
fn read(engine: &Engine, document: &Document) -> Option<Option<SelectionRange>> {
    let selection = js::call(document, "getSelection", &[]).ok()?;
    if js::is_nullish(&selection)
        || js::number(&selection, "rangeCount").unwrap_or(0.0) < 1.0
        || js::boolean(&selection, "isCollapsed").unwrap_or(true)
    {
        return Some(None);
    }
    let anchor = js::get(&selection, "anchorNode")?;
    let focus = js::get(&selection, "focusNode")?;
    let offset = |key: &str| js::number(&selection, key).unwrap_or(0.0).max(0.0) as u32;
    let (anchor_offset, focus_offset) = (offset("anchorOffset"), offset("focusOffset"));
    engine.with_core(|core| {
        let anchor = endpoint(&core.ids, &core.privacy, &anchor)?;
        let focus = endpoint(&core.ids, &core.privacy, &focus)?;
        Some(SelectionRange {
            anchor,
            anchor_offset,
            focus,
            focus_offset,
        })
    })
}

/// The endpoint's id, unless the replay cannot place an offset there.
fn endpoint(ids: &NodeIds, privacy: &PagePrivacy, node: &JsValue) -> Option<protocol::NodeId> {
    if js::is_nullish(node) {
        return None;
    }
    let id = ids.get(node)?;
    let node: &Node = node.unchecked_ref();
    let text = matches!(node.node_type(), Node::TEXT_NODE | Node::CDATA_SECTION_NODE);
    if text && container(node).is_some_and(|parent| privacy.masks_text_below(&parent)) {
        return None;
    }
    Some(id)
}

/// The element whose masking covers a text node: its parent, or the host when the text
/// sits directly in a shadow root.
fn container(node: &Node) -> Option<web_sys::Element> {
    let parent = node.parent_node()?;
    match parent.node_type() {
        Node::ELEMENT_NODE => Some(parent.unchecked_into()),
        Node::DOCUMENT_FRAGMENT_NODE => js::get(&parent, "host")
            .filter(|host| !js::is_nullish(host))
            .map(JsCast::unchecked_into),
        _ => None,
    }
}
