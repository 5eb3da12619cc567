//! `POST /v1/ingest`: one compressed batch in, one receipt out.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;

use super::access::{refuse, request_record};
use crate::access_log::{ACCESS_LOG_PROJECT, Chain};
use crate::clock::now_ms;
use crate::data_keys::KeyState;
use crate::error::ApiError;
use crate::ingest::pipeline::SubmitError;
use crate::ingest::{body, cors};
use crate::metrics::OutcomeLabel;
use crate::state::AppState;
use crate::storage::{AppendBatch, AppendOutcome, Project, Receipt};
use bytes::Bytes;
use ledger::sealed::seal_payload;

/// The header carrying a project's public write key. `?key=` works too, for
/// `navigator.sendBeacon`, which cannot set headers.
pub const KEY_HEADER: &str = "X-Affidavit-Key";

#[derive(Debug, Serialize)]
pub struct ReceiptBody {
    pub session_id: uuid::Uuid,
    pub seq: u64,
    pub session_seq: u64,
    pub leaf_hash: String,
    /// True when this exact batch had already been accepted.
    pub duplicate: bool,
}

pub async fn ingest(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let started = Instant::now();
    let origin = request_origin(&req);
    let (result, cors_ok) = match authenticate(&req, &state).await {
        Ok(project) if cors::check(&project, origin.as_deref()) => {
            (accept(&req, payload, &state, &project).await, true)
        }
        Ok(project) => {
            let error = ApiError::Forbidden(format!(
                "origin {} may not send batches for project {}",
                origin.as_deref().unwrap_or(""),
                project.id
            ));
            let mut record = request_record(&req, "ingest", "", "");
            record.target = origin.clone().map(|o| o.chars().take(256).collect());
            let actor = format!("key:{}", project.id);
            let refused = refuse(
                &state,
                &req,
                Chain::AccessLog,
                actor,
                record,
                "origin",
                error,
            );
            (Err(refused.await), false)
        }
        Err(e) => (Err(e), false),
    };
    let mut response = match result {
        Ok((receipt, duplicate)) => {
            let outcome = if duplicate { "duplicate" } else { "appended" };
            state
                .metrics
                .batches
                .get_or_create(&OutcomeLabel { outcome })
                .inc();
            state
                .metrics
                .ingest_seconds
                .observe(started.elapsed().as_secs_f64());
            HttpResponse::Ok().json(ReceiptBody {
                session_id: receipt.session,
                seq: receipt.seq,
                session_seq: receipt.session_seq,
                leaf_hash: receipt.leaf_hash.to_hex(),
                duplicate,
            })
        }
        Err(e) => {
            state.metrics.reject(e.code());
            tracing::debug!(error = %e, code = e.code(), "ingest refused");
            e.error_response()
        }
    };
    if cors_ok {
        cors::decorate(&mut response, origin.as_deref());
    }
    response
}

/// `OPTIONS /v1/ingest`: the CORS preflight.
pub async fn preflight(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(origin) = request_origin(&req) else {
        return Ok(HttpResponse::NoContent().finish());
    };
    let projects = state
        .storage(|s| async move { s.list_projects().await })
        .await?;
    if projects
        .iter()
        .any(|p| cors::origin_allowed(&p.allowed_origins, &origin))
    {
        Ok(cors::preflight(&origin))
    } else {
        Err(ApiError::Forbidden(format!(
            "origin {origin} is not allowed by any project"
        )))
    }
}

fn request_origin(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn authenticate(req: &HttpRequest, state: &web::Data<AppState>) -> Result<Project, ApiError> {
    let from_header = req
        .headers()
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let key = from_header.or_else(|| {
        web::Query::<KeyQuery>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.into_inner().key)
    });
    let refused = |reason: &'static str, key: Option<&str>, error: ApiError| {
        let mut record = request_record(req, "ingest", "", "");
        // Enough of a mistyped key to recognise it, not a copy of one.
        record.target = key.map(|k| k.chars().take(12).collect());
        refuse(
            state,
            req,
            Chain::AccessLog,
            "anonymous".into(),
            record,
            reason,
            error,
        )
    };
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        let error = ApiError::Unauthorized(format!(
            "a project write key is required in the {KEY_HEADER} header"
        ));
        return Err(refused("no_key", None, error).await);
    };
    if let Some(project) = state.projects.get(&key) {
        return Ok(project);
    }
    let lookup = key.clone();
    let project = state
        .storage(|s| async move { s.project_by_write_key(&lookup).await })
        .await?
        // The access log's reserved project takes no batches, whatever the key.
        .filter(|p| p.id != ACCESS_LOG_PROJECT);
    let Some(project) = project else {
        let error = ApiError::Unauthorized("unknown write key".into());
        return Err(refused("unknown_key", Some(&key), error).await);
    };
    state.projects.put(&key, &project);
    Ok(project)
}

