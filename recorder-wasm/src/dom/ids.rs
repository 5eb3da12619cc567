//! Stable node ids: an integer per DOM node, assigned when the recorder first sees the node.
//!
//! The map lives in a JavaScript `WeakMap` keyed by the node, not in Rust: a node that
//! leaves the document and is dropped by the page takes its entry with it, so a page that
//! adds and removes nodes for hours keeps the recorder's memory flat without any sweep.
//! The numbering rules are [`crate::id_allocator`]'s.

use js_sys::WeakMap;
use protocol::NodeId;

use crate::id_allocator::IdAllocator;
use wasm_bindgen::JsValue;

#[derive(Debug)]
pub(crate) struct NodeIds {
    map: WeakMap,
    next: IdAllocator,
    /// Frame element → the id of the document last recorded as its child, so a document
    /// the frame loads later can replace it in the replay.
    frames: WeakMap,
}

impl NodeIds {
    pub(crate) fn new() -> Self {
        NodeIds {
            map: WeakMap::new(),
            next: IdAllocator::new(),
            frames: WeakMap::new(),
        }
    }

    /// Notes that `document` (with id `id`) was recorded as the content of `frame`.
    pub(crate) fn set_frame_document(&mut self, frame: &JsValue, id: NodeId) {
        self.frames
            .set(frame.unchecked_object(), &JsValue::from(id.0));
    }

    /// The id of the document last recorded as `frame`'s content.
    pub(crate) fn frame_document(&self, frame: &JsValue) -> Option<NodeId> {
        self.frames
            .get(frame.unchecked_object())
            .as_f64()
            .map(|id| NodeId(id as u32))
    }

    pub(crate) fn get(&self, node: &JsValue) -> Option<NodeId> {
        let value = self.map.get(node.unchecked_object());
        value.as_f64().map(|id| NodeId(id as u32))
    }

    pub(crate) fn get_or_assign(&mut self, node: &JsValue) -> NodeId {
        if let Some(id) = self.get(node) {
            return id;
        }
        let id = self.allocate();
        self.set(node, id);
        id
    }

    /// An id for a node the page does not have: the text child that carries the rules of
    /// a `<style>` filled only through the CSSOM.
    /// After four billion nodes in one page's life (not a real page) every further node
    /// shares the last id; the allocator itself never wraps onto live ids.
    pub(crate) fn allocate(&mut self) -> NodeId {
        self.next.allocate().unwrap_or(NodeId(u32::MAX))
    }

    /// Gives `node` an existing id: a text node that replaced another keeps its id, so a
    /// `textContent =` assignment replays as a text change instead of remove + add.
    pub(crate) fn set(&mut self, node: &JsValue, id: NodeId) {
        self.map.set(node.unchecked_object(), &JsValue::from(id.0));
    }

    /// Ids at or above this were assigned after this call: a flush uses it to skip changes to
    /// nodes it has just serialized whole.
    pub(crate) fn watermark(&self) -> u32 {
        self.next.watermark()
    }
}

trait UncheckedObject {
    fn unchecked_object(&self) -> &js_sys::Object;
}

impl UncheckedObject for JsValue {
    fn unchecked_object(&self) -> &js_sys::Object {
        wasm_bindgen::JsCast::unchecked_ref(self)
    }
}
