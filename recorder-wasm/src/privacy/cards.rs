//! Payment-card numbers: the Luhn check and the scanner that finds them in text.
//!
//! Decision: a digit group is atomic. A candidate card is a sequence of whole groups (digits
//! split by single spaces or hyphens), so a card-shaped stretch inside a longer digit run is
//! never masked, while `order 12 4111 1111 1111 1111` still loses the card.

use super::pii::{glued_after, glued_before};

const MIN_DIGITS: usize = 13;
const MAX_DIGITS: usize = 19;
/// Real layouts (4-4-4-4, 4-6-5, 4-4-4-4-3) never have shorter groups; requiring three keeps
/// lists like `1 2 3 4 5 6 7 8 9 1 2 3 4` from being taken for cards.
const MIN_GROUP: usize = 3;

/// Whether `digits` (ASCII digits only, nothing else) passes the Luhn check. Empty or
/// non-digit input is not valid.
pub fn luhn_valid(digits: &str) -> bool {
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && luhn(digits.as_bytes())
}

/// The Luhn check over the digits of `span`, skipping anything else (the separators).
fn luhn(span: &[u8]) -> bool {
    let digits = span.iter().filter(|b| b.is_ascii_digit()).rev();
    let sum = digits.enumerate().fold(0, |sum, (i, &b)| {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        // Reduced as it goes: no overflow whatever the input's length.
        (sum + d) % 10
    });
    sum == 0
}

/// The next Luhn-valid card number at or after byte `from`.
pub(super) fn next_card(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let mut group = at + bytes.get(at..)?.iter().position(u8::is_ascii_digit)?;
        loop {
            if let Some(card) = card_from(text, group) {
                return Some(card);
            }
            match next_group(bytes, group_end(bytes, group)) {
                Some(next) => group = next,
                None => break,
            }
        }
        at = group_end(bytes, group);
    }
}

/// The longest Luhn-valid card made of whole groups starting with the group at `start`.
fn card_from(text: &str, start: usize) -> Option<(usize, usize)> {
    if glued_before(text, start) {
        return None;
    }
    let bytes = text.as_bytes();
    let (mut best, mut digits, mut groups, mut short) = (None, 0, 0, false);
    let mut group = start;
    loop {
        let end = group_end(bytes, group);
        digits += end - group;
        groups += 1;
        short |= end - group < MIN_GROUP;
        if digits > MAX_DIGITS || (short && groups > 1) {
            return best;
        }
        if digits >= MIN_DIGITS
            && !glued_after(text, end)
            && bytes.get(start..end).is_some_and(luhn)
        {
            best = Some((start, end));
        }
        match next_group(bytes, end) {
            Some(next) => group = next,
            None => return best,
        }
    }
}

fn group_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes.get(start..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
}

/// The start of the group after the one ending at `end`, if a single separator joins them.
fn next_group(bytes: &[u8], end: usize) -> Option<usize> {
    let joined = matches!(bytes.get(end), Some(b' ' | b'-'))
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    joined.then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_known_test_numbers() {
        for number in [
            "4111111111111111",
            "5500000000000004",
            "378282246310005",
            "0",
        ] {
            assert!(luhn_valid(number), "{number}");
        }
    }

    #[test]
    fn luhn_rejects_wrong_check_digit_and_non_digits() {
        for number in [
            "4111111111111112",
            "5500000000000005",
            "",
            "4111 1111",
            "４１",
        ] {
            assert!(!luhn_valid(number), "{number}");
        }
    }
}
