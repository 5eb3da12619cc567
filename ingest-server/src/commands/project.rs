//! `affidavit project add|list`.

use crate::cli::ProjectCommand;
use crate::clock::now_ms;
use crate::configuration::Settings;
use crate::domain::{self, AllowedOrigin, ProjectId};
use crate::startup::open_store;
use crate::storage::NewProject;

pub async fn run(settings: &Settings, action: ProjectCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    match action {
        ProjectCommand::Add { id, name, origins } => {
            let id = ProjectId::parse(&id).map_err(anyhow::Error::msg)?;
            let origins = origins
                .iter()
                .map(|o| AllowedOrigin::parse(o).map(AllowedOrigin::into_string))
                .collect::<Result<Vec<_>, _>>()
                .map_err(anyhow::Error::msg)?;
            let project = store
                .create_project(&NewProject {
                    id: id.to_string(),
                    name: name.unwrap_or_else(|| id.to_string()),
                    write_key: domain::new_write_key()
                        .map_err(|e| anyhow::anyhow!("no randomness: {e}"))?,
                    allowed_origins: origins,
                    created_at_ms: now_ms(),
                })
                .await?;
            println!("Created project {}", project.id);
            println!("Write key: {}", project.write_key);
            if project.allowed_origins.is_empty() {
                println!(
                    "Allowed origins: none (browsers are refused; add --origin https://your.site)"
                );
            } else {
                println!("Allowed origins: {}", project.allowed_origins.join(", "));
            }
            println!(
                "Snippet: <script src=\"https://YOUR-AFFIDAVIT-HOST/affidavit.js\" data-key=\"{}\" async></script>",
                project.write_key
            );
        }
        ProjectCommand::List => {
            for p in store.list_projects().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    p.id,
                    p.write_key,
                    p.allowed_origins.join(","),
                    p.name
                );
            }
        }
    }
    Ok(())
}
