//! Which stylesheet a CSSOM change belongs to, as the replay knows it, and what it holds.
//!
//! A sheet owned by a recorded `<style>` or `<link>` is named by its node. A constructed
//! sheet (`new CSSStyleSheet()`) gets a number on first sight, kept in a `WeakMap` so a
//! dropped sheet takes its entry with it; its contents travel once, whole, in the
//! `AdoptedStyleSheets` event that first adopts it (`sent`). Changes to a constructed sheet
//! the replay has not received yet are not recorded: they arrive with its contents.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Object, WeakMap, WeakSet};
use protocol::{StyleSheetId, StyleSheetRule};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Document;

use super::js;
use crate::recorder::Engine;

/// Rules read from one sheet; a larger sheet is sent cut short rather than stall the page.
const MAX_RULES: u32 = 20_000;

pub(super) struct Sheets {
    document: Document,
    ids: WeakMap,
    next: Cell<u32>,
    sent: RefCell<WeakSet>,
}

impl Sheets {
    pub(super) fn new(engine: &Engine) -> Rc<Sheets> {
        Rc::new(Sheets {
            document: engine.document.clone(),
            ids: WeakMap::new(),
            next: Cell::new(1),
            sent: RefCell::new(WeakSet::new()),
        })
    }

    /// The constructed-sheet number of `sheet`, allocated on first sight.
    pub(super) fn style_id(&self, sheet: &JsValue) -> Option<u32> {
        if !sheet.is_object() {
            return None;
        }
        let key: &Object = sheet.unchecked_ref();
        if let Some(id) = self.ids.get(key).as_f64() {
            return Some(id as u32);
        }
        let id = self.next.get();
        self.next.set(id.saturating_add(1));
        self.ids.set(key, &JsValue::from(id));
        Some(id)
    }

    pub(super) fn is_sent(&self, sheet: &JsValue) -> bool {
        sheet.is_object()
            && self
                .sent
                .try_borrow()
                .is_ok_and(|sent| sent.has(sheet.unchecked_ref()))
    }

    pub(super) fn mark_sent(&self, sheet: &JsValue) {
        if let (true, Ok(sent)) = (sheet.is_object(), self.sent.try_borrow()) {
            sent.add(sheet.unchecked_ref());
        }
    }

    /// After a keyframe every sheet is sent again, so a replay that starts there has them.
    pub(super) fn forget_sent(&self) {
        if let Ok(mut sent) = self.sent.try_borrow_mut() {
            *sent = WeakSet::new();
        }
    }

    /// How the replay names `sheet`, or `None` when it does not know the sheet (yet): an
    /// owner node not recorded yet (it will be serialized with its live rules), a
    /// constructed sheet not sent yet, or a sheet `@import`ed by another (not covered).
    pub(super) fn target(&self, engine: &Engine, sheet: &JsValue) -> Option<StyleSheetId> {
        let owner = js::get(sheet, "ownerNode")?;
        if !js::is_nullish(&owner) {
            return engine.node_id(&owner).map(StyleSheetId::Node);
        }
        let imported = js::get(sheet, "ownerRule").is_some_and(|rule| !js::is_nullish(&rule));
        if imported || !self.is_sent(sheet) {
            return None;
        }
        self.style_id(sheet).map(StyleSheetId::Constructed)
    }

    /// The number of top-level rules, or `None` when the sheet cannot be read.
    pub(super) fn rule_count(&self, sheet: &JsValue) -> Option<u32> {
        let rules = js::get(sheet, "cssRules")?;
        js::number(&rules, "length").map(|n| n as u32)
    }

    /// The text of top-level rule `index`, with relative `url()`s made absolute.
    pub(super) fn rule(&self, sheet: &JsValue, index: u32) -> Option<String> {
        let rules = js::get(sheet, "cssRules")?;
        rule_text(&rules, index, &self.base(sheet))
    }

    /// Every top-level rule's text, in order (empty when the sheet cannot be read).
    pub(super) fn rules(&self, sheet: &JsValue) -> Vec<String> {
        let Some(rules) = js::get(sheet, "cssRules") else {
            return Vec::new();
        };
        let count = js::number(&rules, "length")
            .unwrap_or(0.0)
            .min(f64::from(MAX_RULES)) as u32;
        let base = self.base(sheet);
        (0..count)
            .filter_map(|index| rule_text(&rules, index, &base))
            .collect()
    }

    /// A replay runs on another origin: `url()`s resolve against the sheet's own URL, or
    /// the document's base for inline and constructed sheets.
    fn base(&self, sheet: &JsValue) -> String {
        js::string(sheet, "href")
            .or_else(|| js::string(&self.document, "baseURI"))
            .unwrap_or_default()
    }
}

fn rule_text(rules: &JsValue, index: u32, base: &str) -> Option<String> {
    let rule = js_sys::Reflect::get_u32(rules, index).ok()?;
    let text = js::string(&rule, "cssText")?;
    let absolute = crate::css_urls::absolutize(&text, |url| {
        web_sys::Url::new_with_base(url.trim(), base)
            .ok()
            .map(|u| u.href())
    });
    Some(absolute.into_owned())
}

/// Shorthand used by the rule patches.
pub(super) fn rule_event(sheet: StyleSheetId, change: protocol::RuleChange) -> protocol::EventData {
    protocol::EventData::StyleSheetRule(StyleSheetRule { sheet, change })
}
