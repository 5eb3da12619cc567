//! CSSOM changes: rules inserted into and deleted from sheets, and constructed
//! sheets adopted by documents and shadow roots.
//!
//! A constructed sheet can only be adopted in the document whose realm made it,
//! so each recorded sheet is made once per replayed document that adopts it,
//! with the text of the sheet's first instance (which holds any later rule
//! changes).

use js_sys::{Array, Reflect};
use protocol::{AdoptedStyleSheets, RuleChange, StyleSheetId, StyleSheetRule};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Node};

use super::{Replay, VIEWER_CSS, describe};

/// One constructed sheet in one document's realm.
#[derive(Debug)]
pub(super) struct Constructed {
    style_id: u32,
    document: Document,
    sheet: CssStyleSheet,
}

impl Constructed {
    /// Whether this instance was made for `document` (dropped when it is replaced).
    pub(super) fn belongs_to(&self, document: &Document) -> bool {
        &self.document == document
    }
}

pub(super) fn rule(replay: &mut Replay, change: &StyleSheetRule) {
    let sheets: Vec<CssStyleSheet> = match change.sheet {
        StyleSheetId::Node(id) => match replay.node(id.0) {
            Some(node) => match Reflect::get(node, &JsValue::from_str("sheet")) {
                Ok(sheet) if !sheet.is_null() && !sheet.is_undefined() => {
                    vec![sheet.unchecked_into()]
                }
                _ => return replay.warn(format!("node {} has no stylesheet", id.0)),
            },
            None => return replay.warn(format!("rule change in unknown node {}", id.0)),
        },
        StyleSheetId::Constructed(style_id) => replay
            .sheets
            .iter()
            .filter(|c| c.style_id == style_id)
            .map(|c| c.sheet.clone())
            .collect(),
    };
    for sheet in sheets {
        if let Err(message) = apply_rule(&sheet, &change.change) {
            replay.warn(format!("stylesheet rule change: {message}"));
        }
    }
}

fn apply_rule(sheet: &CssStyleSheet, change: &RuleChange) -> Result<(), String> {
    let (path, last) = match change {
        RuleChange::Insert(insert) => split_path(&insert.index)?,
        RuleChange::Delete(path) => split_path(path)?,
    };
    // Walk grouping rules (`@media`, `@supports`) down to the list to change.
    let mut owner: JsValue = sheet.into();
    // Through Reflect only: a rule without nested rules (`@import`) has no
    // `cssRules`, and a typed call on it would throw through the wasm.
    for index in path {
        let rules =
            Reflect::get(&owner, &JsValue::from_str("cssRules")).map_err(|e| describe(&e))?;
        if rules.is_undefined() || rules.is_null() {
            return Err(format!(
                "the rule holding index {index} has no nested rules"
            ));
        }
        owner = Reflect::get_u32(&rules, *index).map_err(|e| describe(&e))?;
        if owner.is_undefined() || owner.is_null() {
            return Err(format!("no rule at index {index}"));
        }
    }
    let method = match change {
        RuleChange::Insert(_) => "insertRule",
        RuleChange::Delete(_) => "deleteRule",
    };
    let function: js_sys::Function = Reflect::get(&owner, &JsValue::from_str(method))
        .map_err(|e| describe(&e))?
        .dyn_into()
        .map_err(|_| format!("the rule at that path has no {method}"))?;
    let result = match change {
        RuleChange::Insert(insert) => function.call2(
            &owner,
            &JsValue::from_str(&insert.rule),
            &JsValue::from(last),
        ),
        RuleChange::Delete(_) => function.call1(&owner, &JsValue::from(last)),
    };
    result.map(|_| ()).map_err(|e| describe(&e))
}

fn split_path(path: &[u32]) -> Result<(&[u32], u32), String> {
    match path.split_last() {
        Some((last, rest)) => Ok((rest, *last)),
        None => Err("empty rule path".into()),
    }
}

