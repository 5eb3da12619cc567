//! The DOM as a tree of nodes with integer ids: full snapshots, and subtrees added by mutations.

use crate::wire::wire_enum;
use serde::{Deserialize, Serialize};

/// A node's id, assigned by the recorder when it first serializes the node.
///
/// Invariant (kept by the recorder, relied on by the replayer): an id names one node for the
/// whole session and is never reused, so later events can refer to nodes by id alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

wire_enum! {
    /// The kind of a [`Node`], its first element on the wire.
    pub enum NodeKind {
        Document = 0 => "document",
        Doctype = 1 => "doctype",
        Element = 2 => "element",
        Text = 3 => "text",
        Comment = 4 => "comment",
        CData = 5 => "cdata",
        ShadowRoot = 6 => "shadow_root",
    }
}

/// A node and, for container kinds, its subtree.
///
/// Wire layout: the subtree as one flat array of node records in pre-order (a node, then
/// each child's subtree in order), each record `[kind, id, …]` as shown on [`NodeData`];
/// container records carry their child count instead of nesting their children. So no tree
/// is deeper on the wire than one record, and neither encoding nor decoding recurses.
///
/// Dropping is iterative too, so any tree can be dropped safely. The derived `Clone`,
/// `PartialEq` and `Debug` do recurse, once per level: trees from [`crate::decode_batch`]
/// are at most [`crate::Limits::max_tree_depth`] deep.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub data: NodeData,
}

/// What a node is, with each kind's wire record.
///
/// Invariants the replayer relies on: a `Document` is a snapshot's root, or the only child of
/// a same-origin `iframe`/`frame` element (its content document); a `ShadowRoot` (open roots
/// only: closed ones are not reachable) is the first child of its host element; both hold
/// their own children.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeData {
    /// `[0, id, child_count]`
    Document { children: Vec<Node> },
    /// `[1, id, name, public_id, system_id]`
    Doctype {
        name: String,
        public_id: String,
        system_id: String,
    },
    /// `[2, id, child_count, tag, {attributes}, svg]`
    Element(Element),
    /// `[3, id, text]`, already masked if the page asked for it.
    Text(String),
    /// `[4, id, text]`
    Comment(String),
    /// `[5, id, text]`
    CData(String),
    /// `[6, id, child_count]`
    ShadowRoot { children: Vec<Node> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Lower-case for HTML; SVG keeps its case (`foreignObject`).
    pub tag: String,
    /// In document order; values already masked where the page asked for it.
    pub attributes: Vec<(String, String)>,
    /// Created in the SVG namespace; the replayer must use `createElementNS`.
    pub svg: bool,
    pub children: Vec<Node>,
}

/// The whole document at one moment: a keyframe the viewer can seek to.
///
/// Wire layout: `[root, scroll_x, scroll_y]`. Invariant (checked on decode): `root` is a
/// `Document` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FullSnapshot {
    pub root: Node,
    /// The document's scroll offset when the snapshot was taken, in CSS pixels.
    pub scroll_x: i32,
    pub scroll_y: i32,
}

impl Node {
    pub const fn kind(&self) -> NodeKind {
        match self.data {
            NodeData::Document { .. } => NodeKind::Document,
            NodeData::Doctype { .. } => NodeKind::Doctype,
            NodeData::Element(_) => NodeKind::Element,
            NodeData::Text(_) => NodeKind::Text,
            NodeData::Comment(_) => NodeKind::Comment,
            NodeData::CData(_) => NodeKind::CData,
            NodeData::ShadowRoot { .. } => NodeKind::ShadowRoot,
        }
    }

    /// The node's children; empty for leaf kinds.
    pub fn children(&self) -> &[Node] {
        match &self.data {
            NodeData::Document { children } | NodeData::ShadowRoot { children } => children,
            NodeData::Element(element) => &element.children,
            _ => &[],
        }
    }

    /// The children list of a container kind (document, element, shadow root).
    pub fn children_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.data {
            NodeData::Document { children } | NodeData::ShadowRoot { children } => Some(children),
            NodeData::Element(element) => Some(&mut element.children),
            _ => None,
        }
    }

    /// Nodes in this subtree, this one included.
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        let mut pending = vec![self];
        while let Some(node) = pending.pop() {
            count += 1;
            pending.extend(node.children());
        }
        count
    }

    /// Levels in this subtree, counting this node as 1. Iterative, so it is safe on any tree.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut pending = vec![(self, 1usize)];
        while let Some((node, depth)) = pending.pop() {
            deepest = deepest.max(depth);
            pending.extend(node.children().iter().map(|child| (child, depth + 1)));
        }
        deepest
    }
}

impl Drop for Node {
    // The derived drop would recurse once per level, and a decoded tree is only checked
    // against max_tree_depth after it is built; unlinking children into a list first makes
    // dropping any tree use constant stack.
    fn drop(&mut self) {
        let mut pending = take_children(self);
        while let Some(mut node) = pending.pop() {
            pending.append(&mut take_children(&mut node));
        }
    }
}

fn take_children(node: &mut Node) -> Vec<Node> {
    node.children_mut().map(std::mem::take).unwrap_or_default()
}
