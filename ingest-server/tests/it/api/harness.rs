//! `spawn_app`: the real server on port 0 against a fresh database, with typed
//! helpers for the requests tests make.

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use ingest_server::configuration::Settings;
use ingest_server::startup::Application;
use ingest_server::storage::{NewProject, Storage};
use ledger::checkpoint::{Checkpoint, LogVerifier};
use tempfile::TempDir;
use tokio::task::JoinHandle;

use crate::support::Backend;

pub const ORIGIN: &str = "affidavit.test/log";
pub const PROJECT: &str = "shop";
pub const SITE: &str = "https://shop.example";

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub key: String,
    pub settings: Settings,
    pub store: Arc<dyn Storage>,
    pub data_dir: TempDir,
    pub backend: Backend,
    /// The login `viewer_get` uses.
    viewer_login: tokio::sync::OnceCell<super::sign_in::SignedIn>,
    handle: ServerHandle,
    running: JoinHandle<anyhow::Result<()>>,
}

/// Test settings: fast integrator, everything else as in production.
pub fn test_settings(data_dir: &TempDir) -> Settings {
    let mut settings = Settings {
        data_dir: data_dir.path().to_path_buf(),
        log_origin: ORIGIN.into(),
        ..Settings::default()
    };
    settings.http.bind = "127.0.0.1:0".parse().expect("addr");
    settings.http.workers = 2;
    settings.http.shutdown_timeout_s = 10;
    settings.integrator.interval_ms = 50;
    settings.indexer.interval_ms = 50;
    settings
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(&data_dir);
    adjust(&mut settings);
    let store = crate::support::open_store(backend, &settings).await;
    start(backend, settings, store, data_dir, true).await
}

/// As `affidavit serve --demo` runs it: the demo site is served, with the test
/// project's write key in its pages.
pub async fn spawn_demo_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(&data_dir);
    adjust(&mut settings);
    let store = crate::support::open_store(backend, &settings).await;
    launch(backend, settings, store, data_dir, true, true).await
}

/// Starts the server on an existing data directory and store (a restart).
pub async fn start(
    backend: Backend,
    settings: Settings,
    store: Arc<dyn Storage>,
    data_dir: TempDir,
    create_project: bool,
) -> TestApp {
    launch(backend, settings, store, data_dir, create_project, false).await
}

async fn launch(
    backend: Backend,
    settings: Settings,
    store: Arc<dyn Storage>,
    data_dir: TempDir,
    create_project: bool,
    demo: bool,
) -> TestApp {
    let key = if create_project {
        let project = store
            .create_project(&NewProject {
                id: PROJECT.into(),
                name: "Shop".into(),
                write_key: format!("awk_test_{}", uuid::Uuid::new_v4().simple()),
                allowed_origins: vec![SITE.into()],
                created_at_ms: 1,
            })
            .await
            .expect("project");
        project.write_key
    } else {
        store
            .list_projects()
            .await
            .expect("projects")
            .into_iter()
            .find(|p| p.id == PROJECT)
            .expect("project")
            .write_key
    };
    let app = Application::build_with_store(settings.clone(), store.clone())
        .await
        .expect("app builds");
    if demo {
        app.state().demo.enable(key.clone());
    }
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let running = tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
        key,
        settings,
        store,
        data_dir,
        backend,
        viewer_login: tokio::sync::OnceCell::new(),
        handle,
        running,
    }
}

impl TestApp {
    pub async fn post_batch(&self, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(format!("{}/v1/ingest", self.base))
            .header("X-Affidavit-Key", &self.key)
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .expect("request is sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request is sent")
    }

    /// A request as the session viewer makes it. Every test of the viewer's endpoints
    /// goes through here, so signing in is added in one place once accounts exist.
    /// GET as a signed-in support user (created and signed in on first use).
    pub async fn viewer_get(&self, path: &str) -> reqwest::Response {
        let who = self
            .viewer_login
            .get_or_init(|| {
                super::sign_in::sign_in(self, "viewer", ingest_server::auth::Role::Support)
            })
            .await;
        self.get_as(who, path).await
    }

    pub fn verifier(&self) -> LogVerifier {
        super::pinned_key(&self.data_dir)
    }

    /// The latest checkpoint, verified against the pinned key.
    pub async fn checkpoint(&self) -> Checkpoint {
        let note = self.get("/v1/checkpoint").await.text().await.expect("body");
        self.verifier().verify(&note).expect("checkpoint verifies")
    }

    /// Waits (polling, bounded) until a checkpoint covers at least `size` entries.
    pub async fn wait_for_tree(&self, size: u64) -> Checkpoint {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let checkpoint = self.checkpoint().await;
            if checkpoint.size >= size {
                return checkpoint;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "tree stuck at {} of {size}",
                checkpoint.size
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (polling, bounded) until every entry of `session` is in the tree;
    /// returns the checkpoint then (other chains, such as the access log's
    /// sign-ins, grow the tree too, so a size alone says too little).
    pub async fn wait_for_session(&self, session: uuid::Uuid) -> Checkpoint {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let summary = self
                .store
                .session_summary(session)
                .await
                .expect("summary")
                .expect("session exists");
            if summary.summary.is_sealed() {
                return self.checkpoint().await;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "session {session} not integrated"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Graceful stop; returns the data directory and store for a restart or fsck.
    pub async fn stop(self) -> (Settings, Arc<dyn Storage>, TempDir) {
        self.handle.stop(true).await;
        self.running
            .await
            .expect("server task")
            .expect("server stopped cleanly");
        (self.settings, self.store, self.data_dir)
    }
}
