//! Finding email addresses, card numbers and IBANs in ordinary page text.
//!
//! Decision: hand-written scanners instead of the `regex` crate (hundreds of KiB of wasm),
//! run one after another (emails, then IBANs, then cards) so each sees the previous one's
//! tokens rather than competing for overlapping spans. Every match starts and ends on an ASCII
//! byte, so the byte offsets they return are always character boundaries; slicing still goes
//! through `get`, so a mistake there would leave text out rather than panic in the host page.

use std::borrow::Cow;

use super::{cards, iban};

/// Replaces email addresses with `[email]`, IBANs passing the mod-97 check with `[iban]` and
/// Luhn-valid card numbers with `[card]`. Text with none of them comes back borrowed: the
/// common case allocates nothing.
///
/// * Email: a local part of `A-Z a-z 0-9 . _ % + -`, `@`, then two or more dot-separated
///   labels of which the last is at least two letters (`me@x.com.` loses only `me@x.com`).
/// * Card: 13–19 digits, in one run or in groups of three or more digits split by single
///   spaces or hyphens. A group glued to a letter, another digit or a decimal point belongs to
///   something longer and is never part of a card.
/// * IBAN: two capital letters, two digits and 11–30 letters or digits, written solid or in
///   groups of four split by single spaces (the last group may be shorter).
pub fn scrub_pii(text: &str) -> Cow<'_, str> {
    let text = replace_all(Cow::Borrowed(text), next_email, "[email]");
    let text = replace_all(text, iban::next_iban, "[iban]");
    replace_all(text, cards::next_card, "[card]")
}

/// Finds the next match at or after a byte offset: `(start, end)` byte offsets.
type Finder = fn(&str, usize) -> Option<(usize, usize)>;

fn replace_all<'a>(text: Cow<'a, str>, find: Finder, token: &str) -> Cow<'a, str> {
    let mut out = String::new();
    let mut copied = 0;
    while let Some((start, end)) = find(&text, copied) {
        // Finders only move forward; the guard makes an endless loop impossible regardless.
        if start < copied || end <= start {
            break;
        }
        out.push_str(text.get(copied..start).unwrap_or_default());
        out.push_str(token);
        copied = end;
    }
    if copied == 0 {
        return text;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

fn next_email(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut search = from;
    loop {
        let at = search + text.get(search..)?.find('@')?;
        let mut start = at;
        while start > from && bytes.get(start - 1).is_some_and(|&b| is_local_part(b)) {
            start -= 1;
        }
        if start < at
            && let Some(end) = domain_end(text, at + 1)
        {
            return Some((start, end));
        }
        search = at + 1;
    }
}

fn is_local_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// End of the longest run of labels from `from` whose last label is a top-level domain (two
/// or more letters, any script: internationalised domains count).
fn domain_end(text: &str, from: usize) -> Option<usize> {
    let mut chars = text.get(from..)?.char_indices();
    let (mut end, mut dots, mut len, mut letters_only) = (None, 0, 0, true);
    loop {
        let next = chars.next();
        if let Some((_, c)) = next
            && (c == '-' || c.is_alphanumeric())
        {
            len += 1;
            letters_only &= c.is_alphabetic();
            continue;
        }
        if len == 0 {
            return end;
        }
        if dots > 0 && letters_only && len >= 2 {
            end = Some(next.map_or(text.len(), |(i, _)| from + i));
        }
        if !matches!(next, Some((_, '.'))) {
            return end;
        }
        (dots, len, letters_only) = (dots + 1, 0, true);
    }
}

/// Whether the number or code starting at byte `at` continues something before it: a letter,
/// a digit, `_`, or a decimal point or comma after a digit (`3.14159…`).
pub(super) fn glued_before(text: &str, at: usize) -> bool {
    let prev = text.get(..at).and_then(|head| head.chars().next_back());
    match prev {
        Some('.' | ',') => at
            .checked_sub(2)
            .and_then(|i| text.as_bytes().get(i))
            .is_some_and(u8::is_ascii_digit),
        Some(c) => is_word(c),
        None => false,
    }
}

/// Whether the number or code ending at byte `at` is followed by more of the same (see
/// [`glued_before`]).
pub(super) fn glued_after(text: &str, at: usize) -> bool {
    match text.get(at..).and_then(|tail| tail.chars().next()) {
        Some('.' | ',') => text.as_bytes().get(at + 1).is_some_and(u8::is_ascii_digit),
        Some(c) => is_word(c),
        None => false,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
#[path = "pii_tests.rs"]
mod tests;
