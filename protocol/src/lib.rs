//! Affidavit's wire format (placeholder header; the protocol crate is being written).