pub(super) fn adopted(replay: &mut Replay, adopted: &AdoptedStyleSheets) {
    let Some(target) = replay.node(adopted.target.0).cloned() else {
        return replay.warn(format!(
            "adopted sheets of unknown node {}",
            adopted.target.0
        ));
    };
    let document = match target.node_type() {
        Node::DOCUMENT_NODE => target.clone().unchecked_into::<Document>(),
        _ => match target.owner_document() {
            Some(doc) => doc,
            None => return,
        },
    };
    for sheet in &adopted.new_sheets {
        if !replay.sheets.iter().any(|c| c.style_id == sheet.style_id) {
            match construct(&document, &sheet.rules.join("\n")) {
                Ok(made) => replay.sheets.push(Constructed {
                    style_id: sheet.style_id,
                    document: document.clone(),
                    sheet: made,
                }),
                Err(e) => replay.warn(format!(
                    "constructed sheet {}: {}",
                    sheet.style_id,
                    describe(&e)
                )),
            }
        }
    }
    let list = Array::new();
    for style_id in &adopted.style_ids {
        match sheet_in(replay, *style_id, &document) {
            Ok(sheet) => {
                list.push(&sheet);
            }
            Err(message) => replay.warn(message),
        }
    }
    if target.node_type() == Node::DOCUMENT_NODE
        && let Ok(viewer) = viewer_sheet(&document)
    {
        list.push(&viewer);
    }
    if let Err(e) = Reflect::set(&target, &JsValue::from_str("adoptedStyleSheets"), &list) {
        replay.warn(format!("adopted sheets: {}", describe(&e)));
    }
}

/// The instance of recorded sheet `style_id` that belongs to `document`,
/// made from another document's instance when needed.
fn sheet_in(
    replay: &mut Replay,
    style_id: u32,
    document: &Document,
) -> Result<CssStyleSheet, String> {
    if let Some(found) = replay
        .sheets
        .iter()
        .find(|c| c.style_id == style_id && &c.document == document)
    {
        return Ok(found.sheet.clone());
    }
    let source = replay
        .sheets
        .iter()
        .find(|c| c.style_id == style_id)
        .ok_or_else(|| format!("constructed sheet {style_id} was never sent"))?;
    let text = sheet_text(&source.sheet);
    let made = construct(document, &text).map_err(|e| describe(&e))?;
    replay.sheets.push(Constructed {
        style_id,
        document: document.clone(),
        sheet: made.clone(),
    });
    Ok(made)
}

fn sheet_text(sheet: &CssStyleSheet) -> String {
    let Ok(rules) = sheet.css_rules() else {
        return String::new();
    };
    (0..rules.length())
        .filter_map(|i| rules.item(i))
        .map(|r| r.css_text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `new CSSStyleSheet()` in `document`'s own realm, filled with `text`.
fn construct(document: &Document, text: &str) -> Result<CssStyleSheet, JsValue> {
    let window = document
        .default_view()
        .ok_or_else(|| JsValue::from_str("the document has no window"))?;
    let constructor: js_sys::Function = Reflect::get(&window, &JsValue::from_str("CSSStyleSheet"))?
        .dyn_into()
        .map_err(|_| JsValue::from_str("no CSSStyleSheet constructor"))?;
    let sheet: CssStyleSheet = Reflect::construct(&constructor, &Array::new())?.unchecked_into();
    sheet.replace_sync(text)?;
    Ok(sheet)
}

/// The viewer's own sheet for `document` (placeholders for blocked elements).
fn viewer_sheet(document: &Document) -> Result<JsValue, JsValue> {
    let key = JsValue::from_str("__affidavitViewerSheet");
    let existing = Reflect::get(document, &key)?;
    if !existing.is_undefined() {
        return Ok(existing);
    }
    let sheet: JsValue = construct(document, VIEWER_CSS)?.into();
    Reflect::set(document, &key, &sheet)?;
    Ok(sheet)
}

/// Adopts the viewer's sheet into a freshly reset document.
pub(super) fn adopt_viewer_sheet(document: &Document) -> Result<(), JsValue> {
    let list = Array::new();
    list.push(&viewer_sheet(document)?);
    Reflect::set(document, &JsValue::from_str("adoptedStyleSheets"), &list)?;
    Ok(())
}
