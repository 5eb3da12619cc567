//! The logged-in user of a request, as an actix extractor: a handler that takes
//! a [`Viewer`] cannot run without a valid login, and one reached with a
//! state-changing method cannot run without the login's CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};

use super::role::{Role, UserName};
use super::token::token_hash;
use crate::access_log::Chain;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::routes::access::{refuse, request_record};
use crate::state::AppState;

/// The login cookie: a random token (HttpOnly, SameSite=Strict, Path=/).
pub const SESSION_COOKIE: &str = "affidavit_session";
/// The header that must repeat the login's CSRF token on POST, PUT, PATCH, DELETE.
pub const CSRF_HEADER: &str = "x-affidavit-csrf";

/// A user with a valid login.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub name: UserName,
    pub role: Role,
    pub csrf_token: String,
    /// The stored form of this login's token (to end the login).
    pub token_hash: [u8; 32],
}

impl Viewer {
    /// The actor recorded in audit entries this user causes.
    pub fn actor(&self) -> String {
        self.name.actor()
    }
}

impl Viewer {
    /// Requires the login's CSRF token on a GET that changes state (opening a
    /// replay records a view). Without it, anything the browser loads on its own
    /// — an `<img>` in a recorded page, a link — could add entries in this
    /// user's name: the SameSite cookie goes along with same-site requests.
    pub fn require_csrf(&self, req: &actix_web::HttpRequest) -> Result<(), ApiError> {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if sent.is_some_and(|c| same(c, &self.csrf_token)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "opening a replay needs the {CSRF_HEADER} header (the token from /v1/me)"
            )))
        }
    }
}

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Viewer, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let req = req.clone();
        let csrf = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("application state is not registered"))
            })?;
            let token = token.ok_or_else(|| ApiError::Unauthorized("sign in first".into()))?;
            let hash = token_hash(&token);
            let now = now_ms();
            let login = state
                .storage(move |s| async move { s.login(&hash, now).await })
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "your sign-in has expired or ended; sign in again".into(),
                    )
                })?;
            if login.user.disabled {
                return Err(ApiError::Unauthorized("this account is disabled".into()));
            }
            if changes_state && !csrf.is_some_and(|c| same(&c, &login.csrf_token)) {
                let error = ApiError::Forbidden(format!(
                    "missing or wrong {CSRF_HEADER} header (the token from /v1/me)"
                ));
                return Err(refuse_without_csrf(
                    &state,
                    &req,
                    &login.user.name,
                    login.user.role,
                    error,
                )
                .await);
            }
            let name = UserName::parse(&login.user.name)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored user name: {e}")))?;
            Ok(Viewer {
                name,
                role: login.user.role,
                csrf_token: login.csrf_token,
                token_hash: hash,
            })
        })
    }
}

/// Puts a request refused for its CSRF token on the record: in the chain of the
/// session it names (`{id}` in the route), else in the access log; the action is
/// the route tried, e.g. `POST /v1/sessions/{id}/erase`.
async fn refuse_without_csrf(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user: &str,
    role: Role,
    error: ApiError,
) -> ApiError {
    let chain = req
        .match_info()
        .get("id")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map_or(Chain::AccessLog, Chain::Session);
    let route = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    let action = format!("{} {route}", req.method());
    let record = request_record(req, &action, user, role.as_str());
    refuse(
        state,
        req,
        chain,
        format!("user:{user}"),
        record,
        "csrf",
        error,
    )
    .await
}

/// Constant-time comparison, so response timing says nothing about a token.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_compare_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
