//! `POST /v1/login`, `POST /v1/logout`, `GET /v1/me`: the viewer's sign-in.

use std::time::Instant;

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse, web};
use ledger::EntryKind;
use serde::{Deserialize, Serialize};

use super::access::{record, refuse, request_record};
use crate::access_log::{AccessEntry, Chain};
use crate::auth::{SESSION_COOKIE, UserName, Viewer, limiter, password, token};
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
    let client_key = limiter::client_key(req.peer_addr().map(|a| a.ip()));
    // A malformed name can never sign in: it counts against the client only, so a
    // flood of junk names costs the flooder and nobody else.
    let name = UserName::parse(&username).ok();
    let user_key = limiter::user_key(&username);
    let keys = match &name {
        Some(_) => vec![client_key.clone(), user_key.clone()],
        None => vec![client_key.clone()],
    };
    if let Err(wait) = state.logins.attempt(&keys, Instant::now()) {
        // A guessing flood: counted into the next refusal recorded, not written one by one.
        state.denials.count_unrecorded();
        return Err(ApiError::TooManyAttempts {
            retry_after_s: wait.as_secs().max(1),
        });
    }
    let refused = |reason: &'static str| {
        let record = request_record(&req, "sign_in", &username, "");
        let error = ApiError::BadCredentials(BAD_CREDENTIALS.into());
        refuse(
            &state,
            &req,
            Chain::AccessLog,
            "anonymous".into(),
            record,
            reason,
            error,
        )
    };
    let Some(name) = name else {
        return Err(refused("malformed_name").await);
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
    // Each check takes about 19 MiB and tens of ms of a core: at most one per
    // core runs at once, the rest wait their turn.
    let permit = state
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check queue closed: {e}")))?;
    let matches = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        password::verify(&password, &stored)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        other => {
            tracing::info!(user = %name, %client, "failed sign-in");
            let reason = match (other, matches) {
                (None, _) => "unknown_user",
                (Some(_), false) => "wrong_password",
                (Some(_), true) => "disabled",
            };
            return Err(refused(reason).await);
        }
    };
    state.logins.succeeded(&client_key, &user_key);
    // On the record before the cookie exists: no sign-in the log does not show.
    record(
        &state,
        AccessEntry {
            chain: Chain::AccessLog,
            kind: EntryKind::SignedIn,
            actor: name.actor(),
            record: request_record(&req, "sign_in", name.as_str(), user.role.as_str()),
        },
    )
    .await?;
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

/// The peer address. Forwarding headers are not trusted (anyone can send them),
/// so behind a reverse proxy this is the proxy's address.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

fn secure(req: &HttpRequest, setting: SecureCookies) -> bool {
    match setting {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        // This server's own TLS, not a client-supplied X-Forwarded-Proto; behind a
        // TLS-terminating proxy set `always`.
        SecureCookies::Auto => req.app_config().secure(),
    }
}

fn no_randomness(e: getrandom::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("no randomness: {e}"))
}
