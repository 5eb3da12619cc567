//! One session's index step: read its stored batches after what the index holds,
//! decode them as received, fold them into its facts and write the rows in one
//! transaction. Re-running a step that did not commit redoes exactly the same work,
//! because the state and `indexed_batches` move together in that transaction.

use crate::data_keys::{DataKeys, KeyState};
use ledger::sealed::open_payload;
use std::sync::Arc;

use protocol::Limits;
use uuid::Uuid;

use super::facts::{FactLimits, SessionFacts};
use super::url::path_of;
use crate::metrics::Metrics;
use crate::storage::{
    IndexUpdate, IndexWork, IndexedFacts, IndexedPage, Storage, StorageError, StoredEntry,
};

/// Stored batches read per query: each payload may be `ingest.limits.max_compressed_bytes`.
const PAGE: u64 = 16;

/// What one session step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStep {
    /// Batches read (decoded or not).
    pub batches: u64,
    pub undecodable: u64,
    /// Pending clicks were judged dead because the session went idle.
    pub settled: bool,
    /// The rows were written (false: nothing to write, or another indexer was first).
    pub written: bool,
    /// Stored batches still not indexed after this step.
    pub behind: u64,
}

/// Everything a session step needs besides the session.
#[derive(Debug, Clone)]
pub struct StepContext {
    pub store: Arc<dyn Storage>,
    pub limits: Limits,
    pub facts: FactLimits,
    pub settle_after_ms: i64,
    pub metrics: Arc<Metrics>,
    /// Sealed payloads are opened to be indexed; erased ones are skipped.
    pub keys: Arc<DataKeys>,
}

/// The facts being built, with where they stand in the session's batches.
struct Progress {
    facts: SessionFacts,
    next_seq: u64,
    undecodable: u64,
}

impl StepContext {
    /// Indexes up to `*budget` more batches of `work`'s session (taking them from the
    /// budget), settles its pending clicks if it is idle at `now_ms`, and writes.
    pub async fn step_session(
        &self,
        work: &IndexWork,
        budget: &mut u64,
        now_ms: i64,
    ) -> Result<SessionStep, StorageError> {
        let stored = self.store.index_state(work.session).await?;
        let expected = stored.as_ref().map(|s| s.indexed_batches);
        let resumed = stored.and_then(|s| {
            SessionFacts::from_state(&s.state).map(|facts| Progress {
                facts,
                next_seq: s.indexed_batches,
                undecodable: s.undecodable_batches,
            })
        });
        // No row, or a state of another version: start from batch 0 and replace
        // every list the row may have.
        let fresh = resumed.is_none();
        let mut progress = resumed.unwrap_or(Progress {
            facts: SessionFacts::default(),
            next_seq: 0,
            undecodable: 0,
        });
        let before = progress.facts.clone();
        let before_seq = progress.next_seq;
        let undecodable_before = progress.undecodable;
        let mut step = SessionStep::default();

        let key = self
            .keys
            .for_reading(self.store.as_ref(), work.session)
            .await?;
        if let KeyState::Erased { .. } = key {
            // Nothing of an erased recording is indexed: its facts stay empty.
            progress = Progress {
                facts: SessionFacts::default(),
                next_seq: work.next_batch_seq,
                undecodable: 0,
            };
            step.batches = work.next_batch_seq.saturating_sub(before_seq);
        }
        while progress.next_seq < work.next_batch_seq && *budget > 0 {
            let want = PAGE
                .min(*budget)
                .min(work.next_batch_seq - progress.next_seq);
            let entries = self
                .store
                .session_batches(work.session, progress.next_seq, want as u32)
                .await?;
            check_contiguous(work.session, progress.next_seq, &entries)?;
            let read = entries.len() as u64;
            progress = self.fold(work.session, key, progress, entries).await?;
            step.batches += read;
            *budget = budget.saturating_sub(read);
        }
        step.undecodable = progress.undecodable - undecodable_before;
        let caught_up = progress.next_seq >= work.next_batch_seq;
        let idle = work.last_received_at_ms < now_ms.saturating_sub(self.settle_after_ms);
        if caught_up && idle && progress.facts.pending_clicks() > 0 {
            progress.facts.settle();
            step.settled = true;
        }
        step.behind = work.next_batch_seq.saturating_sub(progress.next_seq);
        if !fresh && step.batches == 0 && !step.settled {
            return Ok(step);
        }
        let update = self.update(work, expected, fresh, &before, &progress);
        step.written = self.store.write_index(&update).await?;
        Ok(step)
    }

