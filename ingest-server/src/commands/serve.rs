//! `affidavit serve`.

use std::net::SocketAddr;

use crate::clock::now_ms;
use crate::configuration::Settings;
use crate::domain;
use crate::startup::Application;
use crate::storage::{NewProject, Project, Storage};

pub async fn run(
    mut settings: Settings,
    bind: Option<SocketAddr>,
    demo: bool,
) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        settings.http.bind = bind;
    }
    tracing::info!(settings = %settings.redacted(), "starting");
    let host = settings.http.bind.ip();
    let www_dir = settings.assets.www_dir.clone();
    let app = Application::build(settings).await?;
    let base = format!(
        "http://{}:{}",
        if host.is_unspecified() {
            "127.0.0.1".into()
        } else {
            host.to_string()
        },
        app.port()
    );
    let store = app.store().clone();
    let verifier = app.state().signer.verifier();
    println!("Affidavit is running ({} storage)", store.backend());
    println!("  viewer       {base}/sessions");
    println!("  ingest       POST {base}/v1/ingest");
    println!("  checkpoint   {base}/v1/checkpoint");
    println!("  health       {base}/healthz");
    println!("  metrics      {base}/metrics");
    println!("  log key      {}", verifier.to_vkey());
    println!("  fingerprint  {}", verifier.fingerprint());
    if demo {
        let project = ensure_demo_project(store.as_ref(), &base, app.port()).await?;
        app.state().demo.enable(project.write_key.clone());
        if !www_dir.join("index.html").is_file() {
            tracing::warn!(
                www_dir = %www_dir.display(),
                "no demo site here (index.html is missing): /demo/ answers 404; run from the repository root or set assets.www_dir"
            );
        }
        println!("  demo site    {base}/demo/");
        println!(
            "  demo project {} (write key {})",
            project.id, project.write_key
        );
        println!("  allowed      {}", project.allowed_origins.join(", "));
        match super::user::bootstrap_admin(store.as_ref()).await? {
            Some((name, password)) => {
                println!(
                    "  login        {name} / {password}   (shown this once; change it or add users with `affidavit user`)"
                )
            }
            None => println!("  login        an account already exists (`affidavit user list`)"),
        }
    }
    println!("Stop with Ctrl-C (in-flight batches are finished first).");
    app.run_until_stopped().await
}

async fn ensure_demo_project(
    store: &dyn Storage,
    base: &str,
    port: u16,
) -> anyhow::Result<Project> {
    if let Some(existing) = store
        .list_projects()
        .await?
        .into_iter()
        .find(|p| p.id == "demo")
    {
        return Ok(existing);
    }
    let project = NewProject {
        id: "demo".into(),
        name: "Demo site".into(),
        write_key: domain::new_write_key().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?,
        allowed_origins: vec![base.to_owned(), format!("http://localhost:{port}")],
        created_at_ms: now_ms(),
    };
    Ok(store.create_project(&project).await?)
}
