//! One file per resource; `register` is the whole route table.

pub mod assets;
pub mod checkpoint;
pub mod health;
pub mod ingest;
pub mod proof;
pub mod sessions;

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/ingest", web::post().to(ingest::ingest))
        .route(
            "/v1/ingest",
            web::method(actix_web::http::Method::OPTIONS).to(ingest::preflight),
        )
        .route("/v1/checkpoint", web::get().to(checkpoint::latest))
        .route("/v1/proof/inclusion", web::get().to(proof::inclusion))
        .route("/v1/proof/consistency", web::get().to(proof::consistency))
        // Will require a logged-in viewer once accounts exist.
        .route("/v1/sessions", web::get().to(sessions::list))
        .route("/v1/sessions/{id}", web::get().to(sessions::detail))
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(health::metrics))
        .configure(assets::register);
}

/// JSON 404 for unknown paths, so every error has the same shape.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such endpoint".into()))
}
