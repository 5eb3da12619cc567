//! Putting requests on the record: the access entry every view and export
//! commits before anything of the recording is sent (decision 0012), and the
//! entry every refusal leaves (decision 0015), both through `crate::access_log`.

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web;
use ledger::EntryKind;
use protocol::api::AccessRecord;
use uuid::Uuid;

use super::auth::client_address;
use crate::access_log::budget::Admission;
use crate::access_log::{self, AccessEntry, Chain};
use crate::auth::{Viewer, limiter};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::AccessReceipt;

/// The access record of `req`: who (as far as known), from where, doing what.
pub fn request_record(req: &HttpRequest, action: &str, user: &str, role: &str) -> AccessRecord {
    AccessRecord {
        action: action.into(),
        user: user.chars().take(64).collect(),
        role: role.into(),
        client: client_address(req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
        at_ms: now_ms(),
        ..AccessRecord::default()
    }
}

/// Appends `entry` and commits it before returning.
pub async fn record(
    state: &web::Data<AppState>,
    entry: AccessEntry,
) -> Result<Option<AccessReceipt>, ApiError> {
    let origin = state.settings.log_origin.clone();
    let seal = state.seal.clone();
    state
        .storage(
            move |s| async move { access_log::append(s.as_ref(), &origin, &seal, &entry).await },
        )
        .await
}

/// Appends and commits a `kind` entry by `viewer` to `session`'s chain; 404 when
/// there is no such session (nothing is written).
pub async fn record_access(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    viewer: &Viewer,
    session: Uuid,
    kind: EntryKind,
) -> Result<AccessReceipt, ApiError> {
    let entry = AccessEntry {
        chain: Chain::Session(session),
        kind,
        actor: viewer.actor(),
        record: request_record(req, kind.name(), viewer.name.as_str(), viewer.role.as_str()),
    };
    record(state, entry)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no session {session}")))
}

/// Puts a refusal on the record (within the `access_log.*` budget) and gives
/// back the error to answer with. Recording a refusal never turns it into
/// something else: if the write fails, it is logged and counted as unrecorded.
pub async fn refuse(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    chain: Chain,
    actor: String,
    mut record: AccessRecord,
    reason: &str,
    error: ApiError,
) -> ApiError {
    let client = limiter::client_key(req.peer_addr().map(|a| a.ip()));
    let Admission::Record { unrecorded_before } =
        state.denials.admit(&client, std::time::Instant::now())
    else {
        return error;
    };
    record.reason = Some(reason.into());
    record.unrecorded_before = (unrecorded_before > 0).then_some(unrecorded_before);
    let entry = AccessEntry {
        chain,
        kind: EntryKind::AccessDenied,
        actor,
        record,
    };
    if let Err(e) = self::record(state, entry).await {
        state.denials.count_unrecorded();
        tracing::error!(error = %e, reason, "could not record a refusal");
    }
    error
}

/// A refusal of a signed-in user, in the session's chain when it concerns one.
pub async fn refuse_viewer(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    viewer: &Viewer,
    chain: Chain,
    action: &str,
    reason: &str,
    error: ApiError,
) -> ApiError {
    let record = request_record(req, action, viewer.name.as_str(), viewer.role.as_str());
    refuse(state, req, chain, viewer.actor(), record, reason, error).await
}
