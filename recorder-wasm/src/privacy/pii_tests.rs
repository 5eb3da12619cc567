use std::borrow::Cow;

use proptest::prelude::*;

use super::scrub_pii;
use crate::privacy::{iban_valid, luhn_valid};

fn scrubbed(text: &str) -> String {
    scrub_pii(text).into_owned()
}

fn untouched(text: &str) {
    assert!(
        matches!(scrub_pii(text), Cow::Borrowed(t) if t == text),
        "{text:?} was changed"
    );
}

#[test]
fn known_test_cards_are_scrubbed() {
    assert_eq!(
        scrubbed("Card: 4111 1111 1111 1111, thanks"),
        "Card: [card], thanks"
    );
    assert_eq!(scrubbed("5500-0000-0000-0004"), "[card]");
    assert_eq!(scrubbed("amex 378282246310005."), "amex [card].");
    assert_eq!(scrubbed("amex 3782 822463 10005"), "amex [card]");
    assert_eq!(
        scrubbed("4111111111111111/5500000000000004"),
        "[card]/[card]"
    );
}

#[test]
fn luhn_invalid_numbers_are_kept() {
    assert!(!luhn_valid("4111111111111112"));
    untouched("Card: 4111 1111 1111 1112");
    untouched("4111111111111112");
}

#[test]
fn card_shaped_digits_inside_longer_numbers_or_words_are_kept() {
    // The whole run fails Luhn, and the valid 4111… inside it must not be carved out.
    for longer in ["94111111111111111", "41111111111111119"] {
        assert!(!luhn_valid(longer));
        untouched(longer);
    }
    // More than 19 digits is never a card, even when Luhn-valid.
    assert!(luhn_valid("41111111111111110000"));
    untouched("41111111111111110000");
    untouched("ref4111111111111111");
    untouched("4111111111111111abc");
    untouched("pi is 3.4111111111111111");
    untouched("4111111111111111.5 units");
}

#[test]
fn a_card_after_an_unrelated_group_is_still_found() {
    assert_eq!(scrubbed("order 12 4111 1111 1111 1111"), "order 12 [card]");
    assert_eq!(scrubbed("x4111 4111 1111 1111 1111"), "x4111 [card]");
}

#[test]
fn short_groups_phone_numbers_and_dates_are_kept() {
    let list = "1 2 3 4 5 6 7 8 9 1 2 3 3";
    assert!(luhn_valid(&list.replace(' ', "")));
    untouched(list);
    untouched("Call +1 415 555 0123 on 2024-01-15, order #123456");
}

#[test]
fn emails_in_prose_are_scrubbed() {
    assert_eq!(
        scrubbed("Write to jane.doe+tag@mail.example.co.uk."),
        "Write to [email]."
    );
    assert_eq!(
        scrubbed("mailto:bob@x.io?subject=hi"),
        "mailto:[email]?subject=hi"
    );
    assert_eq!(scrubbed("a@b.cd, e_f@g.hi"), "[email], [email]");
    assert_eq!(scrubbed("(anna@bücher.de)"), "([email])");
    assert_eq!(scrubbed("4111111111111111@x.com"), "[email]");
}

#[test]
fn things_that_are_not_emails_are_kept() {
    for text in [
        "a@b",
        "user@localhost",
        "@foo.com",
        "me@x.c",
        "price@3.50",
        "a@.com",
        "x@@y.z",
    ] {
        untouched(text);
    }
}

#[test]
fn ibans_are_scrubbed() {
    assert_eq!(
        scrubbed("IBAN: GB82 WEST 1234 5698 7654 32 please"),
        "IBAN: [iban] please"
    );
    assert_eq!(scrubbed("DE89370400440532013000"), "[iban]");
    assert_eq!(
        scrubbed("to AT61 1904 3002 3457 3201 THEN go"),
        "to [iban] THEN go"
    );
}

#[test]
fn ibans_with_a_wrong_check_digit_or_glued_are_kept() {
    assert!(!iban_valid("GB83WEST12345698765432"));
    untouched("IBAN: GB83 WEST 1234 5698 7654 32");
    untouched("DE88370400440532013000");
    untouched("XGB82WEST12345698765432");
    untouched("GB82WEST12345698765432é");
}

#[test]
fn text_without_pii_is_borrowed() {
    untouched("");
    untouched("Hello, world! Your order 42 ships on 3 May.");
    untouched("日本語のテキスト 🚀");
}

/// Appends the Luhn check digit to `body`.
fn with_luhn_digit(body: &str) -> String {
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|n| luhn_valid(n))
        .unwrap_or_default()
}

/// Builds a valid IBAN for `country` and `bban`.
fn with_iban_check(country: &str, bban: &str) -> String {
    (2..=98)
        .map(|d| format!("{country}{d:02}{bban}"))
        .find(|iban| iban_valid(iban))
        .unwrap_or_default()
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_unicode(text in any::<String>()) {
        let _ = scrub_pii(&text);
    }

    #[test]
    fn never_panics_near_pii_shapes(text in "[0-9 \\-@.a-zA-Z%+_,éß€ \u{a0}]{0,80}") {
        let _ = scrub_pii(&text);
    }

    #[test]
    fn text_without_at_or_digits_is_borrowed(text in "[^@0-9]*") {
        prop_assert!(matches!(scrub_pii(&text), Cow::Borrowed(_)));
    }

    #[test]
    fn every_luhn_valid_card_in_prose_is_scrubbed(body in "[1-9][0-9]{14}", sep in "[ -]?") {
        let card = with_luhn_digit(&body);
        let grouped: Vec<&str> = card.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
        let text = format!("pay with {} today", grouped.join(&sep));
        prop_assert_eq!(scrubbed(&text), "pay with [card] today");
    }

    #[test]
    fn every_valid_iban_in_prose_is_scrubbed(country in "[A-Z]{2}", bban in "[0-9A-Z]{11,30}") {
        let iban = with_iban_check(&country, &bban);
        let text = format!("send to {iban} now");
        prop_assert_eq!(scrubbed(&text), "send to [iban] now");
    }

    #[test]
    fn every_plain_email_is_scrubbed(local in "[a-z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,20}", tld in "[a-z]{2,6}") {
        let text = format!("mail {local}@{domain}.{tld} now");
        prop_assert_eq!(scrubbed(&text), "mail [email] now");
    }
}
