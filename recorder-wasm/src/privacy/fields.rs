//! Which form elements hold what a person typed, and how secret that is.
//!
//! Decision: classification looks only at markup (tag, `type`, `autocomplete`), so it is a
//! pure function the DOM layer calls whenever it reads a field. Remembering that a field was
//! ever sensitive (a "show password" toggle turns `type=password` into `type=text`) needs
//! element identity, so that memory lives in the DOM layer, not here.

/// How a form element's value is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldPrivacy {
    /// Not a form field, or a button-like input whose `value` is its visible label: ordinary
    /// attribute and text rules apply.
    NotAField,
    /// A field whose value is masked while
    /// [`PrivacyOptions::mask_all_inputs`](crate::options::PrivacyOptions::mask_all_inputs)
    /// is on (the default): text, email, tel, search, number, date, file, select, …
    Masked,
    /// A field whose value is never recorded in clear, whatever the options: passwords,
    /// hidden inputs, payment-card and one-time-code fields, and every `<textarea>` (free text
    /// is where people paste anything). A `<textarea>`'s value is its text content, so the DOM
    /// layer masks its text children too.
    AlwaysMasked,
    /// A checkbox or radio button. The DOM layer records `checked` in clear: which box is
    /// ticked is page state the replay needs, not something typed. The `value` attribute is
    /// written by the page's author, so it gets the ordinary attribute rules.
    CheckedStateOnly,
}

/// Classifies a form element from its `localName` (`tag`, any case), its `type` attribute
/// and its `autocomplete` attribute (both as written, any case; `None` when absent).
///
/// A sensitive `autocomplete` token (`cc-*`, `one-time-code`, `current-password`,
/// `new-password`) makes any field [`FieldPrivacy::AlwaysMasked`], wherever it sits in the
/// attribute (`"section-a billing cc-number"`): a `<select autocomplete="cc-exp-month">` is as
/// secret as the card number. Unknown `type`s behave as text, as browsers treat them.
pub fn classify_field(
    tag: &str,
    input_type: Option<&str>,
    autocomplete: Option<&str>,
) -> FieldPrivacy {
    let tag_is = |name: &str| tag.eq_ignore_ascii_case(name);
    if tag_is("textarea") {
        return FieldPrivacy::AlwaysMasked;
    }
    let is_input = tag_is("input");
    if !is_input && !tag_is("select") {
        return FieldPrivacy::NotAField;
    }
    let kind = if is_input {
        input_type.map_or("", str::trim)
    } else {
        ""
    };
    let kind_is = |names: &[&str]| names.iter().any(|name| kind.eq_ignore_ascii_case(name));
    if kind_is(&["password", "hidden"]) || autocomplete.is_some_and(is_secret_autocomplete) {
        FieldPrivacy::AlwaysMasked
    } else if kind_is(&["button", "submit", "reset", "image"]) {
        FieldPrivacy::NotAField
    } else if kind_is(&["checkbox", "radio"]) {
        FieldPrivacy::CheckedStateOnly
    } else {
        FieldPrivacy::Masked
    }
}

/// Whether an attribute of a form field holds the field's value (only `value`, any case).
///
/// `placeholder`, `name`, `aria-*` and the rest are written by the page's author and shown
/// to everyone, so they are not the field's secret; under a masked subtree they are masked
/// as text instead (see [`attribute_privacy`](super::attribute_privacy)).
pub fn is_sensitive_attribute(name: &str) -> bool {
    name.eq_ignore_ascii_case("value")
}

fn is_secret_autocomplete(autocomplete: &str) -> bool {
    autocomplete.split_ascii_whitespace().any(|token| {
        // `get` rather than slicing: a token may start with a multi-byte character.
        token
            .get(..3)
            .is_some_and(|head| head.eq_ignore_ascii_case("cc-"))
            || ["one-time-code", "current-password", "new-password"]
                .iter()
                .any(|secret| token.eq_ignore_ascii_case(secret))
    })
}

#[cfg(test)]
mod tests {
    use super::FieldPrivacy::*;
    use super::*;

    #[test]
    fn secret_inputs_are_always_masked() {
        for kind in ["password", "PASSWORD", " hidden "] {
            assert_eq!(
                classify_field("input", Some(kind), None),
                AlwaysMasked,
                "{kind}"
            );
        }
        for autocomplete in [
            "cc-number",
            "cc-csc",
            "cc-exp",
            "CC-Name",
            "billing cc-number",
            "section-pay shipping cc-exp-year",
            "one-time-code",
            "current-password",
            "new-password webauthn",
        ] {
            assert_eq!(
                classify_field("input", Some("text"), Some(autocomplete)),
                AlwaysMasked,
                "{autocomplete}"
            );
        }
        assert_eq!(
            classify_field("SELECT", None, Some("cc-exp-month")),
            AlwaysMasked
        );
    }

    #[test]
    fn every_textarea_is_always_masked() {
        assert_eq!(classify_field("textarea", None, None), AlwaysMasked);
        assert_eq!(
            classify_field("TEXTAREA", Some("text"), Some("off")),
            AlwaysMasked
        );
    }

    #[test]
    fn ordinary_inputs_and_selects_are_masked() {
        for kind in [
            None,
            Some("text"),
            Some("email"),
            Some("tel"),
            Some("search"),
            Some("x"),
        ] {
            assert_eq!(classify_field("input", kind, None), Masked, "{kind:?}");
        }
        assert_eq!(
            classify_field("input", Some("email"), Some("email")),
            Masked
        );
        assert_eq!(
            classify_field("input", Some("text"), Some("section-cc-x name")),
            Masked
        );
        assert_eq!(classify_field("select", None, Some("country")), Masked);
    }

    #[test]
    fn buttons_checkboxes_and_other_elements() {
        for kind in ["button", "submit", "Reset", "image"] {
            assert_eq!(
                classify_field("input", Some(kind), None),
                NotAField,
                "{kind}"
            );
        }
        assert_eq!(
            classify_field("input", Some("checkbox"), None),
            CheckedStateOnly
        );
        assert_eq!(
            classify_field("input", Some("radio"), None),
            CheckedStateOnly
        );
        assert_eq!(
            classify_field("div", Some("password"), Some("cc-number")),
            NotAField
        );
        assert_eq!(classify_field("button", None, None), NotAField);
    }

    #[test]
    fn only_value_is_a_sensitive_attribute() {
        assert!(is_sensitive_attribute("value"));
        assert!(is_sensitive_attribute("VALUE"));
        for name in ["placeholder", "name", "aria-label", "checked", "data-value"] {
            assert!(!is_sensitive_attribute(name), "{name}");
        }
    }

    #[test]
    fn multibyte_autocomplete_does_not_panic() {
        assert_eq!(classify_field("input", None, Some("cé-number ü é")), Masked);
    }
}
