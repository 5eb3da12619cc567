//! What every request handler shares.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use ledger::checkpoint::LogSigner;

use crate::access_log::budget::DenialBudget;
use crate::auth::limiter::LoginLimiter;
use crate::configuration::Settings;
use crate::data_keys::DataKeys;
use crate::error::ApiError;
use crate::ingest::pipeline::IngestPipeline;
use crate::ingest::projects::ProjectCache;
use crate::metrics::Metrics;
use crate::seal::EntrySeal;
use crate::storage::{Storage, StorageError};

#[derive(Debug, Clone)]
pub struct AppState {
    /// Private: handlers reach storage only through [`AppState::storage`].
    store: Arc<dyn Storage>,
    pub pipeline: IngestPipeline,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub signer: Arc<LogSigner>,
    pub projects: Arc<ProjectCache>,
    /// Seals entries the server appends outside ingest (views, exports).
    pub seal: EntrySeal,
    /// Sign-in attempts per client and per user.
    pub logins: Arc<LoginLimiter>,
    /// Password checks running at once (each holds ~19 MiB and a core).
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// The main runtime, which outlives the HTTP workers.
    pub runtime: tokio::runtime::Handle,
    /// Set by `affidavit serve --demo` once the demo project exists.
    pub demo: DemoSite,
    /// Which refusals are recorded one by one (`access_log.*`).
    pub denials: Arc<DenialBudget>,
    /// Sessions' data keys (sealed payloads).
    pub data_keys: Arc<DataKeys>,
}

/// Whether this server serves the demo site, and with which write key.
///
/// Set after start-up rather than passed in: the demo project's allowed origins
/// name the port, which is known only once the listener is bound.
#[derive(Debug, Clone, Default)]
pub struct DemoSite(Arc<OnceLock<String>>);

impl DemoSite {
    /// Serves the demo site from now on, with `write_key` in its snippet tags. A
    /// second call keeps the first key.
    pub fn enable(&self, write_key: String) {
        let _ = self.0.set(write_key);
    }

    /// The demo project's write key; `None` unless the demo site is enabled.
    pub fn write_key(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

impl AppState {
    #[allow(clippy::too_many_arguments)] // the state, field by field
    pub fn new(
        store: Arc<dyn Storage>,
        pipeline: IngestPipeline,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
        signer: Arc<LogSigner>,
        projects: Arc<ProjectCache>,
        data_keys: Arc<DataKeys>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        let seal = EntrySeal::from_signer(&signer);
        let logins = Arc::new(LoginLimiter::new(
            settings.auth.max_failed_logins,
            std::time::Duration::from_secs(settings.auth.failed_login_window_s),
        ));
        let settings_denials = (
            settings.access_log.max_denials_per_minute,
            settings.access_log.max_denials_per_client_per_minute,
        );
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        AppState {
            seal,
            logins,
            password_checks: Arc::new(tokio::sync::Semaphore::new(cores)),
            store,
            pipeline,
            settings,
            metrics,
            signer,
            projects,
            runtime,
            demo: DemoSite::default(),
            denials: Arc::new(DenialBudget::new(
                settings_denials.0,
                settings_denials.1,
                std::time::Instant::now(),
            )),
            data_keys,
        }
    }

    /// `"sqlite"` or `"postgres"` (no I/O).
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Runs a storage call on the main runtime.
    ///
    /// actix runs each HTTP worker on its own runtime. A database connection opened
    /// from one is tied to that runtime's I/O driver and dies with it, yet the pool
    /// hands it to whoever asks next — the writers, the integrator's last step at
    /// shutdown. Opening every connection on the main runtime avoids that.
    pub async fn storage<T, F, Fut>(&self, call: F) -> Result<T, ApiError>
    where
        F: FnOnce(Arc<dyn Storage>) -> Fut,
        Fut: Future<Output = Result<T, StorageError>> + Send + 'static,
        T: Send + 'static,
    {
        self.runtime
            .spawn(call(self.store.clone()))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("storage task failed: {e}")))?
            .map_err(ApiError::from)
    }
}
