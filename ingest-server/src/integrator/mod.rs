//! The integrator: the only writer of the Merkle tree.
//!
//! Entries are accepted (chained per session) on the hot path and queued; the
//! integrator later gives them log indices in queue order, stores the nodes they
//! complete and signs one checkpoint per step. Keeping tree growth out of the
//! ingest transaction means no global lock on ingest; the store's integrator lock
//! (a Postgres advisory lock) makes one node at a time do it, any node can take over.

pub mod plan;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ledger::checkpoint::LogSigner;
use tokio::sync::watch;

use crate::checkpoint_file;
use crate::clock::now_ms;
use crate::configuration::IntegratorSettings;
use crate::metrics::{Metrics, gauge_value};
use crate::seal::EntrySeal;
use crate::storage::{IntegrationOutcome, Storage, StorageError};
use plan::CheckpointPlanner;

#[derive(Debug, Clone)]
pub struct Integrator {
    pub store: Arc<dyn Storage>,
    pub signer: Arc<LogSigner>,
    /// Derived from `signer` once; checks the seal of every pending entry.
    pub seal: EntrySeal,
    pub origin: String,
    pub settings: IntegratorSettings,
    pub data_dir: PathBuf,
    pub metrics: Arc<Metrics>,
}

impl Integrator {
    /// Integrates what is pending (up to the step limit) and publishes the new
    /// checkpoint. `Ok(None)`: nothing pending, or another node is integrating.
    pub async fn step(&self) -> Result<Option<IntegrationOutcome>, StorageError> {
        let planner = CheckpointPlanner {
            origin: &self.origin,
            signer: &self.signer,
            seal: &self.seal,
            now_ms: now_ms(),
        };
        let outcome = self
            .store
            .integrate_step(self.settings.max_entries_per_step, &planner)
            .await?;
        if let Some(done) = &outcome {
            for entry in &done.rejected {
                tracing::error!(
                    session = %entry.session,
                    session_seq = entry.session_seq,
                    leaf_hash = %entry.leaf_hash,
                    "refused to integrate a queued entry without this server's seal: it was written to the database outside the server"
                );
            }
            self.metrics
                .integrator_rejected
                .inc_by(done.rejected.len() as u64);
            if let Some(checkpoint) = &done.checkpoint {
                self.publish(&checkpoint.note).await;
                self.metrics.integrator_steps.inc();
                self.metrics.tree_size.set(gauge_value(checkpoint.size));
                self.metrics
                    .checkpoint_unix_seconds
                    .set(checkpoint.created_at_ms / 1000);
                tracing::debug!(
                    integrated = done.integrated,
                    size = checkpoint.size,
                    "integrated"
                );
            }
        }
        self.metrics
            .pending_entries
            .set(gauge_value(self.store.pending_count().await?));
        Ok(outcome)
    }

    /// Steps every `interval_ms` until `shutdown` flips, then takes one last step so
    /// everything accepted before shutdown is in the tree.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.interval_ms);
        loop {
            if let Err(e) = self.step().await {
                self.metrics.integrator_errors.inc();
                tracing::warn!(error = %e, "integrator step failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
        }
        if let Err(e) = self.step().await {
            tracing::warn!(error = %e, "final integrator step failed; entries stay queued for the next start");
        }
    }

    async fn publish(&self, note: &str) {
        let dir = self.data_dir.clone();
        let note = note.to_owned();
        let written =
            tokio::task::spawn_blocking(move || checkpoint_file::write(&dir, &note)).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = ?e, "could not save the published checkpoint outside the database")
            }
            Err(e) => tracing::error!(error = %e, "checkpoint writer panicked"),
        }
    }
}
