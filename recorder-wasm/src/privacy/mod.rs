//! Privacy: every value and text the recorder reads from the page passes through here before
//! it becomes an event.
//!
//! # The key decision: fail closed, and hide even the length
//!
//! A value the rules are unsure about is masked; passwords, hidden inputs, card and one-time
//! code fields and textareas are masked whatever the options say; and a mask is a fixed
//! `******` unless the page opts into length-preserving masks. Free text that is not masked is
//! scrubbed of emails, card numbers and IBANs (checked with Luhn and mod-97, so ordinary
//! numbers survive). This module is pure Rust with no DOM access: the DOM layer reads tags and
//! attributes and asks these functions what may be recorded, so every rule is unit-tested
//! natively.

mod cards;
mod fields;
mod iban;
mod mask;
mod pii;

use std::borrow::Cow;

use crate::options::PrivacyOptions;

pub use cards::luhn_valid;
pub use fields::{FieldPrivacy, classify_field, is_sensitive_attribute};
pub use iban::iban_valid;
pub use mask::{MASK, mask_text, mask_value};
pub use pii::scrub_pii;

/// What may be recorded of a text node. `masked` is the DOM layer's verdict that the node is
/// under `data-affidavit-mask`, a `mask_selector` match or a field whose text is its value
/// (`<textarea>`); [`PrivacyOptions::mask_all_text`] masks regardless, so a caller that forgets
/// to fold it in still fails closed. Masked text goes through [`mask_text`]; other text is
/// scrubbed with [`scrub_pii`] when [`PrivacyOptions::mask_pii`] is on, else returned as is.
pub fn apply_text_privacy<'a>(
    text: &'a str,
    masked: bool,
    options: &PrivacyOptions,
) -> Cow<'a, str> {
    if masked || options.mask_all_text {
        if text.trim().is_empty() {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(mask_text(text, options))
        }
    } else if options.mask_pii {
        scrub_pii(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// Attributes that hold human-readable text, masked with [`mask_text`] under a masked subtree.
const TEXT_ATTRIBUTES: &[&str] = &[
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-valuetext",
    "value",
    "label",
    "content",
];

/// Attributes never scrubbed for PII: identifiers and resource URLs the replay needs intact
/// to style and render the page, where scrubbing would break more than it protects.
const UNSCRUBBED_ATTRIBUTES: &[&str] = &["class", "id", "style", "src", "srcset"];

/// What may be recorded of an attribute `attr_name` (any case) with `value`, on an element
/// classified as `field` (see [`classify_field`]) and lying under a masked subtree or not.
///
/// In order:
/// 1. The `value` attribute of an [`FieldPrivacy::AlwaysMasked`] field, or of a
///    [`FieldPrivacy::Masked`] one while [`PrivacyOptions::mask_all_inputs`] is on, goes
///    through [`mask_value`].
/// 2. Under a masked subtree, text attributes (`title`, `alt`, `placeholder`, `aria-label`,
///    `aria-description`, `aria-placeholder`, `aria-valuetext`, `value`, `label`, `content`)
///    go through [`mask_text`].
/// 3. With [`PrivacyOptions::mask_pii`] on, every other attribute is scrubbed with
///    [`scrub_pii`], URL-valued ones like `href` included (`mailto:` links carry emails),
///    except `class`, `id`, `style`, `src`, `srcset` and `data-affidavit-*` (the recorder's own
///    markers), which are returned as they are.
pub fn attribute_privacy<'a>(
    attr_name: &str,
    value: &'a str,
    field: FieldPrivacy,
    masked_subtree: bool,
    options: &PrivacyOptions,
) -> Cow<'a, str> {
    let named = |names: &[&str]| {
        names
            .iter()
            .any(|name| attr_name.eq_ignore_ascii_case(name))
    };
    let field_masked = match field {
        FieldPrivacy::AlwaysMasked => true,
        FieldPrivacy::Masked => options.mask_all_inputs,
        FieldPrivacy::NotAField | FieldPrivacy::CheckedStateOnly => false,
    };
    if field_masked && is_sensitive_attribute(attr_name) {
        return Cow::Owned(mask_value(value, options));
    }
    if masked_subtree && named(TEXT_ATTRIBUTES) {
        return Cow::Owned(mask_text(value, options));
    }
    let own_marker = attr_name
        .get(.."data-affidavit-".len())
        .is_some_and(|head| head.eq_ignore_ascii_case("data-affidavit-"));
    if options.mask_pii && !own_marker && !named(UNSCRUBBED_ATTRIBUTES) {
        scrub_pii(value)
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests;
