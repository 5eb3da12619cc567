//! Group commit across sessions.
//!
//! Each accepted batch goes to one of N writer tasks chosen by its session id, so a
//! session's batches are applied in arrival order by one writer while different
//! sessions proceed in parallel. A writer takes whatever has queued up while the
//! previous commit was running and commits it in one transaction: under load, one
//! fsync covers many batches, which is what lets durable ingest beat one insert per
//! commit. A full queue is answered at once with 429 instead of growing latency.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::configuration::IngestSettings;
use crate::metrics::Metrics;
use crate::seal::EntrySeal;
use crate::storage::{AppendBatch, AppendOutcome, Storage, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the writer queue is full")]
    Overloaded,
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

type Reply = oneshot::Sender<Result<AppendOutcome, SubmitError>>;

struct Job {
    batch: AppendBatch,
    reply: Reply,
}

/// The handle request handlers use; cloning it is cheap.
#[derive(Debug, Clone)]
pub struct IngestPipeline {
    shards: Arc<Vec<mpsc::Sender<Job>>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("session", &self.batch.session)
            .field("seq", &self.batch.seq)
            .finish()
    }
}

impl IngestPipeline {
    /// Starts the writer tasks. They stop once every clone of the pipeline is
    /// dropped and their queues are drained, so shutdown loses no accepted batch.
    pub fn start(
        store: Arc<dyn Storage>,
        origin: String,
        seal: EntrySeal,
        settings: &IngestSettings,
        metrics: Arc<Metrics>,
    ) -> (IngestPipeline, Vec<JoinHandle<()>>) {
        let mut senders = Vec::with_capacity(settings.writer_shards);
        let mut handles = Vec::with_capacity(settings.writer_shards);
        for _ in 0..settings.writer_shards {
            let (tx, rx) = mpsc::channel(settings.queue_depth_per_shard);
            senders.push(tx);
            let writer = Writer {
                store: store.clone(),
                origin: origin.clone(),
                seal: seal.clone(),
                max_batches: settings.max_group_batches,
                max_bytes: settings.max_group_bytes,
                metrics: metrics.clone(),
            };
            handles.push(tokio::spawn(writer.run(rx)));
        }
        (
            IngestPipeline {
                shards: Arc::new(senders),
            },
            handles,
        )
    }

    /// Queues the batch on its session's writer and waits for the commit.
    pub async fn submit(&self, batch: AppendBatch) -> Result<AppendOutcome, SubmitError> {
        let shard = shard_of(&batch.session, self.shards.len());
        let (reply, answer) = oneshot::channel();
        self.shards[shard]
            .try_send(Job { batch, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => SubmitError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => SubmitError::ShuttingDown,
            })?;
        answer.await.map_err(|_| SubmitError::ShuttingDown)?
    }
}

/// UUIDv7 puts the timestamp first; the random tail spreads sessions evenly.
fn shard_of(session: &uuid::Uuid, shards: usize) -> usize {
    let tail = u64::from_le_bytes(session.as_bytes()[8..16].try_into().unwrap_or([0; 8]));
    (tail % shards as u64) as usize
}

struct Writer {
    store: Arc<dyn Storage>,
    origin: String,
    seal: EntrySeal,
    max_batches: usize,
    max_bytes: usize,
    metrics: Arc<Metrics>,
}

impl Writer {
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.recv().await {
            let mut bytes = first.batch.bytes.len();
            let mut group = Vec::with_capacity(self.max_batches);
            group.push(first);
            while group.len() < self.max_batches && bytes < self.max_bytes {
                let Ok(job) = rx.try_recv() else { break };
                bytes += job.batch.bytes.len();
                group.push(job);
            }
            self.commit(group).await;
        }
    }

    async fn commit(&self, group: Vec<Job>) {
        let (batches, replies): (Vec<AppendBatch>, Vec<Reply>) =
            group.into_iter().map(|job| (job.batch, job.reply)).unzip();
        self.metrics.group_size.observe(batches.len() as f64);
        let answers: Vec<Result<AppendOutcome, SubmitError>> = match self
            .store
            .append_batches(&self.origin, &self.seal, &batches)
            .await
        {
            Ok(outcomes) if outcomes.len() == replies.len() => {
                outcomes.into_iter().map(Ok).collect()
            }
            Ok(outcomes) => {
                tracing::error!(
                    expected = replies.len(),
                    got = outcomes.len(),
                    "store returned the wrong number of outcomes"
                );
                let e =
                    StorageError::Integrity("store returned the wrong number of outcomes".into());
                replies
                    .iter()
                    .map(|_| Err(SubmitError::Storage(same_kind(&e))))
                    .collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, batches = replies.len(), "group commit failed; nothing of it was stored");
                replies
                    .iter()
                    .map(|_| Err(SubmitError::Storage(same_kind(&e))))
                    .collect()
            }
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            // The client may have gone away; its batch is committed anyway.
            let _ = reply.send(answer);
        }
    }
}

/// A copy of a group's failure for each of its batches (StorageError is not
/// Clone): unavailability stays a 503, anything else is a 500.
fn same_kind(e: &StorageError) -> StorageError {
    match e {
        StorageError::Unavailable(m) => StorageError::Unavailable(m.clone()),
        other => StorageError::Integrity(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_spread_uuid_v7_sessions() {
        let mut counts = [0usize; 4];
        for i in 0..4000u128 {
            // v7 layout: time in the high bits, random-looking low bits.
            let id = uuid::Uuid::from_u128(
                (0x0190_0000_0000_7000_8000u128 << 48) | (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            );
            counts[shard_of(&id, 4)] += 1;
        }
        assert!(counts.iter().all(|c| *c > 800), "{counts:?}");
    }
}
