//! The viewer's calls to the Affidavit API: same-origin `fetch` with the login
//! cookie, JSON or bytes back, every error as `{error, message}`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// A failed call: the HTTP status (0 when the network failed) and the server's
/// `{error, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.status == 0 {
            write!(f, "the server could not be reached: {}", self.message)
        } else {
            write!(f, "{} ({} {})", self.message, self.status, self.code)
        }
    }
}

impl ApiError {
    fn local(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 0,
            code: "client".into(),
            message: message.into(),
        }
    }

    /// Not logged in (or the login expired).
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

/// The CSRF token the server handed out at login, sent with every state change.
fn csrf_token() -> Option<String> {
    web_sys::window()?
        .session_storage()
        .ok()??
        .get_item(CSRF_KEY)
        .ok()?
}

pub const CSRF_KEY: &str = "affidavit.csrf";

async fn send(method: &str, path: &str, body: Option<String>) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(js_error)?;
    let headers = request.headers();
    let _ = headers.set("Accept", "application/json");
    if body.is_some() {
        let _ = headers.set("Content-Type", "application/json");
    }
    // On every request: opening a replay is a GET that records a view, and the
    // server wants proof it came from the viewer, not from a recorded <img>.
    if let Some(token) = csrf_token() {
        let _ = headers.set("X-Affidavit-CSRF", &token);
    }
    let window = web_sys::window().ok_or_else(|| ApiError::local("no window"))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .unchecked_into();
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    #[derive(serde::Deserialize)]
    struct Body {
        error: String,
        message: String,
    }
    Err(match serde_json::from_str::<Body>(&text) {
        Ok(body) => ApiError {
            status,
            code: body.error,
            message: body.message,
        },
        Err(_) => ApiError {
            status,
            code: "http".into(),
            message: response.status_text(),
        },
    })
}

pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let text = get_text(path).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::local(format!("{path}: {e}")))
}

pub async fn get_text(path: &str) -> Result<String, ApiError> {
    let response = send("GET", path, None).await?;
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    text.as_string()
        .ok_or_else(|| ApiError::local("response is not text"))
}

/// The body as bytes, and the value of response header `header` (if sent).
/// The body and the values of `headers` (in order; `None` when absent).
pub async fn get_bytes(
    path: &str,
    headers: &[&str],
) -> Result<(Vec<u8>, Vec<Option<String>>), ApiError> {
    let response = send("GET", path, None).await?;
    let value = headers
        .iter()
        .map(|h| response.headers().get(h).ok().flatten())
        .collect();
    let buffer = JsFuture::from(response.array_buffer().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    Ok((js_sys::Uint8Array::new(&buffer).to_vec(), value))
}

pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|e| ApiError::local(e.to_string()))?;
    let response = send("POST", path, Some(body)).await?;
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(if text.is_empty() { "null" } else { &text })
        .map_err(|e| ApiError::local(format!("{path}: {e}")))
}

fn js_error(e: JsValue) -> ApiError {
    ApiError::local(
        js_sys::Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}")),
    )
}
