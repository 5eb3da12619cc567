//! Who may use the viewer: accounts with roles, Argon2id password hashes, and
//! login sessions carried by an HttpOnly, SameSite=Strict cookie.
//!
//! The cookie holds a random token; the database holds only its SHA-256, so a
//! leaked copy of the database logs nobody in. Every state-changing request made
//! with the cookie must also carry the session's CSRF token in a header, which a
//! page on another origin cannot read or forge. Repeated failed logins from one
//! client are refused for a while ([`limiter`]).

pub mod extract;
pub mod limiter;
pub mod password;
pub mod role;
pub mod token;

pub use extract::{CSRF_HEADER, SESSION_COOKIE, Viewer};
pub use role::{Role, UserName};
