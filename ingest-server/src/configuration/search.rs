//! Settings of the session index: the indexer that maintains it and the search
//! that reads it (`crate::search`).

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

/// The session index (see `crate::search`): a projection of the log the indexer
/// keeps behind ingest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexerSettings {
    /// Time between steps: how far the session list may lag behind ingest.
    pub interval_ms: u64,
    /// Stored batches read and decoded per step, over all sessions; bounds the work
    /// (and the SQLite write lock) one step takes.
    pub max_batches_per_step: usize,
    /// A session that has received nothing for this long has its clicks still waiting
    /// for a reaction counted as dead clicks. Longer than the recorder's flush interval
    /// and retries, so a reaction still on its way is not missed.
    pub settle_after_ms: u64,
    /// Distinct page URLs indexed per session.
    pub max_pages_per_session: usize,
    /// Identify traits indexed per session.
    pub max_traits_per_session: usize,
    /// Distinct custom event names indexed per session.
    pub max_event_names_per_session: usize,
    /// Bytes of any indexed string (URL, user id, trait, event name); longer ones are cut.
    pub max_value_bytes: usize,
}

/// `GET /v1/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Rows per page when the request names no `limit`.
    pub default_limit: u32,
    /// The largest `limit` a request may ask for.
    pub max_limit: u32,
    /// `trait.KEY=VALUE` filters one request may combine.
    pub max_trait_filters: usize,
}

/// Rows of one list a session may put in one INSERT: its columns times this stay
/// under SQLite's bind-variable limit (32 766).
pub const MAX_INDEXED_PER_SESSION: usize = 10_000;

impl Default for IndexerSettings {
    fn default() -> Self {
        IndexerSettings {
            interval_ms: 1000,
            max_batches_per_step: 500,
            settle_after_ms: 120_000,
            max_pages_per_session: 200,
            max_traits_per_session: 50,
            max_event_names_per_session: 100,
            max_value_bytes: 1024,
        }
    }
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            default_limit: 50,
            max_limit: 500,
            max_trait_filters: 4,
        }
    }
}

/// Checks the `indexer` and `search` sections.
pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let invalid = |m: String| Err(ConfigError::Invalid(m));
    let ix = &settings.indexer;
    if ix.interval_ms == 0 || ix.max_batches_per_step == 0 || ix.settle_after_ms == 0 {
        return invalid(
            "indexer.interval_ms, max_batches_per_step and settle_after_ms must be at least 1"
                .into(),
        );
    }
    for (name, value) in [
        ("max_pages_per_session", ix.max_pages_per_session),
        ("max_traits_per_session", ix.max_traits_per_session),
        (
            "max_event_names_per_session",
            ix.max_event_names_per_session,
        ),
    ] {
        if !(1..=MAX_INDEXED_PER_SESSION).contains(&value) {
            return invalid(format!(
                "indexer.{name} must be from 1 to {MAX_INDEXED_PER_SESSION}"
            ));
        }
    }
    if !(1..=settings.ingest.limits.max_string_bytes).contains(&ix.max_value_bytes) {
        return invalid(format!(
            "indexer.max_value_bytes must be from 1 to ingest.limits.max_string_bytes ({})",
            settings.ingest.limits.max_string_bytes
        ));
    }
    let search = &settings.search;
    if search.max_limit == 0 || !(1..=search.max_limit).contains(&search.default_limit) {
        return invalid(
            "search.default_limit must be from 1 to search.max_limit (at least 1)".into(),
        );
    }
    if search.max_trait_filters == 0 {
        return invalid("search.max_trait_filters must be at least 1".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigError, Settings};

    #[test]
    fn bad_index_and_search_settings_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("affidavit.toml");
        for bad in [
            "[indexer]\ninterval_ms = 0\n",
            "[indexer]\nmax_batches_per_step = 0\n",
            "[indexer]\nsettle_after_ms = 0\n",
            "[indexer]\nmax_pages_per_session = 0\n",
            "[indexer]\nmax_traits_per_session = 10001\n",
            "[indexer]\nmax_event_names_per_session = 0\n",
            "[indexer]\nmax_value_bytes = 0\n",
            "[indexer]\nmax_value_bytes = 2000\n[ingest.limits]\nmax_string_bytes = 1000\n",
            "[search]\ndefault_limit = 0\n",
            "[search]\ndefault_limit = 600\n",
            "[search]\nmax_limit = 0\n",
            "[search]\nmax_trait_filters = 0\n",
        ] {
            std::fs::write(&file, bad).expect("write");
            assert!(
                matches!(Settings::load(Some(&file)), Err(ConfigError::Invalid(_))),
                "accepted {bad:?}"
            );
        }
        std::fs::write(&file, "[search]\ndefault_limit = 600\nmax_limit = 600\n").expect("write");
        assert_eq!(
            Settings::load(Some(&file))
                .expect("loads")
                .search
                .default_limit,
            600
        );
    }
}
