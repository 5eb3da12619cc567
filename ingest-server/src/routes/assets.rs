//! The files browsers fetch from the server: the recorder (`GET /affidavit.js`,
//! `GET /recorder/{file}`) from `assets.recorder_dir`, and, with `serve --demo` only,
//! the demo site (`GET /demo/…`) from `assets.www_dir`. The viewer's files are
//! `viewer_assets`'.
//!
//! Requests name files, never paths: every segment must be a plain file name
//! ([`AssetPath`]), so nothing outside the two directories can be reached. Files are
//! read whole on each request — the recorder is about 100 kB — so a rebuilt recorder
//! or an edited demo page shows up without a restart; the content-derived ETag lets
//! browsers revalidate for free.
//!
//! Every asset carries `Access-Control-Allow-Origin: *`: the snippet runs on the
//! customer's origin, and module scripts and `fetch()`ed wasm are CORS requests.

use std::path::{Path, PathBuf};

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::middleware::Compress;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// In demo pages, replaced by the demo project's write key so their snippet tags work.
pub const DEMO_KEY_PLACEHOLDER: &str = "__AFFIDAVIT_DEMO_KEY__";

const NOT_BUILT: &str = "run scripts/build-recorder to build it";

pub fn register(cfg: &mut web::ServiceConfig) {
    // Compressed on the fly: wasm and JS shrink to less than half, and the demo pages
    // are the only other thing served here.
    cfg.service(
        web::resource("/affidavit.js")
            .wrap(Compress::default())
            .route(web::get().to(loader)),
    )
    .service(
        web::resource("/recorder/{file}")
            .wrap(Compress::default())
            .route(web::get().to(recorder)),
    )
    .service(
        web::resource("/demo/{path:.*}")
            .wrap(Compress::default())
            .route(web::get().to(demo)),
    )
    .route("/demo", web::get().to(demo_redirect));
}

/// A request path made only of plain file names (`[A-Za-z0-9._-]+`, not starting
/// with a dot): no `..`, no separators or escapes, no hidden files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPath(Vec<String>);

impl AssetPath {
    /// One plain file name.
    pub fn file(name: &str) -> Result<AssetPath, ApiError> {
        Ok(AssetPath(vec![plain_name(name)?.to_owned()]))
    }

    /// Plain names separated by `/`; an empty path or one ending in `/` means that
    /// directory's `index.html`.
    pub fn nested(path: &str) -> Result<AssetPath, ApiError> {
        let mut segments = Vec::new();
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            if part.is_empty() && parts.peek().is_none() {
                segments.push("index.html".to_owned());
            } else {
                segments.push(plain_name(part)?.to_owned());
            }
        }
        Ok(AssetPath(segments))
    }

    pub(super) fn under(&self, dir: &Path) -> PathBuf {
        self.0.iter().fold(dir.to_path_buf(), |p, s| p.join(s))
    }

    pub(super) fn extension(&self) -> &str {
        self.0
            .last()
            .and_then(|name| name.rsplit_once('.'))
            .map_or("", |(_, ext)| ext)
    }
}

fn plain_name(name: &str) -> Result<&str, ApiError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if plain {
        Ok(name)
    } else {
        Err(ApiError::bad_request(
            "bad_path",
            "asset paths are plain file names: [A-Za-z0-9._-]+, not starting with a dot",
        ))
    }
}

/// `GET /affidavit.js`: the classic-script loader the snippet tag points at.
pub async fn loader(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    serve_recorder(&req, &state, AssetPath::file("affidavit.js")?).await
}

/// `GET /recorder/{file}`: the ES module, the wasm-bindgen glue and the wasm.
pub async fn recorder(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    serve_recorder(&req, &state, AssetPath::file(&file)?).await
}

async fn serve_recorder(
    req: &HttpRequest,
    state: &AppState,
    path: AssetPath,
) -> Result<HttpResponse, ApiError> {
    let dir = &state.settings.assets.recorder_dir;
    let Some(body) = read(&path.under(dir)).await? else {
        let message = if dir.is_dir() {
            format!("no such recorder file: {} ({NOT_BUILT})", path.0.join("/"))
        } else {
            format!("the recorder is not built ({NOT_BUILT})")
        };
        return Err(ApiError::NotFound(message));
    };
    Ok(respond(req, body, content_type(path.extension())))
}

