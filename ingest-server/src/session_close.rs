//! The closer: ends the chains of sessions that stopped sending.
//!
//! A `session_closed` entry is what lets a verifier say a recording is complete:
//! no batch can follow it (the append plan refuses one, the bundle's "session
//! close" check fails on one). Sessions end by going quiet — a tab closes, a
//! phone sleeps — so the server closes them after `close_after_idle_ms` without
//! a batch, with actor `system:close`.

use std::sync::Arc;
use std::time::Duration;

use ledger::EntryKind;
use protocol::api::AccessRecord;
use tokio::sync::watch;

use crate::access_log::{self, AccessEntry, Chain};
use crate::clock::now_ms;
use crate::configuration::SessionCloseSettings;
use crate::seal::EntrySeal;
use crate::storage::{Storage, StorageError};

/// The actor of closes.
pub const CLOSE_ACTOR: &str = "system:close";

pub struct Closer {
    pub store: Arc<dyn Storage>,
    pub origin: String,
    pub seal: EntrySeal,
    pub settings: SessionCloseSettings,
}

impl std::fmt::Debug for Closer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Closer")
            .field("origin", &self.origin)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Closer {
    /// One pass: closes sessions idle since before `now_ms - close_after_idle_ms`;
    /// answers how many it closed.
    pub async fn sweep(&self, now_ms: i64) -> Result<u64, StorageError> {
        let idle_ms = i64::try_from(self.settings.close_after_idle_ms).unwrap_or(i64::MAX);
        let cutoff = now_ms.saturating_sub(idle_ms);
        let idle = self
            .store
            .idle_sessions(cutoff, self.settings.max_closes_per_pass)
            .await?;
        let mut closed = 0;
        for session in idle {
            let entry = AccessEntry {
                chain: Chain::Session(session),
                kind: EntryKind::SessionClosed,
                actor: CLOSE_ACTOR.into(),
                record: AccessRecord {
                    action: EntryKind::SessionClosed.name().into(),
                    user: "close".into(),
                    role: "system".into(),
                    client: "server".into(),
                    at_ms: crate::clock::now_ms(),
                    reason: Some(format!(
                        "no batch for {} minutes",
                        self.settings.close_after_idle_ms / 60_000
                    )),
                    ..AccessRecord::default()
                },
            };
            // None: closed meanwhile (another node's closer), nothing left to do.
            if let Some(receipt) =
                access_log::append(self.store.as_ref(), &self.origin, &self.seal, &entry).await?
            {
                closed += 1;
                tracing::debug!(%session, session_seq = receipt.session_seq, "session closed");
            }
        }
        Ok(closed)
    }

    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.check_interval_ms);
        crate::periodic::every(interval, shutdown, "session close", || self.sweep(now_ms())).await;
    }
}
