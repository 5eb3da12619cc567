//! The indexer: a background task that keeps the session index up to date behind
//! ingest, one bounded step per interval.
//!
//! Finding work stays cheap however many sessions exist: a step only looks at
//! sessions received since its watermark (an index range on
//! `sessions.last_received_at_ms`) whose stored batches are ahead of their index row.
//! The watermark only moves past sessions that are fully indexed. Each session is
//! written in its own transaction, conditional on its row being as read, so the
//! indexer can crash, restart or run on several nodes at once without harm.

use crate::data_keys::DataKeys;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::facts::FactLimits;
use super::update::{SessionStep, StepContext};
use crate::clock::now_ms;
use crate::configuration::IndexerSettings;
use crate::metrics::{Metrics, gauge_value};
use crate::storage::{IndexWork, Storage, StorageError};

/// How far back each step looks before its watermark. `received_at` is stamped
/// before the append commits and comes from each node's own clock, so a session can
/// become visible a little after a later-stamped one; a minute covers slow commits and
/// ordinary clock skew between nodes.
const WATERMARK_OVERLAP_MS: i64 = 60_000;

/// How often a step ignores the watermark and looks at every session, to catch what
/// the overlap missed (a commit delayed beyond it, an index emptied by hand or an
/// interrupted `session reindex` while this server ran).
const FULL_SWEEP_EVERY: Duration = Duration::from_secs(600);

/// What one step did, summed over its sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Sessions whose rows were written.
    pub sessions: u64,
    pub batches: u64,
    pub undecodable: u64,
    /// Sessions whose pending clicks were judged dead because they went idle.
    pub settled: u64,
    /// Sessions whose update failed (logged; retried by a later step).
    pub errors: u64,
    /// Stored batches not yet indexed among the sessions this step looked at.
    pub behind: u64,
}

impl std::ops::AddAssign for StepReport {
    fn add_assign(&mut self, other: Self) {
        self.sessions += other.sessions;
        self.batches += other.batches;
        self.undecodable += other.undecodable;
        self.settled += other.settled;
        self.errors += other.errors;
        // Not a sum: how far behind the latest step left the index.
        self.behind = other.behind;
    }
}

#[derive(Debug)]
pub struct Indexer {
    context: StepContext,
    settings: IndexerSettings,
    /// Sessions last received before this (less the overlap) are fully indexed.
    watermark: i64,
    last_full_sweep: Option<Instant>,
}

impl Indexer {
    pub fn new(
        store: Arc<dyn Storage>,
        settings: IndexerSettings,
        limits: protocol::Limits,
        metrics: Arc<Metrics>,
        keys: Arc<DataKeys>,
    ) -> Self {
        let facts = FactLimits {
            max_pages: settings.max_pages_per_session,
            max_traits: settings.max_traits_per_session,
            max_event_names: settings.max_event_names_per_session,
            max_value_bytes: settings.max_value_bytes,
        };
        Indexer {
            context: StepContext {
                store,
                limits,
                facts,
                settle_after_ms: i64::try_from(settings.settle_after_ms).unwrap_or(i64::MAX),
                metrics,
                keys,
            },
            settings,
            watermark: i64::MIN,
            last_full_sweep: None,
        }
    }

    /// Indexes up to `max_batches_per_step` new batches, oldest sessions first, and
    /// judges the pending clicks of sessions gone idle.
    pub async fn step(&mut self) -> Result<StepReport, StorageError> {
        let started = now_ms();
        if self
            .last_full_sweep
            .is_none_or(|at| at.elapsed() >= FULL_SWEEP_EVERY)
        {
            self.watermark = i64::MIN;
            self.last_full_sweep = Some(Instant::now());
        }
        let budget = self.settings.max_batches_per_step as u64;
        // Each session needs at least one batch of the budget.
        let limit = u32::try_from(budget).unwrap_or(u32::MAX);
        let since = self.watermark.saturating_sub(WATERMARK_OVERLAP_MS);
        let work = self.context.store.index_work(since, limit).await?;
        let mut report = StepReport::default();
        let mut left = budget;
        // The received time up to which every session looked at is fully indexed.
        let mut done_through = Some(self.watermark);
        for item in &work {
            let step = self.session(item, &mut left, started, &mut report).await;
            // A lost race means another indexer wrote; the next step re-checks.
            let complete = step.is_some_and(|s| s.behind == 0 && (s.written || s.batches == 0));
            if !complete {
                done_through = None;
            } else if done_through.is_some() {
                done_through = Some(item.last_received_at_ms);
            }
        }
        self.watermark = match done_through {
            // Nothing further back is left: everything received before this step is in.
            Some(_) if work.len() < limit as usize => started,
            Some(through) => through.max(self.watermark),
            None => self.watermark,
        };

        let idle_before = started.saturating_sub(self.context.settle_after_ms);
        for item in self.context.store.settle_work(idle_before, limit).await? {
            self.session(&item, &mut left, started, &mut report).await;
        }
        self.context
            .metrics
            .index_lag_batches
            .set(gauge_value(report.behind));
        Ok(report)
    }

    /// Steps every `interval_ms` until `shutdown` flips, the first time one interval
    /// after start: start-up stays light, and the first step (a sweep of every
    /// session) does not compete with the integrator's. The index is derived, so there
    /// is no last step either: whatever is left is picked up after a restart.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.settings.interval_ms);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
            if let Err(e) = self.step().await {
                self.context.metrics.indexer_errors.inc();
                tracing::warn!(error = %e, "indexer step failed; will retry");
            }
        }
    }

    /// Steps until a step writes nothing (for `session reindex`); the summed report.
    pub async fn run_until_idle(&mut self) -> Result<StepReport, StorageError> {
        let mut total = StepReport::default();
        loop {
            let step = self.step().await?;
            total += step;
            if step.sessions == 0 {
                return Ok(total);
            }
        }
    }

    /// One session; a failure is logged and counted, and leaves the session for a
    /// later step.
    async fn session(
        &self,
        work: &IndexWork,
        budget: &mut u64,
        now: i64,
        report: &mut StepReport,
    ) -> Option<SessionStep> {
        let behind_before = work
            .next_batch_seq
            .saturating_sub(work.indexed_batches.unwrap_or(0));
        if *budget == 0 && behind_before > 0 {
            report.behind += behind_before;
            return None;
        }
        match self.context.step_session(work, budget, now).await {
            Ok(step) => {
                report.sessions += u64::from(step.written);
                report.batches += step.batches;
                report.undecodable += step.undecodable;
                report.settled += u64::from(step.settled && step.written);
                report.behind += step.behind;
                Some(step)
            }
            Err(e) => {
                report.errors += 1;
                report.behind += behind_before;
                self.context.metrics.indexer_errors.inc();
                tracing::warn!(session = %work.session, error = %e, "indexing a session failed; will retry");
                None
            }
        }
    }
}
