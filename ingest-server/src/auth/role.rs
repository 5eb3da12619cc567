//! Roles and user names as validated values.

use std::fmt;

/// What a user may do. `admin` manages users, projects and keys; `reviewer`
/// replays and exports evidence; `support` replays only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Reviewer,
    Support,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Reviewer, Role::Support];

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a role: use admin, reviewer or support"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Support => "support",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 1–64 of `a-z 0-9 . _ - @`, so it is safe in the `user:NAME`
/// actor of audit entries, in logs and in URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserName(String);

impl UserName {
    pub fn parse(s: &str) -> Result<UserName, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'.' | b'_' | b'-' | b'@')
            });
        if ok {
            Ok(UserName(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a user name: use 1-64 of a-z, 0-9, '.', '_', '-' and '@'"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The actor recorded in audit entries this user causes.
    pub fn actor(&self) -> String {
        format!("user:{}", self.0)
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_ones_are_refused() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("root").is_err());
        assert!(Role::parse("Admin").is_err());
    }

    #[test]
    fn user_names() {
        assert!(UserName::parse("alice").is_ok());
        assert!(UserName::parse("a.b-c_d@example.com").is_ok());
        for bad in ["", "Alice", "a b", "a:b", "a/b", &"a".repeat(65)] {
            assert!(UserName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            UserName::parse("alice").map(|u| u.actor()),
            Ok("user:alice".into())
        );
    }
}
