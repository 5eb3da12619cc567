//! The ingest path: authenticate, check origin, read and decode under limits, then
//! hand the bytes exactly as received to the group-commit pipeline.

pub mod body;
pub mod cors;
pub mod pipeline;
pub mod projects;
