//! `POST /v1/sessions/{id}/erase`: an admin erases a recording (decision 0016).
//!
//! The request names its reason (the ticket or legal request it carries out);
//! it goes into the `session_erased` entry beside who asked and from where.

use actix_web::{HttpRequest, HttpResponse, web};
use ledger::EntryKind;
use protocol::api::ErasureReceipt;
use serde::Deserialize;

use super::access::{refuse_viewer, request_record};
use super::replay::session_id;
use crate::access_log::Chain;
use crate::auth::{Role, Viewer};
use crate::erasure::{self, EraseError};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    pub reason: String,
}

pub async fn erase(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    body: web::Json<EraseBody>,
) -> Result<HttpResponse, ApiError> {
    let session = session_id(&id)?;
    let chain = Chain::Session(session);
    let action = EntryKind::SessionErased.name();
    if viewer.role != Role::Admin {
        let error = ApiError::Forbidden(format!(
            "erasing a recording needs the admin role; {} is {}",
            viewer.name, viewer.role
        ));
        return Err(refuse_viewer(&state, &req, &viewer, chain, action, "role", error).await);
    }
    if let Err(error) = viewer.require_csrf(&req) {
        return Err(refuse_viewer(&state, &req, &viewer, chain, action, "csrf", error).await);
    }
    let reason = erasure::reason(&body.reason)?;
    let mut record = request_record(&req, action, viewer.name.as_str(), viewer.role.as_str());
    record.reason = Some(reason);
    let erased_at_ms = record.at_ms;
    let (origin, seal, keys, actor) = (
        state.settings.log_origin.clone(),
        state.seal.clone(),
        state.data_keys.clone(),
        viewer.actor(),
    );
    let receipt = state
        .storage(move |s| async move {
            Ok(erasure::erase(s.as_ref(), &origin, &seal, &keys, session, actor, record).await)
        })
        .await??;
    tracing::warn!(%session, user = %viewer.name, session_seq = receipt.session_seq, "session erased");
    Ok(HttpResponse::Ok().json(ErasureReceipt {
        session_id: session.to_string(),
        session_seq: receipt.session_seq,
        erased_at_ms,
        leaf_hash: receipt.leaf_hash.to_hex(),
    }))
}

impl From<EraseError> for ApiError {
    fn from(e: EraseError) -> Self {
        match e {
            EraseError::UnknownSession(_) => ApiError::NotFound(e.to_string()),
            EraseError::BadReason => ApiError::bad_request("bad_reason", e.to_string()),
            EraseError::Storage(inner) => ApiError::from(inner),
        }
    }
}
