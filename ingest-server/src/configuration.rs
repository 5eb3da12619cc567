//! The only place that reads configuration: an optional TOML file, then
//! `AFFIDAVIT_…` environment variables (`__` between nested keys, e.g.
//! `AFFIDAVIT_HTTP__BIND=0.0.0.0:8080`), then `DATABASE_URL`. Every limit the server
//! enforces is a field here, with its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::storage::{PostgresOptions, SqliteOptions};

mod access_log;
mod encryption;
mod export;
mod retention;
mod search;
mod session_close;

pub use access_log::AccessLogSettings;
pub use encryption::EncryptionSettings;
pub use export::ExportSettings;
pub use retention::RetentionSettings;
pub use search::{IndexerSettings, MAX_INDEXED_PER_SESSION, SearchSettings};
pub use session_close::SessionCloseSettings;

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
    pub auth: AuthSettings,
    pub viewer: ViewerSettings,
    pub export: ExportSettings,
    pub access_log: AccessLogSettings,
    pub encryption: EncryptionSettings,
    pub retention: RetentionSettings,
    pub session_close: SessionCloseSettings,
}

/// Sign-in to the viewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// How long a sign-in lasts.
    pub session_ttl_minutes: u64,
    /// Sign-ins that did not succeed allowed per client network (an IPv4 address
    /// or IPv6 /64) and per user name within `failed_login_window_s`; more answer
    /// 429. Behind a reverse proxy every client is the proxy's address.
    pub max_failed_logins: usize,
    pub failed_login_window_s: u64,
    /// The login cookie's `Secure` flag: `auto` sets it when this server itself
    /// serves TLS; behind a TLS-terminating proxy use `always`.
    pub secure_cookies: SecureCookies,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    #[default]
    Auto,
    Always,
    Never,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_ttl_minutes: 12 * 60,
            max_failed_logins: 10,
            failed_login_window_s: 300,
            secure_cookies: SecureCookies::Auto,
        }
    }
}

/// The web viewer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewerSettings {
    /// The log key (C2SP vkey) the viewer pins and verifies checkpoints
    /// against; unset means this server's own key. Set it to the key you
    /// published so a replaced server key shows as a failure.
    pub pinned_log_key: Option<String>,
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
    /// The built viewer (`scripts/build-viewer` writes it): `/viewer/{file}`,
    /// and its page at `/`, `/login`, `/sessions`, `/sessions/{id}`.
    pub viewer_dir: PathBuf,
}

impl Default for AssetSettings {
    fn default() -> Self {
        AssetSettings {
            recorder_dir: PathBuf::from("dist/recorder"),
            www_dir: PathBuf::from("www"),
            viewer_dir: PathBuf::from("dist/viewer"),
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
            auth: AuthSettings::default(),
            viewer: ViewerSettings::default(),
            export: ExportSettings::default(),
            access_log: AccessLogSettings::default(),
            encryption: EncryptionSettings::default(),
            retention: RetentionSettings::default(),
            session_close: SessionCloseSettings::default(),
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
        search::validate(self)?;
        export::validate(self)?;
        access_log::validate(self)?;
        encryption::validate(self)?;
        retention::validate(self)?;
        session_close::validate(self)?;
        if self.assets.recorder_dir.as_os_str().is_empty()
            || self.assets.www_dir.as_os_str().is_empty()
            || self.assets.viewer_dir.as_os_str().is_empty()
        {
            return invalid(
                "assets.recorder_dir, assets.www_dir and assets.viewer_dir must not be empty",
            );
        }
        if self.auth.session_ttl_minutes == 0
            || self.auth.max_failed_logins == 0
            || self.auth.failed_login_window_s == 0
        {
            return invalid(
                "auth.session_ttl_minutes, auth.max_failed_logins and auth.failed_login_window_s must be at least 1",
            );
        }
        if let Some(key) = &self.viewer.pinned_log_key
            && let Err(e) = ledger::LogVerifier::parse(key)
        {
            return Err(ConfigError::Invalid(format!(
                "viewer.pinned_log_key is not a log key: {e}"
            )));
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

    /// Where the master key that wraps sessions' data keys is.
    pub fn master_key_path(&self) -> PathBuf {
        crate::data_keys::master_key_path(
            &self.data_dir,
            self.encryption.master_key_file.as_deref(),
        )
    }

    /// The data keys of this deployment; `create` makes the master key if missing.
    pub fn data_keys(&self, create: bool) -> anyhow::Result<crate::data_keys::DataKeys> {
        crate::data_keys::DataKeys::load(
            &self.master_key_path(),
            create,
            std::time::Duration::from_millis(self.encryption.key_cache_ttl_ms),
        )
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
        std::fs::write(&file, "no_such_setting = 1\n").expect("write");
        assert!(
            Settings::load(Some(&file)).is_err(),
            "unknown keys must be refused"
        );
    }
}
