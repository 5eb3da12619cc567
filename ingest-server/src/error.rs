//! One error type for the HTTP API and the single place that maps it to a status.
//!
//! Every error is JSON `{error, message}` (plus `expected_seq` for gaps). A 500
//! says nothing internal to the client; its cause chain goes to the log.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed; `code` is a stable machine-readable reason.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no or unknown credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 401: a sign-in with a wrong user name or password (one answer for both).
    #[error("{0}")]
    BadCredentials(String),
    /// 403: credentials are fine but not for this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// 409: conflicts with what the log already holds.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        expected_seq: Option<u64>,
    },
    /// 413: a configured size limit was exceeded.
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    /// 429: the server is shedding load; retry after the given seconds.
    #[error("the server is busy; retry after {retry_after_s} s")]
    Overloaded { retry_after_s: u64 },
    /// 429: too many failed sign-ins from this client or for this user.
    #[error("too many failed sign-ins; try again in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    /// 503: storage is down; nothing was accepted.
    #[error("storage is unavailable")]
    Unavailable,
    /// 410: the session was erased; its recording no longer exists.
    #[error("{0}")]
    Erased(String),
    /// 503: what was asked for is recorded but the log has not signed it yet.
    #[error("{0}")]
    NotYetSigned(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_seq: Option<u64>,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The stable `error` code of the JSON body (also a metrics label).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::TooLarge { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::BadCredentials(_) => "bad_credentials",
            ApiError::TooManyAttempts { .. } => "too_many_attempts",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Overloaded { .. } => "overloaded",
            ApiError::Unavailable => "unavailable",
            ApiError::NotYetSigned(_) => "not_yet_signed",
            ApiError::Erased(_) => "erased",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(_) => {
                tracing::warn!(error = %e, "storage unavailable");
                ApiError::Unavailable
            }
            StorageError::NotErasable(message) => ApiError::Conflict {
                code: "not_erasable",
                message,
                expected_seq: None,
            },
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Erased(_) => StatusCode::GONE,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Overloaded { .. } | ApiError::TooManyAttempts { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable | ApiError::NotYetSigned(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let expected_seq = match self {
            ApiError::Conflict { expected_seq, .. } => *expected_seq,
            _ => None,
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Overloaded { retry_after_s }
            | ApiError::TooManyAttempts { retry_after_s } => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(*retry_after_s)));
            }
            ApiError::Unavailable | ApiError::NotYetSigned(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from(5u64)));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: self.code(),
            message: self.to_string(),
            expected_seq,
        })
    }
}
