//! URL pieces the session index stores and searches by.
//!
//! Prefix search runs as a range on an ordinary B-tree index (`url >= p AND url < next`)
//! rather than `LIKE 'p%'`: a range needs no escaping of `%` and `_`, and the database can
//! use the index with a bound parameter, where PostgreSQL plans `LIKE $1` without knowing
//! the prefix. Both stores compare these columns byte by byte (SQLite's BINARY collation,
//! PostgreSQL's `COLLATE "C"`), and UTF-8 bytes sort in code point order, so the bound
//! computed here over `char`s is the bound the database applies.

/// The path of an absolute URL: `https://shop.example/cart?x=1#top` → `/cart`; `/` when
/// the URL has none. URLs without `://` (`about:blank`, `data:…`) have no path: `""`.
pub fn path_of(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return "";
    };
    let Some(start) = rest.find(['/', '?', '#']) else {
        return "/";
    };
    let after_host = &rest[start..];
    if !after_host.starts_with('/') {
        return "/";
    }
    let end = after_host.find(['?', '#']).unwrap_or(after_host.len());
    &after_host[..end]
}

/// The smallest string greater than every string that starts with `prefix`, if there is
/// one: `/cart` → `/caru`. `None` for an empty prefix or one made only of `char::MAX`, whose
/// range has no upper end.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = next_char(last) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The next Unicode scalar value, skipping the surrogate gap.
fn next_char(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(u32::from(c) + 1),
    }
}

/// `text` made safe to store and bounded: NUL removed (PostgreSQL text cannot hold it),
/// then cut to at most `max_bytes` on a character boundary.
pub fn clean(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_bytes));
    for c in text.chars().filter(|&c| c != '\0') {
        if out.len() + c.len_utf8() > max_bytes {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths() {
        assert_eq!(path_of("https://shop.example/cart?x=1#top"), "/cart");
        assert_eq!(path_of("https://shop.example"), "/");
        assert_eq!(path_of("https://shop.example?x=1"), "/");
        assert_eq!(path_of("https://shop.example#/spa/route"), "/");
        assert_eq!(path_of("http://a:8080/x/y/"), "/x/y/");
        assert_eq!(path_of("about:blank"), "");
    }

    #[test]
    fn upper_bounds() {
        assert_eq!(prefix_upper_bound("/cart").as_deref(), Some("/caru"));
        assert_eq!(
            prefix_upper_bound("a\u{D7FF}").as_deref(),
            Some("a\u{E000}")
        );
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound(""), None);
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
    }

    #[test]
    fn cleaning_drops_nul_and_cuts_on_a_char_boundary() {
        assert_eq!(clean("a\0b", 10), "ab");
        assert_eq!(clean("héllo", 2), "h");
        assert_eq!(clean("héllo", 3), "hé");
        assert_eq!(clean("abc", 0), "");
    }

    fn text() -> impl Strategy<Value = String> {
        // Small alphabet with the edge characters, so prefixes actually collide.
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('b'),
                Just('/'),
                Just('\u{7F}'),
                Just('\u{D7FF}'),
                Just('\u{E000}'),
                Just('\u{10FFFF}'),
                any::<char>(),
            ],
            0..6,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        /// The range test the database runs, compared as bytes, is exactly `starts_with`.
        #[test]
        fn the_byte_range_is_exactly_the_prefix_match(s in text(), p in text()) {
            let upper = prefix_upper_bound(&p);
            let in_range = s.as_bytes() >= p.as_bytes()
                && upper.as_ref().is_none_or(|u| s.as_bytes() < u.as_bytes());
            prop_assert_eq!(in_range, s.starts_with(&p));
        }

        #[test]
        fn cleaned_text_fits_and_is_a_prefix_of_the_text_without_nul(s in any::<String>(), max in 0usize..12) {
            let cleaned = clean(&s, max);
            prop_assert!(cleaned.len() <= max);
            prop_assert!(s.replace('\0', "").starts_with(&cleaned));
        }
    }
}
