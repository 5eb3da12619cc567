//! `affidavit project add|list|set-retention`.

use std::collections::HashMap;

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
            let retention: HashMap<String, u32> = store
                .retention_policies()
                .await?
                .into_iter()
                .map(|p| (p.project, p.days))
                .collect();
            for p in store.list_projects().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.id,
                    p.write_key,
                    p.allowed_origins.join(","),
                    retention
                        .get(&p.id)
                        .map_or_else(|| "keep".to_owned(), |d| format!("{d}d")),
                    p.name
                );
            }
        }
        ProjectCommand::SetRetention {
            project,
            days,
            operator,
        } => {
            let days = parse_retention(&days)?;
            let recorder = super::AdminRecorder::new(settings)?;
            if !store.set_retention(&project, days, now_ms()).await? {
                anyhow::bail!("no project {project:?} (see `affidavit project list`)");
            }
            let detail = days.map_or_else(|| "never".to_owned(), |d| d.to_string());
            recorder
                .record(
                    store.as_ref(),
                    "project.set_retention",
                    &format!("project:{project}"),
                    &format!("retention_days={detail}"),
                    operator,
                )
                .await?;
            match days {
                Some(d) => println!(
                    "Project {project}: recordings are erased {d} days after they start (checked every retention.check_interval_ms)"
                ),
                None => println!("Project {project}: recordings are kept"),
            }
        }
    }
    Ok(())
}

/// Longest retention accepted, in days (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// `never`, or a whole number of days in 1..=[`MAX_RETENTION_DAYS`].
pub fn parse_retention(raw: &str) -> anyhow::Result<Option<u32>> {
    if raw.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    match raw.parse::<u32>() {
        Ok(d) if (1..=MAX_RETENTION_DAYS).contains(&d) => Ok(Some(d)),
        _ => anyhow::bail!(
            "retention must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, or `never`; got {raw:?}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_days_or_never() {
        assert_eq!(parse_retention("30").expect("ok"), Some(30));
        assert_eq!(parse_retention("NEVER").expect("ok"), None);
        for bad in ["0", "-1", "1.5", "36501", "", "forever"] {
            assert!(parse_retention(bad).is_err(), "{bad}");
        }
    }
}
