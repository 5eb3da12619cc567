//! What a recorded attribute becomes in the replay.
//!
//! The recording is untrusted input rendered inside the viewer's origin, so the
//! replay is defended twice: the frame is sandboxed without scripts, forms or
//! navigation, and nothing that could run or leave the frame is written into it
//! at all. Attributes that would reach the network or navigate on their own
//! (`iframe src`, `meta http-equiv`, `autoplay`) are kept under a
//! `data-affidavit-replay-` name, so the DOM still says what the page had and
//! tests can map them back.
//!
//! Pure, so the rules are tested natively.

/// Prefix of attributes the replay renamed instead of applying.
pub const RENAMED_PREFIX: &str = "data-affidavit-replay-";
/// The recorder's attribute holding a same-origin stylesheet's text.
pub const INLINED_CSS: &str = "_css";

/// What to do with one recorded attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeAction {
    Set(String, String),
    Skip,
}

/// Decides one attribute of an element with lower-case `tag` (`svg` keeps case).
/// `has_inlined_css` says whether the element carries the recorder's `_css`
/// (then its `href` must not be fetched).
pub fn attribute(tag: &str, name: &str, value: &str, has_inlined_css: bool) -> AttributeAction {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("on") || lower == INLINED_CSS {
        return AttributeAction::Skip;
    }
    if is_url_attribute(&lower) && is_script_url(value) {
        return AttributeAction::Skip;
    }
    let rename = match (tag, lower.as_str()) {
        ("iframe" | "frame", "src" | "srcdoc") => true,
        ("meta", "http-equiv") => true,
        ("video" | "audio", "autoplay") => true,
        ("link", "href") => has_inlined_css,
        ("object" | "embed", "data" | "src") => true,
        _ => false,
    };
    if rename {
        return AttributeAction::Set(format!("{RENAMED_PREFIX}{lower}"), value.to_owned());
    }
    AttributeAction::Set(name.to_owned(), value.to_owned())
}

/// The `href` that gives a `<link rel=stylesheet>` its recorded text without a
/// request to the recorded site.
pub fn stylesheet_href(css: &str) -> String {
    let mut out = String::with_capacity(css.len() + 32);
    out.push_str("data:text/css;charset=utf-8,");
    for byte in css.bytes() {
        // Escape what ends or breaks a URL; everything else stays readable.
        if byte.is_ascii_alphanumeric() || b" -_.!~*'();:/?@&=+$,{}[]<>|^`\"".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster" | "background"
    )
}

fn is_script_url(value: &str) -> bool {
    // Browsers strip leading whitespace and control characters and ignore case
    // and embedded tabs/newlines when parsing the scheme.
    let scheme: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    scheme.starts_with("javascript:") || scheme.starts_with("vbscript:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, value: &str) -> AttributeAction {
        AttributeAction::Set(name.into(), value.into())
    }

    #[test]
    fn handlers_and_script_urls_never_reach_the_replay() {
        assert_eq!(
            attribute("div", "onclick", "x()", false),
            AttributeAction::Skip
        );
        assert_eq!(
            attribute("div", "ONLOAD", "x()", false),
            AttributeAction::Skip
        );
        for url in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "vbscript:x",
        ] {
            assert_eq!(
                attribute("a", "href", url, false),
                AttributeAction::Skip,
                "{url:?}"
            );
        }
        assert_eq!(
            attribute("a", "href", "https://shop.example/javascript:", false),
            set("href", "https://shop.example/javascript:")
        );
        assert_eq!(
            attribute("link", "_css", "body{}", true),
            AttributeAction::Skip
        );
    }

    #[test]
    fn what_would_load_or_navigate_is_kept_under_a_replay_name() {
        assert_eq!(
            attribute("iframe", "src", "https://shop.example/frame", false),
            set("data-affidavit-replay-src", "https://shop.example/frame")
        );
        assert_eq!(
            attribute("meta", "http-equiv", "refresh", false),
            set("data-affidavit-replay-http-equiv", "refresh")
        );
        assert_eq!(
            attribute("video", "autoplay", "", false),
            set("data-affidavit-replay-autoplay", "")
        );
        assert_eq!(
            attribute("link", "href", "/site.css", true),
            set("data-affidavit-replay-href", "/site.css")
        );
        // Without inlined text, a stylesheet link loads as recorded.
        assert_eq!(
            attribute("link", "href", "https://cdn.example/a.css", false),
            set("href", "https://cdn.example/a.css")
        );
        assert_eq!(
            attribute("img", "src", "https://shop.example/a.png", false),
            set("src", "https://shop.example/a.png")
        );
        assert_eq!(
            attribute("svg", "viewBox", "0 0 1 1", false),
            set("viewBox", "0 0 1 1")
        );
    }

    #[test]
    fn stylesheet_text_becomes_a_data_url_that_cannot_end_early() {
        let href = stylesheet_href("a{content:\"#%\"}\n.b{color:red}");
        assert_eq!(
            href,
            "data:text/css;charset=utf-8,a{content:\"%23%25\"}%0A.b{color:red}"
        );
    }
}
