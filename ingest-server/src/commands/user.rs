//! `affidavit user add|list`, and the first admin of a demo server.

use std::io::BufRead;

use anyhow::Context;

use crate::auth::{Role, UserName, password, token};
use crate::cli::UserCommand;
use crate::clock::now_ms;
use crate::configuration::Settings;
use crate::startup::open_store;
use crate::storage::{NewUser, Storage};

pub async fn run(settings: &Settings, action: UserCommand) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    match action {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let name = UserName::parse(&name).map_err(anyhow::Error::msg)?;
            let role = Role::parse(&role).map_err(anyhow::Error::msg)?;
            let (secret, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (
                    token::new_password().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?,
                    true,
                )
            };
            create(store.as_ref(), &name, role, &secret).await?;
            println!("Created user {name} ({role})");
            if generated {
                println!("Password: {secret}   (shown this once)");
            }
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    user.name,
                    user.role,
                    if user.disabled { "disabled" } else { "active" },
                    user.created_at_ms
                );
            }
        }
    }
    Ok(())
}

async fn create(
    store: &dyn Storage,
    name: &UserName,
    role: Role,
    secret: &str,
) -> anyhow::Result<()> {
    let secret = secret.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .context("hashing the password")??;
    store
        .create_user(&NewUser {
            name: name.to_string(),
            password_hash,
            role,
            created_at_ms: now_ms(),
        })
        .await?;
    Ok(())
}

/// On a server with no accounts yet, creates `admin` with a generated password
/// and returns both (to print once). `None` when any account exists.
pub async fn bootstrap_admin(store: &dyn Storage) -> anyhow::Result<Option<(String, String)>> {
    if !store.list_users().await?.is_empty() {
        return Ok(None);
    }
    let name = UserName::parse("admin").map_err(anyhow::Error::msg)?;
    let secret = token::new_password().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    create(store, &name, Role::Admin, &secret).await?;
    Ok(Some((name.to_string(), secret)))
}
