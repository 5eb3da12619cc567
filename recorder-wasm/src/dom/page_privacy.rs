//! The page side of privacy: which elements are blocked, masked or ignored, and which form
//! fields are sensitive — decided from the live DOM, then handed to [`crate::privacy`],
//! which does the masking itself.
//!
//! A field that was ever sensitive stays sensitive: a "show password" toggle turns
//! `type=password` into `type=text`, and the value typed before and after is the same
//! secret. The set is a `WeakSet`, so it never keeps a removed field alive.

use js_sys::{JsString, WeakSet};
use wasm_bindgen::prelude::*;
use web_sys::Element;

#[wasm_bindgen]
extern "C" {
    /// An element, seen only for `matches` with the selector as a JavaScript string made
    /// once: web-sys's `&str` version re-encodes the selector on every call, twice per
    /// element in a snapshot.
    type Matchable;
    #[wasm_bindgen(method, catch, js_name = matches)]
    fn matches_js(this: &Matchable, selector: &JsString) -> Result<bool, JsValue>;
}

fn matches(element: &Element, selector: &JsString) -> bool {
    element
        .unchecked_ref::<Matchable>()
        .matches_js(selector)
        .unwrap_or(false)
}

use crate::options::PrivacyOptions;
use crate::privacy::{self, FieldPrivacy};

const MASK: &str = "[data-affidavit-mask]";
const BLOCK: &str = "[data-affidavit-block]";
const IGNORE: &str = "[data-affidavit-ignore]";

#[derive(Debug)]
pub(crate) struct PagePrivacy {
    pub(crate) options: PrivacyOptions,
    mask: String,
    block: String,
    ignore: String,
    mask_js: JsString,
    block_js: JsString,
    ever_sensitive: WeakSet,
}

fn selector(builtin: &str, custom: &Option<String>) -> String {
    match custom {
        Some(custom) if !custom.trim().is_empty() => format!("{builtin}, {custom}"),
        _ => builtin.to_owned(),
    }
}

impl PagePrivacy {
    /// Fails when a custom selector is not valid CSS, naming it, so a typo cannot silently
    /// turn masking off.
    pub(crate) fn new(
        options: PrivacyOptions,
        document: &web_sys::Document,
    ) -> Result<Self, String> {
        let mask = selector(MASK, &options.mask_selector);
        let block = selector(BLOCK, &options.block_selector);
        let privacy = PagePrivacy {
            mask_js: JsString::from(mask.as_str()),
            block_js: JsString::from(block.as_str()),
            mask,
            block,
            ignore: selector(IGNORE, &options.ignore_selector),
            options,
            ever_sensitive: WeakSet::new(),
        };
        for (name, sel) in [
            ("privacy.maskSelector", &privacy.mask),
            ("privacy.blockSelector", &privacy.block),
            ("privacy.ignoreSelector", &privacy.ignore),
        ] {
            if document.query_selector(sel).is_err() {
                return Err(format!(
                    "invalid Affidavit option `{name}`: `{sel}` is not a valid CSS selector"
                ));
            }
        }
        Ok(privacy)
    }

    pub(crate) fn is_blocked(&self, element: &Element) -> bool {
        matches(element, &self.block_js)
    }

    /// Whether `element` itself is marked for masking (ignoring its ancestors): for walks
    /// that carry the ancestors' answer down.
    pub(crate) fn marks_masked(&self, element: &Element) -> bool {
        self.options.mask_all_text || matches(element, &self.mask_js)
    }

    /// Whether text at or below `element` is masked. Walks up through shadow hosts too.
    /// A `<textarea>`'s text children are its default value, so they are masked like it
    /// (snapshots leave them out; mutations that add or change them ask here).
    pub(crate) fn masks_text_below(&self, element: &Element) -> bool {
        self.options.mask_all_text
            || element.local_name() == "textarea"
            || within(element, &self.mask)
    }

    pub(crate) fn is_ignored(&self, element: &Element) -> bool {
        within(element, &self.ignore)
    }

    pub(crate) fn is_within_blocked(&self, element: &Element) -> bool {
        within(element, &self.block)
    }

    pub(crate) fn field(&self, element: &Element) -> FieldPrivacy {
        let tag = element.local_name();
        let field = privacy::classify_field(
            &tag,
            element.get_attribute("type").as_deref(),
            element.get_attribute("autocomplete").as_deref(),
        );
        if field == FieldPrivacy::AlwaysMasked {
            self.ever_sensitive.add(element);
            return field;
        }
        if field != FieldPrivacy::NotAField && self.ever_sensitive.has(element) {
            return FieldPrivacy::AlwaysMasked;
        }
        // A field the page marked ignored, or one inside masked content, has its value
        // masked whatever `maskAllInputs` says: in snapshots and attribute changes as well
        // as in input events (which skip ignored fields altogether).
        if field == FieldPrivacy::Masked
            && (self.is_ignored(element) || self.masks_text_below(element))
        {
            return FieldPrivacy::AlwaysMasked;
        }
        field
    }

    /// The value of a field as it may be recorded.
    pub(crate) fn field_value(&self, field: FieldPrivacy, value: &str) -> String {
        match field {
            FieldPrivacy::AlwaysMasked => privacy::mask_value(value, &self.options),
            FieldPrivacy::Masked if self.options.mask_all_inputs => {
                privacy::mask_value(value, &self.options)
            }
            _ => self.text(value, false).into_owned(),
        }
    }

    /// A page URL as recorded: query strings and fragments often carry emails or tokens,
    /// so they get the PII scrub too.
    pub(crate) fn url(&self, url: &str) -> String {
        self.text(url, false).into_owned()
    }

    pub(crate) fn text<'a>(&self, text: &'a str, masked: bool) -> std::borrow::Cow<'a, str> {
        privacy::apply_text_privacy(text, masked, &self.options)
    }

    pub(crate) fn attribute<'a>(
        &self,
        field: FieldPrivacy,
        masked: bool,
        name: &str,
        value: &'a str,
    ) -> std::borrow::Cow<'a, str> {
        privacy::attribute_privacy(name, value, field, masked, &self.options)
    }
}

/// `closest()` stops at a shadow root; masking marked on a shadow host must still cover
/// the shadow tree, so keep climbing through hosts.
fn within(element: &Element, selector: &str) -> bool {
    let mut current = Some(element.clone());
    while let Some(element) = current {
        if matches!(element.closest(selector), Ok(Some(_))) {
            return true;
        }
        // By node type, not `instanceof`: nodes in an iframe belong to another realm.
        // Climb out of shadow roots to their host, and out of a same-origin frame's
        // document to its <iframe>, so marks on the outer page cover both.
        let root = element.get_root_node();
        current = match root.node_type() {
            web_sys::Node::DOCUMENT_FRAGMENT_NODE => {
                Some(root.unchecked_into::<web_sys::ShadowRoot>().host())
            }
            web_sys::Node::DOCUMENT_NODE => root
                .unchecked_into::<web_sys::Document>()
                .default_view()
                .and_then(|window| window.frame_element().ok().flatten()),
            _ => None,
        };
    }
    false
}