#[derive(serde::Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

async fn accept(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    project: &Project,
) -> Result<(Receipt, bool), ApiError> {
    let limits = &state.settings.ingest.limits;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let bytes = body::read_limited(payload, declared, limits.max_compressed_bytes).await?;
    // Decoding a batch near the limits takes long enough to stall this worker's
    // other connections, so it runs on the blocking pool.
    let (to_decode, decode_limits) = (bytes.clone(), limits.clone());
    let decoded = web::block(move || protocol::decode_batch(&to_decode, &decode_limits))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("decoder task failed: {e}")))?;
    let batch = decoded.map_err(|e| {
        let message = e.to_string();
        if e.is_limit() {
            ApiError::TooLarge {
                code: e.reason(),
                message,
            }
        } else {
            ApiError::bad_request(e.reason(), message)
        }
    })?;
    if !batch.names_project(&project.id) {
        return Err(ApiError::Forbidden(format!(
            "the write key is for project {}, the batch names project {}",
            project.id, batch.project
        )));
    }
    let event_count = u32::try_from(batch.events.len()).unwrap_or(u32::MAX);
    // Sealed with the session's data key before anything is hashed or stored:
    // the entry commits to the sealed bytes, so erasing the key later leaves
    // every hash intact (decision 0016).
    let (keys, session, seq) = (state.data_keys.clone(), batch.session_id, batch.seq);
    let now = now_ms();
    let key = state
        .storage(move |s| async move { keys.for_ingest(s.as_ref(), session, seq, now).await })
        .await?;
    let bytes = match key {
        KeyState::Sealed(key) => Bytes::from(seal_payload(&key, &session, seq, &bytes)),
        KeyState::Unsealed => bytes,
        KeyState::Erased { .. } => {
            return Err(ApiError::Erased(format!(
                "session {session} was erased; it takes no more batches"
            )));
        }
    };
    let append = AppendBatch {
        project: project.id.clone(),
        session: batch.session_id,
        seq: batch.seq,
        started_at_ms: batch.started_at,
        received_at_ms: now_ms(),
        actor: format!("key:{}", project.id),
        event_count,
        payload_hash: ledger::sha256(&bytes),
        bytes,
    };
    let size = append.bytes.len() as u64;
    let outcome = state.pipeline.submit(append).await.map_err(|e| match e {
        SubmitError::Overloaded => ApiError::Overloaded {
            retry_after_s: state.settings.ingest.retry_after_s,
        },
        SubmitError::ShuttingDown => ApiError::Unavailable,
        SubmitError::Storage(e) => ApiError::from(e),
    })?;
    match outcome {
        AppendOutcome::Appended(receipt) => {
            state.metrics.payload_bytes.inc_by(size);
            state.metrics.events.inc_by(u64::from(event_count));
            Ok((receipt, false))
        }
        AppendOutcome::Duplicate(receipt) => Ok((receipt, true)),
        AppendOutcome::Conflict {
            existing_payload_hash,
        } => Err(ApiError::Conflict {
            code: "conflict",
            message: format!(
                "batch {} of session {} was already accepted with different bytes (payload hash {existing_payload_hash}); the attempt was recorded",
                batch.seq, batch.session_id
            ),
            expected_seq: None,
        }),
        AppendOutcome::Gap { expected_seq } => Err(ApiError::Conflict {
            code: "seq_gap",
            message: format!(
                "session {} expects batch {expected_seq} next, got {}",
                batch.session_id, batch.seq
            ),
            expected_seq: Some(expected_seq),
        }),
        AppendOutcome::Closed => Err(ApiError::Conflict {
            code: "session_closed",
            message: format!(
                "session {} was closed after being idle; record into a new session",
                batch.session_id
            ),
            expected_seq: None,
        }),
        AppendOutcome::ForeignSession => Err(ApiError::Conflict {
            code: "foreign_session",
            message: format!("session {} belongs to another project", batch.session_id),
            expected_seq: None,
        }),
    }
}