    /// Decodes `entries` and adds them to the facts, one batch at a time on the
    /// blocking pool (a batch near the limits takes a while to decode, and ingest
    /// shares this runtime).
    async fn fold(
        &self,
        session: Uuid,
        key: KeyState,
        mut progress: Progress,
        entries: Vec<StoredEntry>,
    ) -> Result<Progress, StorageError> {
        let limits = self.limits.clone();
        let facts_limits = self.facts;
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            for entry in entries {
                let seq = progress.next_seq;
                let decoded = match (entry.payload.as_deref(), key) {
                    (Some(bytes), KeyState::Sealed(key)) => open_payload(&key, &session, seq, bytes)
                        .map_err(|e| e.to_string())
                        .and_then(|plain| {
                            protocol::decode_batch(&plain, &limits).map_err(|e| e.to_string())
                        }),
                    (Some(bytes), _) => {
                        protocol::decode_batch(bytes, &limits).map_err(|e| e.to_string())
                    }
                    (None, _) => Err("its payload row is missing (run `affidavit fsck`)".to_owned()),
                };
                match decoded {
                    Ok(batch) => progress.facts.add_batch(&batch, &facts_limits),
                    Err(error) => {
                        tracing::warn!(
                            %session,
                            seq,
                            %error,
                            "a stored batch does not decode under the configured ingest.limits; the session index skips it"
                        );
                        progress.undecodable += 1;
                        metrics.index_undecodable_batches.inc();
                    }
                }
                metrics.indexed_batches.inc();
                progress.next_seq += 1;
            }
            progress
        })
        .await
        .map_err(|e| StorageError::Integrity(format!("index decoder task failed: {e}")))
    }

    fn update(
        &self,
        work: &IndexWork,
        expected: Option<u64>,
        fresh: bool,
        before: &SessionFacts,
        progress: &Progress,
    ) -> IndexUpdate {
        let f = &progress.facts;
        let started_at_ms = f.started_at_ms().unwrap_or(work.started_at_ms);
        let changed = |same: bool| fresh || !same;
        IndexUpdate {
            session: work.session,
            project: work.project.clone(),
            expected,
            facts: IndexedFacts {
                started_at_ms,
                last_event_at_ms: f.last_event_at_ms().unwrap_or(started_at_ms),
                duration_ms: f.duration_ms(),
                first_url: f.first_url.clone(),
                user_id: f.user_id.clone(),
                page_count: f.pages.len() as u64,
                event_count: f.event_count,
                click_count: f.click_count,
                error_count: f.error_count,
                rage_click_count: f.rage_click_count(),
                dead_click_count: f.dead_click_count(),
                undecodable_batches: progress.undecodable,
                indexed_batches: progress.next_seq,
            },
            pending_click_count: f.pending_clicks(),
            last_received_at_ms: work.last_received_at_ms,
            state: f.to_state(),
            pages: changed(before.pages == f.pages).then(|| {
                f.pages
                    .iter()
                    .map(|url| IndexedPage {
                        url: url.clone(),
                        path: path_of(url).to_owned(),
                    })
                    .collect()
            }),
            traits: changed(before.traits == f.traits).then(|| {
                f.traits
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }),
            event_names: changed(before.event_names == f.event_names)
                .then(|| f.event_names.iter().cloned().collect()),
        }
    }
}

/// The store must hand back the batches asked for, in order, without gaps: the
/// session row says they exist.
fn check_contiguous(session: Uuid, from: u64, entries: &[StoredEntry]) -> Result<(), StorageError> {
    if entries.is_empty() {
        return Err(StorageError::Integrity(format!(
            "session {session}: batch {from} is missing though the session row counts it"
        )));
    }
    for (expected, entry) in (from..).zip(entries) {
        if entry.batch_seq != Some(expected) {
            return Err(StorageError::Integrity(format!(
                "session {session}: expected batch {expected}, the store returned {:?}",
                entry.batch_seq
            )));
        }
    }
    Ok(())
}
