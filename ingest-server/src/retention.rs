//! The reaper: erases sessions past their project's retention (decision 0016).
//!
//! Each expired session goes through [`crate::erasure::erase`] like an admin's
//! request, with actor `system:retention` and the policy as its reason, so the
//! log shows why every recording it no longer holds is gone.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::now_ms;
use crate::configuration::RetentionSettings;
use crate::data_keys::DataKeys;
use crate::erasure::{self, EraseError};
use crate::seal::EntrySeal;
use crate::storage::{Storage, StorageError};

/// The actor of retention erasures.
pub const RETENTION_ACTOR: &str = "system:retention";
const DAY_MS: i64 = 86_400_000;

pub struct Reaper {
    pub store: Arc<dyn Storage>,
    pub origin: String,
    pub seal: EntrySeal,
    pub keys: Arc<DataKeys>,
    pub settings: RetentionSettings,
}

impl std::fmt::Debug for Reaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reaper")
            .field("origin", &self.origin)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Reaper {
    /// One pass over every policy; answers how many sessions it erased.
    pub async fn sweep(&self, now_ms: i64) -> Result<u64, StorageError> {
        let mut budget = self.settings.max_erasures_per_pass;
        let mut erased = 0;
        for policy in self.store.retention_policies().await? {
            if budget == 0 {
                break;
            }
            let cutoff = now_ms.saturating_sub(i64::from(policy.days).saturating_mul(DAY_MS));
            let expired = self
                .store
                .expired_sessions(&policy.project, cutoff, budget)
                .await?;
            for session in expired {
                budget = budget.saturating_sub(1);
                let record = protocol::api::AccessRecord {
                    action: ledger::EntryKind::SessionErased.name().into(),
                    user: "retention".into(),
                    role: "system".into(),
                    client: "server".into(),
                    at_ms: crate::clock::now_ms(),
                    reason: Some(format!(
                        "retention: project {} keeps recordings {} days",
                        policy.project, policy.days
                    )),
                    ..protocol::api::AccessRecord::default()
                };
                match erasure::erase(
                    self.store.as_ref(),
                    &self.origin,
                    &self.seal,
                    &self.keys,
                    session,
                    RETENTION_ACTOR.into(),
                    record,
                )
                .await
                {
                    Ok(receipt) => {
                        erased += 1;
                        tracing::info!(%session, project = %policy.project, session_seq = receipt.session_seq, "session erased by retention");
                    }
                    // Erased meanwhile by someone else: nothing left to do.
                    Err(EraseError::Storage(StorageError::NotErasable(_))) => {}
                    Err(EraseError::Storage(e)) => return Err(e),
                    Err(e) => tracing::warn!(%session, error = %e, "retention could not erase"),
                }
            }
        }
        Ok(erased)
    }

    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.check_interval_ms);
        crate::periodic::every(interval, shutdown, "retention", || self.sweep(now_ms())).await;
    }
}
