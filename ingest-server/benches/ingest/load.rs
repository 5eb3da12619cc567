//! The load: N session tasks, each posting its batches in seq order, one at a
//! time, for a fixed duration; the same driver feeds Affidavit over HTTP and the
//! raw-insert reference, so both see identical bytes, order and concurrency.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use uuid::Uuid;

use crate::batches::Session;

/// Why a send failed.
#[derive(Debug)]
pub enum SendError {
    /// Back-pressure (429/503): the same batch is retried after a pause, as the recorder would.
    Retry(String),
    /// Anything else ends that session's run.
    Fatal(String),
}

/// Sends one session's batches; one per session task, owning its connection.
pub trait SessionSender: Send + 'static {
    fn send(
        &mut self,
        session: Uuid,
        seq: u64,
        body: Bytes,
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub duration: Duration,
    /// `None`: closed loop. `Some(p)`: each session sends one batch every `p`.
    pub pace: Option<Duration>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    /// Per accepted batch: from the moment it was due (paced) or sent (closed
    /// loop) to its answer, in µs. Measuring paced latency from the due time
    /// keeps a stall from hiding the requests it delayed.
    pub latencies_us: Vec<u32>,
    pub accepted: u64,
    /// Sessions with at least one accepted batch.
    pub sessions_opened: u64,
    pub bytes: u64,
    /// Failed attempts by reason.
    pub errors: BTreeMap<String, u64>,
    /// From the start to the last answer.
    pub elapsed: Duration,
    /// When the last batch was accepted.
    pub last_accepted: Option<Instant>,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.accepted as f64 / self.elapsed.as_secs_f64()
    }
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Runs one task per session until the duration ends or its batches run out.
pub async fn drive<S: SessionSender>(
    sessions: &[Session],
    plan: Plan,
    mut sender: impl FnMut() -> S,
) -> Outcome {
    let start = Instant::now();
    let deadline = start + plan.duration;
    let n = sessions.len() as u32;
    let tasks: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(i, session)| {
            // Paced sessions start spread over one interval, not all at once.
            let first = plan.pace.map_or(start, |p| start + p * i as u32 / n);
            let run = one_session(
                session.id,
                session.batches.clone(),
                sender(),
                plan.pace,
                first,
                deadline,
            );
            tokio::spawn(run)
        })
        .collect();
    let mut total = Outcome::default();
    for task in tasks {
        let part = task.await.expect("session task");
        total.latencies_us.extend(part.latencies_us);
        total.accepted += part.accepted;
        total.sessions_opened += u64::from(part.accepted > 0);
        total.last_accepted = total.last_accepted.max(part.last_accepted);
        total.bytes += part.bytes;
        for (why, count) in part.errors {
            *total.errors.entry(why).or_default() += count;
        }
    }
    total.elapsed = total
        .last_accepted
        .map_or(start.elapsed(), |t| t.duration_since(start));
    total
}

async fn one_session<S: SessionSender>(
    id: Uuid,
    batches: Vec<Bytes>,
    mut sender: S,
    pace: Option<Duration>,
    first: Instant,
    deadline: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    let mut due = first;
    'batches: for (seq, body) in batches.into_iter().enumerate() {
        if pace.is_some() {
            if due >= deadline {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
        }
        if Instant::now() >= deadline {
            break;
        }
        let len = body.len() as u64;
        loop {
            let sent = Instant::now();
            match sender.send(id, seq as u64, body.clone()).await {
                Ok(()) => {
                    let from = if pace.is_some() { due } else { sent };
                    out.latencies_us
                        .push(from.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    out.accepted += 1;
                    out.last_accepted = Some(Instant::now());
                    out.bytes += len;
                    break;
                }
                Err(SendError::Retry(why)) => {
                    *out.errors.entry(why).or_default() += 1;
                    if Instant::now() >= deadline {
                        break 'batches;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(SendError::Fatal(why)) => {
                    *out.errors.entry(why).or_default() += 1;
                    break 'batches;
                }
            }
        }
        if let Some(p) = pace {
            due += p;
        }
    }
    out
}
