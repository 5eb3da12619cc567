//! The session index: what support staff search sessions by.
//!
//! Key design decision: the index is a projection of the log, not part of it. The
//! indexer reads stored batches behind ingest, decodes them with `protocol` and keeps a
//! few mutable tables of facts per session (times, pages, user, counts of clicks,
//! errors, rage and dead clicks, custom events). Nothing in it is evidence: it can lag,
//! be dropped and be rebuilt from the log at any time (`affidavit session reindex`),
//! and ingest never waits for it. See `docs/decisions/0011-session-index-is-a-projection.md`.

pub mod clicks;
pub mod cursor;
pub mod facts;
pub mod indexer;
pub mod params;
pub mod update;
pub mod url;
