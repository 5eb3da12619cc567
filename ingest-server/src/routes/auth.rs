//! `POST /v1/login`, `POST /v1/logout`, `GET /v1/me`: the viewer's sign-in.

use std::time::Instant;

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::{SESSION_COOKIE, UserName, Viewer, password, token};
use crate::clock::now_ms;
use crate::configuration::SecureCookies;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::NewLogin;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct Me {
    pub user: UserInfo,
    /// Send it back in `X-Affidavit-CSRF` with every state-changing request.
    pub csrf_token: String,
}

#[derive(Debug, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub role: String,
}

const BAD_CREDENTIALS: &str = "wrong user name or password";

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { username, password } = body.into_inner();
    let client = client_address(&req);
    // Names are at most 64 characters; a longer guess must not grow the limiter's memory.
    let keyed: String = username.chars().take(64).collect();
    let keys = [format!("ip:{client}"), format!("user:{keyed}")];
    if let Err(wait) = state.logins.check(&keys, Instant::now()) {
        return Err(ApiError::TooManyAttempts {
            retry_after_s: wait.as_secs().max(1),
        });
    }
    let Ok(name) = UserName::parse(&username) else {
        state.logins.failed(&keys, Instant::now());
        return Err(ApiError::BadCredentials(BAD_CREDENTIALS.into()));
    };
    let lookup = name.as_str().to_owned();
    let user = state
        .storage(move |s| async move { s.user(&lookup).await })
        .await?;
    // Verify against a decoy when there is no such user, so timing does not
    // tell which names exist.
    let stored = user.as_ref().map_or_else(
        || password::decoy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => {
            state.logins.failed(&keys, Instant::now());
            tracing::info!(user = %name, %client, "failed sign-in");
            return Err(ApiError::BadCredentials(BAD_CREDENTIALS.into()));
        }
    };
    state.logins.succeeded(&keys[1]);
    let (login_token, token_hash) = token::new_login_token().map_err(no_randomness)?;
    let csrf_token = token::random_hex(24).map_err(no_randomness)?;
    let now = now_ms();
    let ttl_ms = i64::try_from(state.settings.auth.session_ttl_minutes)
        .unwrap_or(i64::MAX / 60_000)
        .saturating_mul(60_000);
    let login = NewLogin {
        token_hash,
        user: user.name.clone(),
        csrf_token: csrf_token.clone(),
        created_at_ms: now,
        expires_at_ms: now.saturating_add(ttl_ms),
    };
    state
        .storage(move |s| async move { s.create_login(&login).await })
        .await?;
    tracing::info!(user = %name, %client, "signed in");
    let cookie = Cookie::build(SESSION_COOKIE, login_token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(&req, state.settings.auth.secure_cookies))
        .max_age(CookieDuration::minutes(
            i64::try_from(state.settings.auth.session_ttl_minutes).unwrap_or(i64::MAX / 60),
        ))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(Me {
        user: UserInfo {
            name: user.name,
            role: user.role.to_string(),
        },
        csrf_token,
    }))
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    let hash = viewer.token_hash;
    state
        .storage(move |s| async move { s.delete_login(&hash).await })
        .await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(&req, state.settings.auth.secure_cookies))
        .finish();
    gone.make_removal();
    Ok(HttpResponse::Ok().cookie(gone).json(serde_json::json!({})))
}

pub async fn me(viewer: Viewer) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Me {
        user: UserInfo {
            name: viewer.name.to_string(),
            role: viewer.role.to_string(),
        },
        csrf_token: viewer.csrf_token,
    }))
}

/// The peer address (forwarding headers are not trusted: anyone can send them).
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

fn secure(req: &HttpRequest, setting: SecureCookies) -> bool {
    match setting {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => req.connection_info().scheme() == "https",
    }
}

fn no_randomness(e: getrandom::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("no randomness: {e}"))
}
