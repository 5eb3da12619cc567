//! `GET /v1/checkpoint`: the latest signed checkpoint as a C2SP signed note.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use ledger::checkpoint::Checkpoint;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn latest(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let note = match state
        .storage(|s| async move { s.latest_checkpoint().await })
        .await?
    {
        Some(stored) => stored.note,
        // Nothing integrated yet: the empty tree's checkpoint. Ed25519 signatures
        // are deterministic, so every call serves the same bytes.
        None => state.signer.sign(&Checkpoint {
            origin: state.settings.log_origin.clone(),
            size: 0,
            root: ledger::empty_root(),
            extensions: Vec::new(),
        }),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(note))
}
