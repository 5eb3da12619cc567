//! Relative `url(…)` references in CSS text, made absolute so a replay never depends on the
//! page's own host to resolve them (a stylesheet's URLs are relative to the stylesheet,
//! which the replay no longer has).
//!
//! A small scanner rather than a CSS parser: only `url(` tokens are rewritten, quoted or not;
//! everything else is copied byte for byte. `data:` and already-absolute URLs are left alone.

use std::borrow::Cow;

/// Rewrites every relative `url(…)` in `css` with `resolve`, which returns the absolute URL
/// (or `None` to keep the original). Returns the input unchanged when nothing was rewritten.
pub fn absolutize<'a>(css: &'a str, resolve: impl Fn(&str) -> Option<String>) -> Cow<'a, str> {
    let lower = css.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|rest| rest.find("url(")) {
        let open = search + found + 4;
        search = open;
        let Some((start, end, inner_end)) = url_bounds(css, open) else {
            continue;
        };
        let Some(url) = css.get(start..end) else {
            continue;
        };
        if !is_relative(url) {
            search = inner_end;
            continue;
        }
        if let Some(absolute) = resolve(url) {
            out.push_str(css.get(copied..start).unwrap_or_default());
            out.push_str(&absolute);
            copied = end;
        }
        search = inner_end;
    }
    if copied == 0 {
        return Cow::Borrowed(css);
    }
    out.push_str(css.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// For `url(` ending at `open`: the URL's byte range (inside any quotes) and the index just
/// past the closing parenthesis.
fn url_bounds(css: &str, open: usize) -> Option<(usize, usize, usize)> {
    let rest = css.get(open..)?;
    let leading = rest.len() - rest.trim_start().len();
    let body = open + leading;
    let first = css.get(body..)?.chars().next()?;
    if first == '"' || first == '\'' {
        let close = css.get(body + 1..)?.find(first)? + body + 1;
        let paren = css.get(close..)?.find(')')? + close;
        Some((body + 1, close, paren + 1))
    } else {
        let paren = css.get(body..)?.find(')')? + body;
        let url = css.get(body..paren)?.trim_end();
        Some((body, body + url.len(), paren + 1))
    }
}

fn is_relative(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    !(lower.is_empty()
        || lower.starts_with("data:")
        || lower.starts_with("blob:")
        || lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("//")
        || lower.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(url: &str) -> Option<String> {
        Some(format!("https://shop.example/css/{url}"))
    }

    #[test]
    fn rewrites_relative_urls_in_every_quoting_style() {
        let css = "a{background:url(img/a.png)} b{src:url( 'b.woff' )} c{x:URL(\"c.svg\")}";
        assert_eq!(
            absolutize(css, resolve),
            "a{background:url(https://shop.example/css/img/a.png)} \
             b{src:url( 'https://shop.example/css/b.woff' )} \
             c{x:URL(\"https://shop.example/css/c.svg\")}"
        );
    }

    #[test]
    fn leaves_absolute_data_and_fragment_urls_borrowed() {
        let css = "a{b:url(https://x/y.png);c:url(data:image/png;base64,AAAA);d:url(#f)}";
        assert!(matches!(absolutize(css, resolve), Cow::Borrowed(_)));
    }

    #[test]
    fn unterminated_url_is_copied_as_is() {
        let css = "a{b:url(unterminated";
        assert_eq!(absolutize(css, resolve), css);
        assert_eq!(absolutize("url('x)", resolve), "url('x)");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_keeps_text_outside_urls(css in ".{0,200}") {
            let out = absolutize(&css, resolve);
            if !css.to_ascii_lowercase().contains("url(") {
                proptest::prop_assert_eq!(out.as_ref(), css.as_str());
            }
        }
    }
}
