//! Replacing a value or a text with asterisks.
//!
//! Decision: by default a mask is a fixed token, so not even a value's length survives
//! (a length says a lot about a password or a PIN); only emptiness is kept.

use crate::options::PrivacyOptions;

/// What a non-empty masked value becomes unless masks preserve length.
pub const MASK: &str = "******";

/// Masks a field value. Empty stays empty, so support can see a field was left blank;
/// anything else becomes [`MASK`], or one `*` per character (Unicode scalar) when
/// [`PrivacyOptions::mask_preserves_length`] is on. The result is only ever `*`s.
pub fn mask_value(value: &str, options: &PrivacyOptions) -> String {
    if value.is_empty() {
        String::new()
    } else if options.mask_preserves_length {
        "*".repeat(value.chars().count())
    } else {
        MASK.to_owned()
    }
}

/// Masks a text node. Whitespace-only text is returned unchanged (it is layout and carries
/// nothing); otherwise the leading and trailing whitespace stay, so the replayed page keeps
/// its spacing, and what is between them is masked as by [`mask_value`].
pub fn mask_text(text: &str, options: &PrivacyOptions) -> String {
    let core = text.trim();
    if core.is_empty() {
        return text.to_owned();
    }
    // `trim_start` is a suffix and `trim_end` a prefix of `text`, so both strips succeed and
    // cut on character boundaries.
    let lead = text.strip_suffix(text.trim_start()).unwrap_or_default();
    let trail = text.strip_prefix(text.trim_end()).unwrap_or_default();
    let mut masked = String::with_capacity(lead.len() + MASK.len() + trail.len());
    masked.push_str(lead);
    masked.push_str(&mask_value(core, options));
    masked.push_str(trail);
    masked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn preserving() -> PrivacyOptions {
        PrivacyOptions {
            mask_preserves_length: true,
            ..PrivacyOptions::default()
        }
    }

    #[test]
    fn empty_value_stays_empty() {
        assert_eq!(mask_value("", &PrivacyOptions::default()), "");
        assert_eq!(mask_value("", &preserving()), "");
    }

    #[test]
    fn value_becomes_the_fixed_token_by_default() {
        assert_eq!(mask_value("x", &PrivacyOptions::default()), MASK);
        assert_eq!(
            mask_value("correct horse battery", &PrivacyOptions::default()),
            MASK
        );
    }

    #[test]
    fn preserving_length_counts_characters_not_bytes() {
        assert_eq!(mask_value("hunter2", &preserving()), "*******");
        assert_eq!(mask_value("é🔑", &preserving()), "**");
    }

    #[test]
    fn text_keeps_surrounding_whitespace_and_masks_the_rest() {
        let options = PrivacyOptions::default();
        assert_eq!(mask_text("\n  Jane Doe\t", &options), "\n  ******\t");
        assert_eq!(mask_text("Jane", &options), MASK);
        assert_eq!(
            mask_text("\u{a0}Jé D\u{a0}", &preserving()),
            "\u{a0}****\u{a0}"
        );
    }

    #[test]
    fn whitespace_only_text_is_unchanged() {
        for text in ["", " ", "\n\t  \n", "\u{a0}\u{2003}"] {
            assert_eq!(mask_text(text, &PrivacyOptions::default()), text);
        }
    }

    proptest! {
        #[test]
        fn masked_value_reveals_no_character(value in any::<String>(), keep in any::<bool>()) {
            let options = PrivacyOptions { mask_preserves_length: keep, ..PrivacyOptions::default() };
            let masked = mask_value(&value, &options);
            // The mask character itself is the one thing a mask is made of.
            prop_assert!(masked.chars().all(|c| c == '*'));
            prop_assert!(value.chars().filter(|&c| c != '*').all(|c| !masked.contains(c)));
        }

        #[test]
        fn default_mask_length_does_not_depend_on_the_value(value in ".+") {
            prop_assert_eq!(mask_value(&value, &PrivacyOptions::default()).len(), MASK.len());
        }

        #[test]
        fn preserved_length_matches(value in any::<String>()) {
            prop_assert_eq!(mask_value(&value, &preserving()).chars().count(), value.chars().count());
        }

        #[test]
        fn masked_text_reveals_no_non_whitespace(text in any::<String>()) {
            let masked = mask_text(&text, &PrivacyOptions::default());
            prop_assert!(masked.chars().all(|c| c == '*' || c.is_whitespace()));
        }
    }
}
