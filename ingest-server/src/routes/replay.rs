//! What the viewer reads to replay and verify a session:
//! `GET /v1/sessions/{id}/events` (records a `replay_viewed` entry, then streams
//! the batches exactly as stored), `…/audit` (the whole chain), `…/proofs`
//! (inclusion proofs against one checkpoint) and `GET /v1/log-key`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use ledger::tree::NodeId;
use ledger::{Entry, EntryKind, Hash, proof};
use protocol::api::{AccessRecord, AuditEntry, EntryProof, LogKey, SessionAudit, SessionProofs};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::client_address;
use crate::auth::Viewer;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::AppendAccess;

/// The events stream's media type: frames of `protocol::frames`.
pub const BATCHES_TYPE: &str = "application/vnd.affidavit.batches";
/// The answer's header naming the view entry's `session_seq`: the stream holds
/// the batches chained before it, and a verifier checks the chain up to it.
pub const VIEW_ENTRY_HEADER: &str = "x-affidavit-view-entry";
/// Batches read per storage call while streaming.
const PAGE: u32 = 64;

fn session_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::bad_request(
            "bad_session_id",
            format!("{raw:?} is not a session id (a UUID)"),
        )
    })
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
    viewer.require_csrf(&req)?;
    let record = AccessRecord {
        action: EntryKind::ReplayViewed.name().into(),
        user: viewer.name.to_string(),
        role: viewer.role.to_string(),
        client: client_address(&req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
        at_ms: now_ms(),
    };
    let access = AppendAccess {
        session,
        kind: EntryKind::ReplayViewed,
        actor: viewer.actor(),
        received_at_ms: record.at_ms,
        payload: Bytes::from(
            serde_json::to_vec(&record)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("access record: {e}")))?,
        ),
    };
    let origin = state.settings.log_origin.clone();
    let seal = state.seal.clone();
    let receipt = state
        .storage(move |s| async move { s.append_access(&origin, &seal, &access).await })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no session {session}")))?;
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
    Ok(HttpResponse::Ok()
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
                kind: u8::try_from(row.kind_code)
                    .ok()
                    .and_then(EntryKind::from_u8)
                    .map_or_else(
                        || format!("unknown_{}", row.kind_code),
                        |k| k.name().to_owned(),
                    ),
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
    let mut wanted: Vec<NodeId> = Vec::new();
    for (_, index) in &included {
        wanted.extend(proof::inclusion_proof_nodes(*index, size).map_err(integrity)?);
    }
    wanted.extend(ledger::perfect_subtrees(0, size));
    wanted.sort_unstable();
    wanted.dedup();
    let nodes = state
        .storage(move |s| async move { s.nodes(&wanted).await })
        .await?;
    let lookup = |id: NodeId| nodes.get(&id).copied();
    let proofs = included
        .iter()
        .map(|(session_seq, index)| {
            Ok(EntryProof {
                session_seq: *session_seq,
                log_index: *index,
                proof: proof::inclusion_proof(*index, size, lookup)
                    .map_err(integrity)?
                    .iter()
                    .map(Hash::to_hex)
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let root = if size == 0 {
        ledger::empty_root()
    } else {
        proof::tree_root(size, lookup).map_err(integrity)?
    };
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

fn integrity(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored tree is incomplete: {e}"))
}
