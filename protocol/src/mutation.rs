//! DOM mutations: one event carries everything a `MutationObserver` callback reported.

use crate::snapshot::{Node, NodeId};
use serde::{Deserialize, Serialize};

/// Changes to the tree since the last event. Wire layout: `[adds, removes, texts, attributes]`.
///
/// Invariant (the contract between recorder and replayer): apply `removes` first, then
/// `adds` in order, then `texts`, then `attributes`. The recorder orders `adds` so that every
/// `parent` and `next_sibling` already exists when its entry is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub adds: Vec<AddedNode>,
    pub removes: Vec<RemovedNode>,
    pub texts: Vec<TextChange>,
    pub attributes: Vec<AttributeChange>,
}

/// A subtree inserted under `parent`. Wire layout: `[parent, next_sibling, node]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddedNode {
    pub parent: NodeId,
    /// Insert before this sibling; `None` appends.
    pub next_sibling: Option<NodeId>,
    /// Carries fresh ids for itself and every descendant.
    pub node: Node,
}

/// Wire layout: `[parent, id]`. The parent is sent so the replayer needs no reverse index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedNode {
    pub parent: NodeId,
    pub id: NodeId,
}

/// A text, comment or CDATA node's new content. Wire layout: `[id, text]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextChange {
    pub id: NodeId,
    pub text: String,
}

/// Wire layout: `[id, name, value]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeChange {
    pub id: NodeId,
    pub name: String,
    /// `None` means the attribute was removed.
    pub value: Option<String>,
}
