//! `GET /healthz` and `GET /metrics`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// 200 when storage answers, 503 (JSON error) when it does not.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.storage(|s| async move { s.ping().await }).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "storage": state.backend() })))
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ))
        .body(state.metrics.render())
}
