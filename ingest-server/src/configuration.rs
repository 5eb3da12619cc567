//! The only place that reads configuration: an optional TOML file, then
//! `AFFIDAVIT_…` environment variables (`__` between nested keys, e.g.
//! `AFFIDAVIT_HTTP__BIND=0.0.0.0:8080`), then `DATABASE_URL`. Every limit the server
//! enforces is a field here, with its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::storage::{PostgresOptions, SqliteOptions};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Holds the SQLite database, the log signing key and the last published
    /// checkpoint (kept outside the database to detect rollback).
    pub data_dir: PathBuf,
    /// The log's origin line: bound into every entry and checkpoint.
    pub log_origin: String,
    pub log_format: LogFormat,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub ingest: IngestSettings,
    pub integrator: IntegratorSettings,
    pub indexer: IndexerSettings,
    pub search: SearchSettings,
    pub assets: AssetSettings,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub bind: SocketAddr,
    /// actix worker threads; 0 means one per core.
    pub workers: usize,
    /// How long a graceful shutdown waits for in-flight requests.
    pub shutdown_timeout_s: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://…` selects PostgreSQL; unset means embedded SQLite in `data_dir`.
    pub url: Option<String>,
    pub sqlite: SqliteOptions,
    pub postgres: PostgresOptions,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    /// Decoding limits; `max_compressed_bytes` is also the request body limit.
    pub limits: protocol::Limits,
    /// Writer tasks; sessions are spread over them by id, each commits groups.
    pub writer_shards: usize,
    /// At most this many batches share one commit.
    pub max_group_batches: usize,
    /// At most this many payload bytes share one commit.
    pub max_group_bytes: usize,
    /// Batches waiting per shard before the server answers 429.
    pub queue_depth_per_shard: usize,
    /// The Retry-After a 429 suggests.
    pub retry_after_s: u64,
    /// How long a write key → project lookup is remembered (0: never). A removed
    /// or rotated key keeps working for at most this long.
    pub project_cache_ttl_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntegratorSettings {
    /// Time between steps; a checkpoint is signed at most once per step.
    pub interval_ms: u64,
    pub max_entries_per_step: usize,
}

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

/// Static files the server hands to browsers. Relative paths are relative to the
/// working directory, which is the repository root for `scripts/run`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssetSettings {
    /// The built recorder (`scripts/build-recorder` writes it): served at
    /// `/affidavit.js` and `/recorder/{file}`.
    pub recorder_dir: PathBuf,
    /// The demo site, served at `/demo/` by `affidavit serve --demo` only.
    pub www_dir: PathBuf,
}

impl Default for AssetSettings {
    fn default() -> Self {
        AssetSettings {
            recorder_dir: PathBuf::from("dist/recorder"),
            www_dir: PathBuf::from("www"),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("affidavit-data"),
            log_origin: "affidavit.localhost/log".into(),
            log_format: LogFormat::Text,
            http: HttpSettings::default(),
            database: DatabaseSettings::default(),
            ingest: IngestSettings::default(),
            integrator: IntegratorSettings::default(),
            indexer: IndexerSettings::default(),
            search: SearchSettings::default(),
            assets: AssetSettings::default(),
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 0,
            shutdown_timeout_s: 30,
        }
    }
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            limits: protocol::Limits::default(),
            writer_shards: 4,
            max_group_batches: 64,
            max_group_bytes: 8 * 1024 * 1024,
            queue_depth_per_shard: 512,
            retry_after_s: 1,
            project_cache_ttl_ms: 5_000,
        }
    }
}

