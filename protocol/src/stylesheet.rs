//! CSSOM changes that never show up as DOM mutations: rule insertion and deletion through
//! `CSSStyleSheet` methods, and constructed stylesheets adopted by documents or shadow roots.

use crate::snapshot::NodeId;
use crate::wire::{impl_tagged_serde, tagged_enum, wire_enum};
use serde::{Deserialize, Serialize};

wire_enum! {
    pub enum StyleSheetIdKind {
        Node = 0 => "node",
        Constructed = 1 => "constructed",
    }
}

tagged_enum! {
    /// Which stylesheet changed. Wire layout: `[kind, id]`.
    pub enum StyleSheetId: StyleSheetIdKind {
        /// The sheet owned by a `<style>` or `<link rel=stylesheet>` node.
        Node(NodeId),
        /// A constructed sheet (`new CSSStyleSheet()`), numbered by the recorder per session.
        Constructed(u32),
    }
}
impl_tagged_serde!(StyleSheetId);

/// Wire layout: `[sheet, change]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleSheetRule {
    pub sheet: StyleSheetId,
    pub change: RuleChange,
}

wire_enum! {
    pub enum RuleChangeKind {
        Insert = 0 => "insert",
        Delete = 1 => "delete",
    }
}

tagged_enum! {
    /// Wire layout: `[kind, payload]`.
    ///
    /// An index path locates a rule through nested grouping rules: `[2, 0]` is rule 0 inside
    /// the `@media` rule at index 2 of the sheet.
    pub enum RuleChange: RuleChangeKind {
        Insert(RuleInsert),
        /// The index path of the deleted rule.
        Delete(Vec<u32>),
    }
}
impl_tagged_serde!(RuleChange);

/// Wire layout: `[rule, index]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleInsert {
    /// The rule's CSS text.
    pub rule: String,
    /// Where it was inserted, as an index path.
    pub index: Vec<u32>,
}

/// A document's or shadow root's `adoptedStyleSheets` changed.
/// Wire layout: `[target, style_ids, new_sheets]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdoptedStyleSheets {
    /// The document or shadow root node.
    pub target: NodeId,
    /// The complete new list, in order, as constructed-sheet numbers.
    pub style_ids: Vec<u32>,
    /// Contents of sheets in `style_ids` that this session has not sent before.
    pub new_sheets: Vec<ConstructedSheet>,
}

/// Wire layout: `[style_id, rules]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstructedSheet {
    pub style_id: u32,
    /// Each top-level rule's CSS text, in order.
    pub rules: Vec<String>,
}
