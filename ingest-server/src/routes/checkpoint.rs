//! Signed checkpoints: the latest (`GET /v1/checkpoint`), and every one the log
//! ever signed at a stable address (`GET /v1/checkpoints/{size}`, listed by
//! `GET /v1/checkpoints`), so third parties can archive them and later hold
//! the log to them.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use ledger::checkpoint::Checkpoint;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

/// Longest page of `GET /v1/checkpoints`.
pub const MAX_CHECKPOINTS_PAGE: u32 = 1_000;
const DEFAULT_CHECKPOINTS_PAGE: u32 = 100;

pub async fn latest(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let note = match state
        .storage(|s| async move { s.latest_checkpoint().await })
        .await?
    {
        Some(stored) => stored.note,
        None => empty_tree(&state),
    };
    Ok(note_response(note, "no-cache"))
}

/// The empty tree's checkpoint. Ed25519 signatures are deterministic, so every
/// call serves the same bytes.
fn empty_tree(state: &AppState) -> String {
    state.signer.sign(&Checkpoint {
        origin: state.settings.log_origin.clone(),
        size: 0,
        root: ledger::empty_root(),
        extensions: Vec::new(),
    })
}

fn note_response(note: String, cache: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(note)
}

/// `GET /v1/checkpoints/{size}`: the checkpoint signed at exactly that size.
/// A signed checkpoint never changes, so it may be cached forever.
pub async fn at_size(
    state: web::Data<AppState>,
    size: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let size: u64 = size.parse().map_err(|_| {
        ApiError::bad_request(
            "bad_size",
            format!("{:?} is not a tree size (a whole number)", size.as_str()),
        )
    })?;
    let note = if size == 0 {
        empty_tree(&state)
    } else {
        let found = state
            .storage(move |s| async move { s.checkpoints_after(size - 1, 1).await })
            .await?;
        found
            .into_iter()
            .find(|c| c.size == size)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no checkpoint was signed at size {size}; GET /v1/checkpoints lists those that were"
                ))
            })?
            .note
    };
    Ok(note_response(note, "public, max-age=31536000, immutable"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only checkpoints larger than this size (the last one of the previous page).
    pub after: Option<u64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct CheckpointList {
    pub checkpoints: Vec<CheckpointItem>,
    /// Pass as `after` for the next page; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct CheckpointItem {
    pub size: u64,
    pub root: String,
    pub created_at_ms: i64,
    /// Where the signed note is served.
    pub url: String,
}

/// `GET /v1/checkpoints[?after=SIZE][&limit=N]`: every signed checkpoint,
/// smallest first, in pages.
pub async fn list(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_CHECKPOINTS_PAGE);
    if !(1..=MAX_CHECKPOINTS_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "bad_limit",
            format!("limit must be 1 to {MAX_CHECKPOINTS_PAGE}"),
        ));
    }
    let after = q.after.unwrap_or(0);
    let page = state
        .storage(move |s| async move { s.checkpoints_after(after, limit).await })
        .await?;
    let full = page.len() == limit as usize;
    let checkpoints: Vec<CheckpointItem> = page
        .into_iter()
        .map(|c| CheckpointItem {
            size: c.size,
            root: c.root.to_hex(),
            created_at_ms: c.created_at_ms,
            url: format!("/v1/checkpoints/{}", c.size),
        })
        .collect();
    let next_after = checkpoints.last().filter(|_| full).map(|c| c.size);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(CheckpointList {
            checkpoints,
            next_after,
        }))
}
