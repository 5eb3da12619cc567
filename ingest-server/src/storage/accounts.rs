//! Rows of the account tables (users and their logins).

use crate::auth::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at_ms: i64,
}

/// A login to store: the SHA-256 of the cookie's token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogin {
    pub token_hash: [u8; 32],
    pub user: String,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A live login and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRow {
    pub user: UserRow,
    pub csrf_token: String,
    pub expires_at_ms: i64,
}

/// A stored role name back to a [`Role`]; anything else is corrupt data.
pub(crate) fn role_from_db(value: &str) -> Result<Role, super::StorageError> {
    Role::parse(value).map_err(super::StorageError::Integrity)
}
