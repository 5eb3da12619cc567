//! Validated values: if one exists, it is valid.

use std::fmt;

/// A project id: 1–64 characters of `a-z 0-9 - _`, so it is safe in URLs, logs and
/// the entry layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectId(String);

impl ProjectId {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(ProjectId(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a project id: use 1-64 of a-z, 0-9, - and _"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An allowed browser origin: `*`, or `scheme://host[:port]` with no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin(String);

impl AllowedOrigin {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s == "*" {
            return Ok(AllowedOrigin(s.to_owned()));
        }
        let bad = || format!("{s:?} is not an origin: use scheme://host[:port] (no path) or *");
        let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
        let scheme_ok = matches!(scheme, "http" | "https");
        let host_ok = !rest.is_empty() && !rest.contains(['/', '?', '#', '@', ' ']);
        if scheme_ok && host_ok {
            Ok(AllowedOrigin(s.to_ascii_lowercase()))
        } else {
            Err(bad())
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A new public write key: 24 random bytes, hex, with a recognisable prefix.
pub fn new_write_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(format!("awk_{}", hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids() {
        assert!(ProjectId::parse("shop-eu_1").is_ok());
        for bad in ["", "Shop", "a b", "x/y", &"a".repeat(65)] {
            assert!(ProjectId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn origins() {
        assert!(AllowedOrigin::parse("https://shop.example").is_ok());
        assert!(AllowedOrigin::parse("http://127.0.0.1:8080").is_ok());
        assert!(AllowedOrigin::parse("*").is_ok());
        for bad in [
            "shop.example",
            "https://shop.example/",
            "ftp://x",
            "https://",
            "https://a@b",
        ] {
            assert!(AllowedOrigin::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn write_keys_are_random() {
        let a = new_write_key().expect("key");
        assert!(a.starts_with("awk_") && a.len() == 52);
        assert_ne!(a, new_write_key().expect("key"));
    }
}
