//! CORS for the ingest endpoint, per project.
//!
//! Allowed origins belong to projects, so a static CORS layer cannot express them:
//! the actual request is checked against its own project's list. A preflight
//! carries no key, so it is answered for any origin some project allows; the real
//! request is still refused (403) if its project does not allow that origin.
//! Requests without an `Origin` header are not from a browser page and are not
//! subject to CORS; the write key still applies.

use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderValue};

use crate::storage::Project;

/// True when `origin` may send batches for `project` (`*` allows any origin).
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
}

/// Is this request allowed for the project? `None` origin means not a browser.
pub fn check(project: &Project, origin: Option<&str>) -> bool {
    origin.is_none_or(|o| origin_allowed(&project.allowed_origins, o))
}

/// Adds the headers that let the page read the response.
pub fn decorate(response: &mut HttpResponse, origin: Option<&str>) {
    let Some(origin) = origin else { return };
    let Ok(value) = HeaderValue::from_str(origin) else {
        return;
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
}

/// The preflight answer for an origin that some project allows.
pub fn preflight(origin: &str) -> HttpResponse {
    let mut response = HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "Content-Type, X-Affidavit-Key",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .finish();
    decorate(&mut response, Some(origin));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_origins_and_wildcard() {
        let allowed = vec!["https://shop.example".to_owned()];
        assert!(origin_allowed(&allowed, "https://shop.example"));
        assert!(origin_allowed(&allowed, "HTTPS://SHOP.EXAMPLE"));
        assert!(!origin_allowed(&allowed, "https://evil.example"));
        assert!(!origin_allowed(&allowed, "https://shop.example.evil"));
        assert!(!origin_allowed(&[], "https://shop.example"));
        assert!(origin_allowed(&["*".to_owned()], "https://anything"));
    }
}
