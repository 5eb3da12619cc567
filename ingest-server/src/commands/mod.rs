//! One file per subcommand; `main.rs` only dispatches.

pub mod decode;
pub mod fsck;
pub mod keygen;
pub mod project;
pub mod serve;
pub mod session;
pub mod user;
pub mod verify;

/// The access record of a command-line action by `operator` (default `$USER`):
/// the client is `cli`, so the log tells a shell from a browser.
pub fn cli_record(
    action: &str,
    operator: Option<String>,
    reason: Option<String>,
) -> protocol::api::AccessRecord {
    let user = operator
        .or_else(|| std::env::var("USER").ok())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    protocol::api::AccessRecord {
        action: action.into(),
        user: user.chars().take(64).collect(),
        role: "cli".into(),
        client: "cli".into(),
        user_agent: None,
        at_ms: crate::clock::now_ms(),
        reason,
        ..protocol::api::AccessRecord::default()
    }
}

/// Puts command-line changes on the record: `admin_action` entries in the
/// access log. Made before the change, so a missing signing key stops the
/// command before anything is changed rather than after.
#[derive(Debug)]
pub struct AdminRecorder {
    seal: crate::seal::EntrySeal,
    origin: String,
}

impl AdminRecorder {
    pub fn new(settings: &crate::configuration::Settings) -> anyhow::Result<Self> {
        let signer = crate::keys::load(&settings.data_dir)?;
        Ok(AdminRecorder {
            seal: crate::seal::EntrySeal::from_signer(&signer),
            origin: settings.log_origin.clone(),
        })
    }

    /// Commits the entry; `detail` (what changed) goes into the record's `reason`.
    pub async fn record(
        &self,
        store: &dyn crate::storage::Storage,
        action: &str,
        target: &str,
        detail: &str,
        operator: Option<String>,
    ) -> anyhow::Result<()> {
        let mut record = cli_record(action, operator, Some(detail.to_owned()));
        record.target = Some(target.to_owned());
        let entry = crate::access_log::AccessEntry {
            chain: crate::access_log::Chain::AccessLog,
            kind: ledger::EntryKind::AdminAction,
            actor: format!("cli:{}", record.user),
            record,
        };
        crate::access_log::append(store, &self.origin, &self.seal, &entry).await?;
        Ok(())
    }
}
