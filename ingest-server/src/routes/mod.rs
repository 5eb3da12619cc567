//! One file per resource; `register` is the whole route table.

pub mod access;
pub mod assets;
pub mod audit_log;
pub mod auth;
pub mod checkpoint;
pub mod erase;
pub mod export;
pub mod health;
pub mod ingest;
pub mod proof;
pub mod replay;
pub mod sessions;
pub mod viewer_assets;

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/ingest", web::post().to(ingest::ingest))
        .route(
            "/v1/ingest",
            web::method(actix_web::http::Method::OPTIONS).to(ingest::preflight),
        )
        .route("/v1/checkpoint", web::get().to(checkpoint::latest))
        .route("/v1/checkpoints", web::get().to(checkpoint::list))
        .route("/v1/checkpoints/{size}", web::get().to(checkpoint::at_size))
        .route("/v1/proof/inclusion", web::get().to(proof::inclusion))
        .route("/v1/proof/consistency", web::get().to(proof::consistency))
        .route("/v1/log-key", web::get().to(replay::log_key))
        .route("/v1/login", web::post().to(auth::login))
        .route("/v1/logout", web::post().to(auth::logout))
        .route("/v1/me", web::get().to(auth::me))
        .route("/v1/sessions/{id}/events", web::get().to(replay::events))
        .route("/v1/sessions/{id}/audit", web::get().to(replay::audit))
        .route("/v1/sessions/{id}/proofs", web::get().to(replay::proofs))
        .route("/v1/sessions/{id}/export", web::get().to(export::export))
        .route("/v1/sessions/{id}/erase", web::post().to(erase::erase))
        .route("/v1/audit", web::get().to(audit_log::list))
        .route("/v1/sessions", web::get().to(sessions::list))
        .route("/v1/sessions/{id}", web::get().to(sessions::detail))
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(health::metrics))
        .configure(assets::register)
        .configure(viewer_assets::register);
}

/// JSON 404 for unknown paths, so every error has the same shape.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such endpoint".into()))
}