impl Default for IntegratorSettings {
    fn default() -> Self {
        IntegratorSettings {
            interval_ms: 1000,
            max_entries_per_step: 100_000,
        }
    }
}

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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration is invalid: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration is invalid: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads defaults < `file` (if given) < `AFFIDAVIT_…` variables < `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("AFFIDAVIT")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .source(Some(setting_variables())),
        );
        if let Ok(url) = std::env::var("DATABASE_URL")
            && !url.is_empty()
        {
            builder = builder.set_override("database.url", url)?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if self.log_origin.is_empty() || self.log_origin.contains('\n') {
            return invalid("log_origin must be one non-empty line");
        }
        if self.ingest.writer_shards == 0 || self.ingest.max_group_batches == 0 {
            return invalid("ingest.writer_shards and ingest.max_group_batches must be at least 1");
        }
        if self.ingest.queue_depth_per_shard == 0 {
            return invalid("ingest.queue_depth_per_shard must be at least 1");
        }
        if self.integrator.max_entries_per_step == 0 || self.integrator.interval_ms == 0 {
            return invalid("integrator.interval_ms and max_entries_per_step must be at least 1");
        }
        self.validate_index()?;
        if self.assets.recorder_dir.as_os_str().is_empty()
            || self.assets.www_dir.as_os_str().is_empty()
        {
            return invalid("assets.recorder_dir and assets.www_dir must not be empty");
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return invalid(
                "database.url must be a postgres:// URL (leave it unset for embedded SQLite)",
            );
        }
        Ok(())
    }

    fn validate_index(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        let ix = &self.indexer;
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
        if !(1..=self.ingest.limits.max_string_bytes).contains(&ix.max_value_bytes) {
            return invalid(format!(
                "indexer.max_value_bytes must be from 1 to ingest.limits.max_string_bytes ({})",
                self.ingest.limits.max_string_bytes
            ));
        }
        let search = &self.search;
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

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("affidavit.sqlite3")
    }

    /// The settings as TOML with secrets (the database password) redacted.
    pub fn redacted(&self) -> String {
        let mut copy = self.clone();
        copy.database.url = copy.database.url.as_deref().map(redact_url_password);
        toml::to_string(&copy).unwrap_or_else(|e| format!("<unprintable settings: {e}>"))
    }
}

/// `AFFIDAVIT_…` variables that are settings; the few that steer tooling instead
/// (`AFFIDAVIT_CONFIG`, `AFFIDAVIT_TEST_…`) are not, and would be refused as
/// unknown keys.
fn setting_variables() -> config::Map<String, String> {
    std::env::vars()
        .filter(|(k, _)| {
            k.starts_with("AFFIDAVIT_")
                && k != "AFFIDAVIT_CONFIG"
                && !k.starts_with("AFFIDAVIT_TEST_")
        })
        .collect()
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".into();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url_password("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact_url_password("postgres://app@db/x"),
            "postgres://app@db/x"
        );
        let mut s = Settings::default();
        s.database.url = Some("postgres://app:s3cret@db/x".into());
        let printed = s.redacted();
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("app:***@db"));
    }

    #[test]
    fn file_values_load_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("affidavit.toml");
        std::fs::write(&file, "log_origin = \"example.com/log\"\n[ingest]\nwriter_shards = 2\n[ingest.limits]\nmax_events = 10\n")
            .expect("write");
        let s = Settings::load(Some(&file)).expect("loads");
        assert_eq!(s.log_origin, "example.com/log");
        assert_eq!(s.ingest.writer_shards, 2);
        assert_eq!(s.ingest.limits.max_events, 10);

        std::fs::write(&file, "[ingest]\nwriter_shards = 0\n").expect("write");
        assert!(matches!(
            Settings::load(Some(&file)),
            Err(ConfigError::Invalid(_))
        ));
        std::fs::write(&file, "[assets]\nrecorder_dir = \"\"\n").expect("write");
        assert!(matches!(
            Settings::load(Some(&file)),
            Err(ConfigError::Invalid(_))
        ));
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
        std::fs::write(&file, "no_such_setting = 1\n").expect("write");
        assert!(
            Settings::load(Some(&file)).is_err(),
            "unknown keys must be refused"
        );
    }
}
