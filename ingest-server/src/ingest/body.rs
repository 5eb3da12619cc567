//! Reading a request body under a hard byte limit.

use actix_web::web::{self, BytesMut};
use futures_util::StreamExt;

use crate::error::ApiError;

/// Reads at most `limit` bytes; a declared or actual larger body is a 413 before
/// more than `limit` bytes are buffered.
pub async fn read_limited(
    mut payload: web::Payload,
    declared_len: Option<usize>,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    let too_large = || ApiError::TooLarge {
        code: "body_too_large",
        message: format!("request body exceeds the {limit}-byte limit"),
    };
    if declared_len.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = BytesMut::with_capacity(declared_len.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("bad_body", format!("request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
