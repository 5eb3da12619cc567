//! `GET /v1/sessions/{id}/export`: the evidence bundle of a session.
//!
//! The export is itself evidence: its `evidence_exported` entry is committed
//! to the session's chain first, and the bundle waits until the log has signed
//! a checkpoint that includes that entry, so the file proves its own export.

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use ledger::EntryKind;
use ledger::bundle::BUNDLE_MEDIA_TYPE;
use serde::Deserialize;

use super::access::{record_access, refuse_viewer};
use super::replay::session_id;
use crate::access_log::Chain;
use crate::auth::{Role, Viewer};
use crate::error::ApiError;
use crate::evidence::{BundleRequest, session_bundle};
use crate::state::AppState;

/// The answer's header naming the export entry's `session_seq`.
pub const EXPORT_ENTRY_HEADER: &str = "x-affidavit-export-entry";
/// How often a waiting export looks for its entry in the tree.
const POLL: Duration = Duration::from_millis(25);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// A tree size the recipient already trusts: the bundle then also proves
    /// that its checkpoint's tree extends that one.
    pub known_size: Option<u64>,
}

pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let session = session_id(&id)?;
    let chain = Chain::Session(session);
    let action = EntryKind::EvidenceExported.name();
    if !matches!(viewer.role, Role::Admin | Role::Reviewer) {
        let error = ApiError::Forbidden(format!(
            "exporting evidence needs the reviewer or admin role; {} is {}",
            viewer.name, viewer.role
        ));
        return Err(refuse_viewer(&state, &req, &viewer, chain, action, "role", error).await);
    }
    if let Err(error) = viewer.require_csrf(&req) {
        return Err(refuse_viewer(&state, &req, &viewer, chain, action, "csrf", error).await);
    }
    if let Some(known) = q.known_size {
        // Refused before anything is written.
        super::proof::resolve_size(&state, Some(known)).await?;
    }
    let receipt =
        record_access(&state, &req, &viewer, session, EntryKind::EvidenceExported).await?;
    tracing::info!(%session, user = %viewer.name, session_seq = receipt.session_seq, "evidence exported");

    let wait = Duration::from_millis(state.settings.export.integration_wait_ms);
    let deadline = Instant::now() + wait;
    loop {
        let leaf = receipt.leaf_hash;
        let index = state
            .storage(move |s| async move { s.leaf_index_by_hash(&leaf).await })
            .await?;
        if index.is_some() {
            break;
        }
        if Instant::now() >= deadline {
            return Err(ApiError::NotYetSigned(format!(
                "the export is recorded (entry {}) but the log has not signed it within {} ms; try again",
                receipt.session_seq,
                wait.as_millis()
            )));
        }
        tokio::time::sleep(POLL).await;
    }

    let bundle = session_bundle(
        &state,
        &BundleRequest {
            session,
            upto_seq: receipt.session_seq,
            known_size: q.known_size,
            max_payload_bytes: state.settings.export.max_payload_bytes,
        },
    )
    .await?;
    let archive = bundle
        .to_archive()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing the bundle: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(BUNDLE_MEDIA_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"affidavit-{session}.affidavit\""),
        ))
        .insert_header((EXPORT_ENTRY_HEADER, receipt.session_seq.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(archive))
}
