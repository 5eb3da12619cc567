//! Stylesheets as CSS text, so a replay does not depend on the original host: `<style>`
//! elements carry their live rules (including any added through the CSSOM before the
//! snapshot), and same-origin `<link rel=stylesheet>` carries its whole sheet in the
//! `_css` attribute, with relative `url()`s made absolute against the sheet's own URL.
//! Cross-origin sheets cannot be read; they keep their absolute `href`.

use protocol::{Node as PNode, NodeData};
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Element};

use super::ids::NodeIds;

/// The attribute a replay reads a linked stylesheet's text from.
pub(crate) const INLINED_CSS: &str = "_css";

/// The sheet's rules as text, or `None` when the sheet is absent or unreadable.
pub(crate) fn sheet_text(sheet: &CssStyleSheet) -> Option<String> {
    let rules = sheet.css_rules().ok()?;
    let mut text = String::new();
    for index in 0..rules.length() {
        if let Some(rule) = rules.item(index) {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&rule.css_text());
        }
    }
    let base = sheet.href().ok().flatten();
    Some(match base {
        Some(base) => crate::css_urls::absolutize(&text, |url| {
            web_sys::Url::new_with_base(url.trim(), &base)
                .ok()
                .map(|u| u.href())
        })
        .into_owned(),
        None => text,
    })
}

fn element_sheet(element: &Element) -> Option<CssStyleSheet> {
    let sheet = js_sys::Reflect::get(element, &"sheet".into()).ok()?;
    if sheet.is_null() || sheet.is_undefined() {
        return None;
    }
    Some(sheet.unchecked_into())
}

/// A `<style>` with one text child gets its live rules as that child's text: rules
/// inserted through the CSSOM never show up in `textContent`. An empty `<style>` filled
/// only through the CSSOM (as CSS-in-JS libraries do) gets a text child of its own.
pub(crate) fn inline_style_text(element: &Element, children: &mut Vec<PNode>, ids: &mut NodeIds) {
    if children.is_empty() {
        if let Some(live) = element_sheet(element).and_then(|sheet| sheet_text(&sheet))
            && !live.is_empty()
        {
            children.push(PNode {
                id: ids.allocate(),
                data: NodeData::Text(live),
            });
        }
        return;
    }
    let [only] = children.as_mut_slice() else {
        return;
    };
    let NodeData::Text(text) = &mut only.data else {
        return;
    };
    if let Some(live) = element_sheet(element).and_then(|sheet| sheet_text(&sheet))
        && (!live.is_empty() || text.trim().is_empty())
    {
        *text = live;
    }
}

/// A same-origin stylesheet link gets its CSS text; the `href` stays (absolute) as a
/// fallback for a replay that cannot use the text.
pub(crate) fn inline_link(element: &Element, attributes: &mut Vec<(String, String)>) {
    let is_stylesheet = element.get_attribute("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("stylesheet"))
    });
    if !is_stylesheet {
        return;
    }
    if let Some(text) = element_sheet(element).and_then(|sheet| sheet_text(&sheet)) {
        attributes.push((INLINED_CSS.to_owned(), text));
    }
}
