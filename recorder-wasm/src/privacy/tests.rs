use std::borrow::Cow;

use super::*;

fn options() -> PrivacyOptions {
    PrivacyOptions::default()
}

#[test]
fn masked_text_is_masked_and_never_scrubbed_instead() {
    assert_eq!(
        apply_text_privacy(" Jane Doe ", true, &options()),
        " ****** "
    );
    assert_eq!(apply_text_privacy("me@x.com", true, &options()), MASK);
}

#[test]
fn mask_all_text_masks_even_unmarked_text() {
    let all = PrivacyOptions {
        mask_all_text: true,
        ..options()
    };
    assert_eq!(apply_text_privacy("hello", false, &all), MASK);
    assert!(matches!(
        apply_text_privacy("\n  ", false, &all),
        Cow::Borrowed("\n  ")
    ));
}

#[test]
fn unmasked_text_is_scrubbed_only_when_mask_pii_is_on() {
    assert_eq!(
        apply_text_privacy("hi me@x.com", false, &options()),
        "hi [email]"
    );
    let off = PrivacyOptions {
        mask_pii: false,
        ..options()
    };
    assert!(matches!(
        apply_text_privacy("hi me@x.com", false, &off),
        Cow::Borrowed(_)
    ));
}

#[test]
fn always_masked_field_values_are_masked_whatever_the_options() {
    let lax = PrivacyOptions {
        mask_all_inputs: false,
        mask_pii: false,
        ..options()
    };
    let password = classify_field("input", Some("password"), None);
    assert_eq!(
        attribute_privacy("value", "hunter2", password, false, &lax),
        MASK
    );
    assert_eq!(attribute_privacy("VALUE", "", password, false, &lax), "");
}

#[test]
fn masked_field_values_follow_mask_all_inputs() {
    let field = classify_field("input", Some("text"), None);
    assert_eq!(
        attribute_privacy("value", "Jane", field, false, &options()),
        MASK
    );
    let lax = PrivacyOptions {
        mask_all_inputs: false,
        ..options()
    };
    assert_eq!(
        attribute_privacy("value", "Jane", field, false, &lax),
        "Jane"
    );
    assert_eq!(
        attribute_privacy("value", "me@x.com", field, false, &lax),
        "[email]"
    );
    assert_eq!(attribute_privacy("value", "Jane", field, true, &lax), MASK);
}

#[test]
fn author_written_values_are_not_masked_as_field_values() {
    let submit = classify_field("input", Some("submit"), None);
    assert_eq!(
        attribute_privacy("value", "Pay now", submit, false, &options()),
        "Pay now"
    );
    let checkbox = classify_field("input", Some("checkbox"), None);
    assert_eq!(
        attribute_privacy("value", "newsletter", checkbox, false, &options()),
        "newsletter"
    );
    let field = classify_field("input", Some("email"), None);
    assert_eq!(
        attribute_privacy("placeholder", "Your email", field, false, &options()),
        "Your email"
    );
}

#[test]
fn text_attributes_under_a_masked_subtree_are_masked() {
    let none = FieldPrivacy::NotAField;
    for name in [
        "title",
        "alt",
        "placeholder",
        "aria-label",
        "Aria-Description",
        "label",
        "content",
    ] {
        assert_eq!(
            attribute_privacy(name, "Jane Doe", none, true, &options()),
            MASK,
            "{name}"
        );
    }
    assert_eq!(
        attribute_privacy("href", "/profile", none, true, &options()),
        "/profile"
    );
}

#[test]
fn other_attributes_are_scrubbed_including_urls() {
    let none = FieldPrivacy::NotAField;
    assert_eq!(
        attribute_privacy("href", "mailto:me@x.com", none, false, &options()),
        "mailto:[email]"
    );
    assert_eq!(
        attribute_privacy("title", "card 4111111111111111", none, false, &options()),
        "card [card]"
    );
    let off = PrivacyOptions {
        mask_pii: false,
        ..options()
    };
    assert_eq!(
        attribute_privacy("href", "mailto:me@x.com", none, false, &off),
        "mailto:me@x.com"
    );
}

#[test]
fn identifiers_resources_and_own_markers_are_not_scrubbed() {
    let none = FieldPrivacy::NotAField;
    for name in [
        "class",
        "ID",
        "style",
        "src",
        "srcset",
        "data-affidavit-mask",
        "DATA-AFFIDAVIT-x",
    ] {
        let value = "me@x.com";
        assert!(
            matches!(attribute_privacy(name, value, none, false, &options()), Cow::Borrowed(v) if v == value),
            "{name}"
        );
    }
    assert_eq!(
        attribute_privacy("data-user", "me@x.com", none, false, &options()),
        "[email]"
    );
    assert_eq!(
        attribute_privacy("dätä", "me@x.com", none, false, &options()),
        "[email]"
    );
}