/// `GET /demo/{path}`: the demo site, with the demo write key filled into its pages.
pub async fn demo(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = demo_key(&state)?;
    let path = AssetPath::nested(&path)?;
    let Some(mut body) = read(&path.under(&state.settings.assets.www_dir)).await? else {
        return Err(ApiError::NotFound(format!(
            "no such demo page: /demo/{}",
            path.0.join("/")
        )));
    };
    let ext = path.extension();
    if matches!(ext, "html" | "htm")
        && let Ok(text) = std::str::from_utf8(&body)
        && text.contains(DEMO_KEY_PLACEHOLDER)
    {
        body = text.replace(DEMO_KEY_PLACEHOLDER, key).into_bytes();
    }
    Ok(respond(&req, body, content_type(ext)))
}

/// `GET /demo` → `/demo/`, so the pages' relative links resolve under it.
pub async fn demo_redirect(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    demo_key(&state)?;
    Ok(redirect("/demo/"))
}

fn demo_key(state: &AppState) -> Result<&str, ApiError> {
    state.demo.write_key().ok_or_else(|| {
        ApiError::NotFound(
            "no such endpoint (the demo site is served by `affidavit serve --demo`)".into(),
        )
    })
}

fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The file's bytes; `None` when it (or its directory) does not exist.
pub(super) async fn read(path: &Path) -> Result<Option<Vec<u8>>, ApiError> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        // A directory named like a file is as absent as a missing file.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(ApiError::Internal(
            anyhow::Error::new(e).context(format!("reading asset {}", path.display())),
        )),
    }
}

pub(super) fn content_type(extension: &str) -> &'static str {
    match extension {
        "wasm" => "application/wasm",
        // RFC 9239: text/javascript is the one JavaScript type; charset is fixed.
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// 200 with the body, or 304 when the browser's copy is current. `no-cache` makes
/// browsers revalidate every time, so a new recorder is picked up at the next load.
pub(super) fn respond(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
) -> HttpResponse {
    // Weak: the bytes on the wire differ with the content coding Compress chooses.
    let etag = EntityTag::new_weak(hex::encode(&Sha256::digest(&body)[..16]));
    let fresh = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&etag)),
        None => false,
    };
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(header::ETag(etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        // Pages that isolate themselves (COEP) may still load the recorder.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if fresh {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_asset_paths() {
        assert_eq!(
            AssetPath::file("affidavit_recorder_bg.wasm")
                .ok()
                .map(|p| p.0),
            Some(vec!["affidavit_recorder_bg.wasm".to_owned()])
        );
        for bad in [
            "", ".", "..", ".env", "a/b", "a\\b", "a%2fb", "a b", "é.js", "a:b",
        ] {
            assert!(AssetPath::file(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn nested_paths_default_to_index_and_refuse_traversal() {
        let parts = |p: &str| AssetPath::nested(p).ok().map(|p| p.0);
        assert_eq!(parts(""), Some(vec!["index.html".to_owned()]));
        assert_eq!(
            parts("shop/"),
            Some(vec!["shop".to_owned(), "index.html".to_owned()])
        );
        assert_eq!(
            parts("shop/cart.html"),
            Some(vec!["shop".to_owned(), "cart.html".to_owned()])
        );
        for bad in [
            "../x",
            "a/../../x",
            "a//b",
            "/etc/passwd",
            "a/.git/config",
            "..%2fx",
        ] {
            assert!(AssetPath::nested(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn types_are_the_ones_browsers_insist_on() {
        assert_eq!(content_type("wasm"), "application/wasm");
        assert!(content_type("mjs").starts_with("text/javascript"));
        assert!(content_type("js").starts_with("text/javascript"));
        assert_eq!(content_type("exe"), "application/octet-stream");
    }
}
