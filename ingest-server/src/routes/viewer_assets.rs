//! The viewer's page and files: `GET /`, `/login`, `/sessions`,
//! `/sessions/{id}` all serve the one HTML shell (the WASM picks the page from
//! the path), and `GET /viewer/{file}` its script, module, wasm and styles from
//! `assets.viewer_dir`.
//!
//! The shell carries the log key the deployment pins (setting
//! `viewer.pinned_log_key`, else this server's key) and a strict Content
//! Security Policy: scripts only from here (plus `'wasm-unsafe-eval'` for the
//! module), nothing framing the viewer, and the replay frame inheriting a policy
//! under which recorded pages can load their images and styles but no script.

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, web};

use super::assets::{AssetPath, content_type, read, respond};
use crate::error::ApiError;
use crate::state::AppState;

/// Replaced in `index.html` by the pinned log key.
pub const LOG_KEY_PLACEHOLDER: &str = "__AFFIDAVIT_LOG_KEY__";

const NOT_BUILT: &str = "the viewer is not built (run scripts/build-viewer)";

/// What the viewer page may load. Recorded pages are rebuilt in a frame that
/// inherits this: their images, fonts, media and stylesheets load from where
/// they were (`data:` for inlined sheets), their scripts never run.
pub const VIEWER_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline' data: http: https:; img-src * data: blob:; \
     font-src * data:; media-src * data: blob:; connect-src 'self'; frame-src 'self' about:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn register(cfg: &mut web::ServiceConfig) {
    for path in ["/", "/login", "/sessions", "/sessions/", "/sessions/{id}"] {
        cfg.route(path, web::get().to(page));
    }
    cfg.service(
        web::resource("/viewer/{file}")
            .wrap(Compress::default())
            .route(web::get().to(file)),
    );
}

/// The HTML shell, with the pinned key filled in.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if req.path() == "/" {
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, "/sessions"))
            .finish());
    }
    let path = AssetPath::file("index.html")?;
    let Some(body) = read(&path.under(&state.settings.assets.viewer_dir)).await? else {
        return Err(ApiError::NotFound(NOT_BUILT.into()));
    };
    let key = state
        .settings
        .viewer
        .pinned_log_key
        .clone()
        .unwrap_or_else(|| state.signer.verifier().to_vkey());
    let html = String::from_utf8_lossy(&body).replace(LOG_KEY_PLACEHOLDER, &html_attribute(&key));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, VIEWER_CSP))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

/// `GET /viewer/{file}`.
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let path = AssetPath::file(&name)?;
    let Some(body) = read(&path.under(&state.settings.assets.viewer_dir)).await? else {
        return Err(ApiError::NotFound(format!(
            "no such viewer file ({NOT_BUILT}?)"
        )));
    };
    Ok(respond(&req, body, content_type(path.extension())))
}

/// A value safe inside a double-quoted HTML attribute.
fn html_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_break_out_of_the_attribute() {
        assert_eq!(
            html_attribute("a+b\"><script>"),
            "a+b&quot;&gt;&lt;script&gt;"
        );
    }
}
