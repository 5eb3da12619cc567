//! IBANs: the ISO 13616 mod-97 check and the scanner that finds them in text.
//!
//! Decision: only strings passing mod-97 are masked. Two capitals, two digits and a dozen
//! alphanumerics describe many product codes and references; the checksum is what tells an
//! account number apart (a random string passes about once in 97 tries).

use super::pii::{glued_after, glued_before};

const MIN_LEN: usize = 15;
const MAX_LEN: usize = 34;
/// `MAX_LEN` in groups of four.
const MAX_GROUPS: usize = MAX_LEN.div_ceil(4);

/// Whether `s` is an IBAN: two capital letters, two digits, then 11–30 letters or digits
/// (spaces anywhere are ignored), and the ISO 13616 mod-97 remainder is 1.
pub fn iban_valid(s: &str) -> bool {
    checksum_ok(s.as_bytes())
}

fn checksum_ok(span: &[u8]) -> bool {
    let chars = span.iter().copied().filter(|&b| b != b' ');
    let shaped = chars.clone().enumerate().all(|(i, b)| match i {
        0 | 1 => b.is_ascii_uppercase(),
        2 | 3 => b.is_ascii_digit(),
        _ => b.is_ascii_alphanumeric(),
    });
    if !shaped || !(MIN_LEN..=MAX_LEN).contains(&chars.clone().count()) {
        return false;
    }
    // The country code and check digits move to the end; letters count as 10..=35. Reducing
    // at each step keeps the number small.
    let rearranged = chars.clone().skip(4).chain(chars.take(4));
    let remainder = rearranged.fold(0u32, |r, b| {
        if b.is_ascii_digit() {
            (r * 10 + u32::from(b - b'0')) % 97
        } else {
            (r * 100 + u32::from(b.to_ascii_uppercase() - b'A') + 10) % 97
        }
    });
    remainder == 1
}

/// The next valid IBAN at or after byte `from`, written solid or in groups of four.
pub(super) fn next_iban(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    // Stepping byte by byte is safe: a start must be an ASCII capital, never a byte inside a
    // multi-byte character.
    (from..bytes.len()).find_map(|start| iban_at(text, start))
}

fn iban_at(text: &str, start: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let prefix = byte(start).is_ascii_uppercase()
        && byte(start + 1).is_ascii_uppercase()
        && byte(start + 2).is_ascii_digit()
        && byte(start + 3).is_ascii_digit();
    if !prefix || glued_before(text, start) {
        return None;
    }
    let first = token_end(bytes, start);
    if first - start != 4 {
        let solid = !glued_after(text, first) && bytes.get(start..first).is_some_and(checksum_ok);
        return solid.then_some((start, first));
    }
    // Grouped: collect every possible end, then try the longest first, so a word of four
    // letters after a complete IBAN is not taken as its last group.
    let mut ends = [first; MAX_GROUPS];
    let mut count = 1;
    let mut end = first;
    while count < MAX_GROUPS && byte(end) == b' ' {
        let next = token_end(bytes, end + 1);
        let len = next - (end + 1);
        if !(1..=4).contains(&len) {
            break;
        }
        if let Some(slot) = ends.get_mut(count) {
            *slot = next;
        }
        count += 1;
        end = next;
        if len < 4 {
            break;
        }
    }
    ends.iter().take(count).rev().find_map(|&end| {
        let ok = !glued_after(text, end) && bytes.get(start..end).is_some_and(checksum_ok);
        ok.then_some((start, end))
    })
}

fn token_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes.get(start..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_ibans() {
        for iban in [
            "GB82WEST12345698765432",
            "GB82 WEST 1234 5698 7654 32",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
        ] {
            assert!(iban_valid(iban), "{iban}");
        }
    }

    #[test]
    fn rejects_wrong_check_digits_and_shapes() {
        for iban in [
            "GB83WEST12345698765432",
            "DE88370400440532013000",
            "gb82WEST12345698765432",
            "GB82WEST1234",
            "GB82WEST12345698765432-",
            "",
            "GB82WÉST12345698765432",
        ] {
            assert!(!iban_valid(iban), "{iban}");
        }
    }
}
