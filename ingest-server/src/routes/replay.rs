//! What the viewer reads to replay and verify a session:
//! `GET /v1/sessions/{id}/events` (records a `replay_viewed` entry, then streams
//! the batches exactly as stored), `…/audit` (the whole chain), `…/proofs`
//! (inclusion proofs against one checkpoint) and `GET /v1/log-key`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use ledger::{Entry, EntryKind, Hash};
use protocol::api::{AuditEntry, EntryProof, LogKey, SessionAudit, SessionProofs};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{record_access, refuse_viewer};
use crate::access_log::Chain;
use crate::auth::Viewer;
use crate::data_keys::KeyState;
use crate::error::ApiError;
use crate::state::AppState;
use crate::stored_tree::StoredTree;

/// The events stream's media type: frames of `protocol::frames`.
pub const BATCHES_TYPE: &str = "application/vnd.affidavit.batches";
/// The answer's header naming the view entry's `session_seq`: the stream holds
/// the batches chained before it, and a verifier checks the chain up to it.
pub const VIEW_ENTRY_HEADER: &str = "x-affidavit-view-entry";
/// The answer's header carrying the session's data key (hex) when its payloads
/// are sealed.
pub const DATA_KEY_HEADER: &str = "x-affidavit-data-key";
/// Batches read per storage call while streaming.
const PAGE: u32 = 64;

pub(crate) fn session_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::bad_request(
            "bad_session_id",
            format!("{raw:?} is not a session id (a UUID)"),
        )
    })
}

/// 410 for a session whose data key was destroyed.
pub(crate) fn erased(session: Uuid, at_ms: Option<i64>) -> ApiError {
    ApiError::Erased(format!(
        "session {session} was erased{}: its recording can no longer be read (its log entries remain and verify)",
        at_ms
            .map(|ms| format!(" at {ms} (Unix ms)"))
            .unwrap_or_default()
    ))
}

