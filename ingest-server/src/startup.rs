//! Builds and runs the application: storage, key, pipeline, integrator, indexer, HTTP.
//! Tests build it with port 0 exactly as `affidavit serve` does.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing_actix_web::TracingLogger;

use crate::configuration::Settings;
use crate::error::ApiError;
use crate::ingest::pipeline::IngestPipeline;
use crate::ingest::projects::ProjectCache;
use crate::integrator::Integrator;
use crate::metrics::Metrics;
use crate::retention::Reaper;
use crate::seal::EntrySeal;
use crate::search::indexer::Indexer;
use crate::session_close::Closer;
use crate::state::AppState;
use crate::storage::{PostgresStore, SqliteStore, Storage};
use crate::{checkpoint_file, keys, published, routes};

/// The largest JSON request body accepted (the API's JSON bodies are sign-ins).
pub const MAX_JSON_BODY_BYTES: usize = 16 * 1024;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    store: Arc<dyn Storage>,
    writers: Vec<JoinHandle<()>>,
    integrator: JoinHandle<()>,
    indexer: JoinHandle<()>,
    reaper: JoinHandle<()>,
    closer: JoinHandle<()>,
    /// Stops the background tasks (integrator, indexer).
    stop_background: watch::Sender<bool>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// Opens the configured store: Postgres when a URL is set, else embedded SQLite.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Storage>> {
    match &settings.database.url {
        Some(url) => Ok(Arc::new(
            PostgresStore::connect(url, settings.database.postgres.clone())
                .await
                .context("connecting to PostgreSQL")?,
        )),
        None => {
            std::fs::create_dir_all(&settings.data_dir).with_context(|| {
                format!("creating data directory {}", settings.data_dir.display())
            })?;
            Ok(Arc::new(
                SqliteStore::open(&settings.sqlite_path(), settings.database.sqlite.clone())
                    .await
                    .context("opening the embedded SQLite database")?,
            ))
        }
    }
}

/// The server runs without the built recorder (the API does not need it), but an
/// operator should hear why `/affidavit.js` answers 404.
fn warn_if_assets_missing(settings: &Settings) {
    let dir = &settings.assets.recorder_dir;
    if !dir.join("affidavit.js").is_file() {
        tracing::warn!(
            recorder_dir = %dir.display(),
            "the recorder is not built: /affidavit.js and /recorder/* answer 404 until scripts/build-recorder has run"
        );
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let store = open_store(&settings).await?;
        Self::build_with_store(settings, store).await
    }

    pub async fn build_with_store(
        settings: Settings,
        store: Arc<dyn Storage>,
    ) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
        let signer = Arc::new(keys::load_or_create(
            &settings.data_dir,
            &settings.log_origin,
        )?);
        if let Some(note) = checkpoint_file::read(&settings.data_dir)? {
            let (published, database) = published::check(store.as_ref(), &signer.verifier(), &note)
                .await
                .context(
                    "refusing to start: the database does not extend the last published checkpoint",
                )?;
            tracing::info!(
                published,
                database,
                "database extends the last published checkpoint"
            );
        }
        let data_keys = Arc::new(settings.data_keys(true)?);
        warn_if_assets_missing(&settings);
        let metrics = Arc::new(Metrics::new());
        let settings = Arc::new(settings);
        let seal = EntrySeal::from_signer(&signer);
        let (pipeline, writers) = IngestPipeline::start(
            store.clone(),
            settings.log_origin.clone(),
            seal.clone(),
            &settings.ingest,
            metrics.clone(),
        );
        let state = AppState::new(
            store.clone(),
            pipeline,
            settings.clone(),
            metrics.clone(),
            signer.clone(),
            Arc::new(ProjectCache::new(
                Duration::from_millis(settings.ingest.project_cache_ttl_ms),
                10_000,
            )),
            data_keys.clone(),
            tokio::runtime::Handle::current(),
        );

        let listener = TcpListener::bind(settings.http.bind)
            .with_context(|| format!("binding {}", settings.http.bind))?;
        let port = listener.local_addr()?.port();
        let server_state = state.clone();
        let mut server =
            HttpServer::new(move || {
                App::new()
                    .wrap(TracingLogger::default())
                    .app_data(web::Data::new(server_state.clone()))
                    .app_data(web::QueryConfig::default().error_handler(|e, _| {
                        ApiError::bad_request("bad_query", e.to_string()).into()
                    }))
                    // JSON bodies (sign-in) are small; a bad one gets the usual error shape.
                    .app_data(
                        web::JsonConfig::default()
                            .limit(MAX_JSON_BODY_BYTES)
                            .error_handler(|e, _| {
                                ApiError::bad_request("bad_body", e.to_string()).into()
                            }),
                    )
                    .configure(routes::register)
                    .default_service(web::to(routes::not_found))
            })
            .shutdown_timeout(settings.http.shutdown_timeout_s);
        if settings.http.workers > 0 {
            server = server.workers(settings.http.workers);
        }
        let server = server.listen(listener)?.run();

        let app_store = store.clone();
        let indexer = Indexer::new(
            store.clone(),
            settings.indexer.clone(),
            settings.ingest.limits.clone(),
            metrics.clone(),
            data_keys.clone(),
        );
        let reaper = Reaper {
            store: store.clone(),
            origin: settings.log_origin.clone(),
            seal: seal.clone(),
            keys: data_keys.clone(),
            settings: settings.retention.clone(),
        };
        let closer = Closer {
            store: store.clone(),
            origin: settings.log_origin.clone(),
            seal: seal.clone(),
            settings: settings.session_close.clone(),
        };
        let integrator = Integrator {
            store,
            signer,
            seal,
            origin: settings.log_origin.clone(),
            settings: settings.integrator.clone(),
            data_dir: settings.data_dir.clone(),
            metrics,
        };
        let (stop_background, stopped) = watch::channel(false);
        let indexer = tokio::spawn(indexer.run(stopped.clone()));
        let reaper = tokio::spawn(reaper.run(stopped.clone()));
        let closer = tokio::spawn(closer.run(stopped.clone()));
        let integrator = tokio::spawn(integrator.run(stopped));
        Ok(Application {
            port,
            server,
            state,
            store: app_store,
            writers,
            integrator,
            indexer,
            reaper,
            closer,
            stop_background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The store, for start-up work outside request handling (the demo project).
    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    /// Stops the server gracefully (as SIGTERM does).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM or [`ServerHandle::stop`], then finishes in-flight
    /// requests, drains the writers, stops the indexer and lets the integrator take a
    /// last step.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            server,
            state,
            writers,
            integrator,
            indexer,
            reaper,
            closer,
            stop_background,
            ..
        } = self;
        server.await.context("HTTP server failed")?;
        drop(state); // the last pipeline handle: writers drain their queues and stop
        for writer in writers {
            let _ = tokio::time::timeout(Duration::from_secs(30), writer).await;
        }
        let _ = stop_background.send(true);
        let _ = indexer.await;
        let _ = reaper.await;
        let _ = closer.await;
        let _ = integrator.await;
        tracing::info!("stopped");
        Ok(())
    }
}
