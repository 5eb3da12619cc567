//! The real server, in process on 127.0.0.1:0, with production settings (only
//! the bind address, data directory and database differ), and what the bench
//! reads from it: `/metrics`, and how long the integrator takes to catch up.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::web::Bytes;
use ingest_server::configuration::Settings;
use ingest_server::startup::{self, Application};
use ingest_server::storage::NewProject;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::batches::PROJECT;
use crate::flags::Flags;
use crate::load::{SendError, SessionSender};

pub struct Server {
    pub base: String,
    pub key: String,
    client: reqwest::Client,
    handle: ServerHandle,
    running: JoinHandle<anyhow::Result<()>>,
    _data_dir: TempDir,
}

/// Production settings with the bench's overrides applied.
fn settings(flags: &Flags) -> Settings {
    let mut settings = Settings::default();
    if let Some(shards) = flags.writer_shards {
        settings.ingest.writer_shards = shards;
    }
    if let Some(max) = flags.max_group_batches {
        settings.ingest.max_group_batches = max;
    }
    if let Some(pool) = flags.pg_pool {
        settings.database.postgres.max_connections = pool;
    }
    if let Some(ms) = flags.integrator_ms {
        settings.integrator.interval_ms = ms;
    }
    settings
}

/// The settings that shape ingest throughput, for the report.
pub fn describe(flags: &Flags) -> String {
    let s = settings(flags);
    format!(
        "in process, HTTP workers one per core, writer_shards {}, max_group_batches {}, \
         Postgres pool {}, SQLite synchronous {:?}, integrator every {} ms{}",
        s.ingest.writer_shards,
        s.ingest.max_group_batches,
        s.database.postgres.max_connections,
        s.database.sqlite.synchronous,
        s.integrator.interval_ms,
        if flags.writer_shards.is_some()
            || flags.max_group_batches.is_some()
            || flags.pg_pool.is_some()
        {
            " (overridden by flags)"
        } else {
            " (production defaults)"
        }
    )
}

impl Server {
    /// `database_url`: PostgreSQL; `None`: embedded SQLite in a temp directory.
    pub async fn start(database_url: Option<String>, flags: &Flags) -> anyhow::Result<Server> {
        let data_dir = tempfile::tempdir()?;
        let mut settings = settings(flags);
        settings.data_dir = data_dir.path().to_path_buf();
        settings.http.bind = "127.0.0.1:0".parse()?;
        settings.database.url = database_url;
        settings.validate()?;
        let store = startup::open_store(&settings).await?;
        let key = format!("awk_bench_{}", Uuid::new_v4().simple());
        store
            .create_project(&NewProject {
                id: PROJECT.into(),
                name: "Bench".into(),
                write_key: key.clone(),
                allowed_origins: vec!["https://shop.example".into()],
                created_at_ms: 1,
            })
            .await?;
        let app = Application::build_with_store(settings, store).await?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        let running = tokio::spawn(app.run_until_stopped());
        Ok(Server {
            base,
            key,
            client: reqwest::Client::new(),
            handle,
            running,
            _data_dir: data_dir,
        })
    }

    /// A sender with its own keep-alive HTTP/1.1 connection, as each browser has.
    pub fn sender(&self) -> HttpSender {
        HttpSender {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .tcp_nodelay(true)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("HTTP client"),
            url: format!("{}/v1/ingest", self.base),
            key: self.key.clone(),
        }
    }

    pub fn metrics_reader(&self) -> MetricsReader {
        MetricsReader {
            client: self.client.clone(),
            url: format!("{}/metrics", self.base),
        }
    }

    pub async fn metrics(&self) -> anyhow::Result<HashMap<String, f64>> {
        self.metrics_reader().read().await
    }

    /// Seconds from the last receipt (`ended`) until the tree holds `entries`
    /// entries (every batch plus each session's opening entry): the lag of the
    /// tree, and so of inclusion proofs, behind ingest. Bounded at 120 s.
    pub async fn catch_up(&self, ended: Instant, entries: u64) -> anyhow::Result<f64> {
        loop {
            let m = self.metrics().await?;
            let size = m.get("affidavit_tree_size").copied().unwrap_or(0.0);
            if size >= entries as f64 {
                return Ok(ended.elapsed().as_secs_f64());
            }
            anyhow::ensure!(
                ended.elapsed() < Duration::from_secs(120),
                "the tree has {size} of {entries} entries after 120 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.handle.stop(true).await;
        self.running.await??;
        Ok(())
    }
}

/// Reads `/metrics`; cheap to clone into a sampling task.
#[derive(Clone)]
pub struct MetricsReader {
    client: reqwest::Client,
    url: String,
}

impl MetricsReader {
    /// `/metrics` as name (with labels) → value.
    pub async fn read(&self) -> anyhow::Result<HashMap<String, f64>> {
        let text = self
            .client
            .get(&self.url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        Ok(text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit_once(' '))
            .filter_map(|(name, value)| Some((name.to_owned(), value.parse().ok()?)))
            .collect())
    }
}

pub fn pending(metrics: &HashMap<String, f64>) -> f64 {
    metrics
        .get("affidavit_integrator_pending_entries")
        .copied()
        .unwrap_or(0.0)
}

/// Mean batches per commit since the server started.
pub fn mean_group(metrics: &HashMap<String, f64>) -> Option<f64> {
    let sum = metrics.get("affidavit_ingest_commit_group_batches_sum")?;
    let count = metrics.get("affidavit_ingest_commit_group_batches_count")?;
    (*count > 0.0).then(|| sum / count)
}

pub struct HttpSender {
    client: reqwest::Client,
    url: String,
    key: String,
}

impl SessionSender for HttpSender {
    async fn send(&mut self, _session: Uuid, _seq: u64, body: Bytes) -> Result<(), SendError> {
        let response = self
            .client
            .post(&self.url)
            .header("X-Affidavit-Key", &self.key)
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Fatal(format!("HTTP error: {e}")))?;
        let status = response.status();
        // Read the receipt: the request is done only once its answer is.
        let text = response.text().await.unwrap_or_default();
        match status.as_u16() {
            200 => Ok(()),
            429 | 503 => Err(SendError::Retry(format!("HTTP {status}"))),
            _ => Err(SendError::Fatal(format!("HTTP {status}: {text}"))),
        }
    }
}