/// `GET /v1/sessions/{id}/events`: the `replay_viewed` entry is committed to the
/// session's chain before the first byte of the recording is sent.
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = session_id(&id)?;
    if let Err(error) = viewer.require_csrf(&req) {
        let action = EntryKind::ReplayViewed.name();
        let chain = Chain::Session(session);
        return Err(refuse_viewer(&state, &req, &viewer, chain, action, "csrf", error).await);
    }
    let keys = state.data_keys.clone();
    let key = state
        .storage(move |s| async move { keys.for_reading(s.as_ref(), session).await })
        .await?;
    if let KeyState::Erased { at_ms } = key {
        // Nothing of the recording exists to be shown, so no view is recorded.
        return Err(erased(session, at_ms));
    }
    let receipt = record_access(&state, &req, &viewer, session, EntryKind::ReplayViewed).await?;
    tracing::info!(%session, user = %viewer.name, session_seq = receipt.session_seq, "replay viewed");

    // The recording as it stood when the view was recorded: batches chained
    // before the view entry. (Later ones belong to a later view.)
    let upto = receipt.session_seq;
    let stream = futures_util::stream::unfold(Some(0u64), move |next| {
        let state = state.clone();
        async move {
            let from = next?;
            let page = state
                .storage(move |s| async move { s.session_batches(session, from, PAGE).await })
                .await;
            let page = match page {
                Ok(page) => page,
                Err(e) => return Some((Err(e), None)),
            };
            let full = page.len() == PAGE as usize;
            let mut out = Vec::new();
            let mut next = None;
            for entry in page.iter().take_while(|e| e.session_seq < upto) {
                let (Some(batch_seq), Some(payload)) = (entry.batch_seq, entry.payload.as_deref())
                else {
                    return Some((
                        Err(ApiError::Internal(anyhow::anyhow!(
                            "session {session}: batch entry {} has no stored payload",
                            entry.session_seq
                        ))),
                        None,
                    ));
                };
                if let Err(e) =
                    protocol::frames::write_frame(&mut out, entry.session_seq, batch_seq, payload)
                {
                    return Some((Err(ApiError::Internal(anyhow::anyhow!(e))), None));
                }
                next = Some(batch_seq + 1);
            }
            if out.is_empty() {
                return None;
            }
            let more = full && page.last().is_some_and(|e| e.session_seq < upto);
            Some((Ok::<_, ApiError>(Bytes::from(out)), next.filter(|_| more)))
        }
    });
    let mut response = HttpResponse::Ok();
    if let KeyState::Sealed(key) = key {
        // The payloads go out sealed, exactly as their entries hash them; the
        // viewer checks them, then opens them with this key.
        response.insert_header((DATA_KEY_HEADER, hex::encode(key)));
    }
    Ok(response
        .content_type(BATCHES_TYPE)
        .insert_header((VIEW_ENTRY_HEADER, upto.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(stream))
}

/// `GET /v1/sessions/{id}/audit`: every entry of the session's chain.
pub async fn audit(
    state: web::Data<AppState>,
    _viewer: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = session_id(&id)?;
    let rows = state
        .storage(move |s| async move { s.session_audit(session).await })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no session {session}")))?;
    let entries = rows
        .entries
        .into_iter()
        .map(|row| {
            let decoded = Entry::decode(&row.entry_bytes).ok();
            AuditEntry {
                session_seq: row.session_seq,
                kind: kind_name(row.kind_code),
                batch_seq: row.batch_seq,
                received_at_ms: row.received_at_ms,
                actor: decoded.map(|e| e.actor).unwrap_or_default(),
                leaf_hash: hex::encode(&row.leaf_hash),
                log_index: row.log_index,
                entry: STANDARD.encode(&row.entry_bytes),
                payload: row.payload.map(|p| STANDARD.encode(p)),
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SessionAudit {
            session_id: session.to_string(),
            project: rows.project,
            origin: state.settings.log_origin.clone(),
            entries,
        }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofsQuery {
    /// Tree size to prove against; defaults to the latest checkpoint's.
    pub size: Option<u64>,
}

/// `GET /v1/sessions/{id}/proofs?size=N`: an inclusion proof for every entry of
/// the session inside the tree of size N, built from one read of the nodes.
pub async fn proofs(
    state: web::Data<AppState>,
    _viewer: Viewer,
    id: web::Path<String>,
    q: web::Query<ProofsQuery>,
) -> Result<HttpResponse, ApiError> {
    let session = session_id(&id)?;
    let size = super::proof::resolve_size(&state, q.size).await?;
    let rows = state
        .storage(move |s| async move { s.session_audit(session).await })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no session {session}")))?;
    let included: Vec<(u64, u64)> = rows
        .entries
        .iter()
        .filter_map(|e| {
            e.log_index
                .filter(|i| *i < size)
                .map(|i| (e.session_seq, i))
        })
        .collect();
    let indices: Vec<u64> = included.iter().map(|(_, i)| *i).collect();
    let tree = StoredTree::load(&state, size, &indices, &[]).await?;
    let proofs = included
        .iter()
        .map(|(session_seq, index)| {
            Ok(EntryProof {
                session_seq: *session_seq,
                log_index: *index,
                proof: tree.inclusion(*index)?.iter().map(Hash::to_hex).collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let root = tree.root_at(size)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SessionProofs {
            session_id: session.to_string(),
            size,
            root: root.to_hex(),
            proofs,
        }))
}

/// `GET /v1/log-key`: the key this server signs checkpoints with. Verifiers
/// should pin a copy obtained out of band; this is for convenience and display.
pub async fn log_key(state: web::Data<AppState>) -> HttpResponse {
    let verifier = state.signer.verifier();
    HttpResponse::Ok().json(LogKey {
        origin: verifier.name().to_owned(),
        vkey: verifier.to_vkey(),
        fingerprint: verifier.fingerprint(),
    })
}

/// A stored kind code's name; an unknown code is shown, not hidden.
pub(crate) fn kind_name(code: i64) -> String {
    u8::try_from(code)
        .ok()
        .and_then(EntryKind::from_u8)
        .map_or_else(|| format!("unknown_{code}"), |k| k.name().to_owned())
}
