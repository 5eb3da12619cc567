//! Getting batches to the server: the session (continued across reloads), the outbox
//! (persisted so nothing is lost to a reload or an offline spell), and sending.
//!
//! Only one batch is in flight at a time, because the server takes a session's batches
//! strictly in seq order; the decisions (retry, split, give up) are
//! [`crate::batching::classify`]'s, this module only carries them out.

mod send;
mod storage;

use uuid::Uuid;
use web_sys::Window;

use crate::batching::{Backoff, Outbox, SendOutcome};
use crate::options::{BatchOptions, Options};
pub(crate) use send::{install, pump, when_idle};

#[derive(Debug)]
pub(crate) struct Transport {
    outbox: Outbox,
    backoff: Backoff,
    url: String,
    in_flight: bool,
    /// No attempt before this time (a retry is scheduled).
    retry_at: f64,
    /// A permanent refusal (bad key, origin not allowed): nothing more is sent.
    refused: Option<String>,
    /// The session was lost (its earlier batches are gone); the engine must start a new
    /// one with a keyframe.
    pub(crate) lost: bool,
    waiters: Vec<js_sys::Function>,
    storage: storage::Storage,
    /// Storage refused the last write of the outbox.
    persist_failed: bool,
    /// Outboxes of tabs that are gone, sent after this tab's own batches.
    orphans: std::collections::VecDeque<Outbox>,
    /// The request in flight is an orphan's head.
    orphan_in_flight: bool,
    acknowledged: u64,
}

impl Transport {
    /// Continues this tab's session if it is recent and its outbox survived, else starts
    /// a new one.
    pub(crate) fn open(window: &Window, options: &Options, now: f64) -> Result<Transport, String> {
        let storage = storage::Storage::new(window);
        let idle = f64::from(options.capture.session_idle_ms);
        let outbox = storage
            .restore(now, idle)
            .unwrap_or_else(|| Outbox::new(storage::new_sealer(window, now)));
        let url = format!(
            "{}/v1/ingest?key={}",
            options.endpoint.trim_end_matches('/'),
            String::from(js_sys::encode_uri_component(&options.key))
        );
        let transport = Transport {
            outbox,
            backoff: Backoff::new(),
            url,
            in_flight: false,
            retry_at: 0.0,
            refused: None,
            lost: false,
            waiters: Vec::new(),
            persist_failed: false,
            orphans: Default::default(),
            orphan_in_flight: false,
            storage,
            acknowledged: 0,
        };
        let mut transport = transport;
        transport.persist(now);
        let after = f64::from(options.batching.orphan_after_ms);
        transport.orphans = transport
            .storage
            .orphans(transport.session_id(), now, after)
            .into();
        Ok(transport)
    }

    pub(crate) fn session_id(&self) -> Uuid {
        self.outbox.sealer().session_id()
    }

    /// Seals events into batches and persists them before anything is sent, so a reload
    /// at any moment after this loses nothing.
    /// Returns how many batches and compressed bytes were sealed.
    pub(crate) fn seal(
        &mut self,
        events: Vec<protocol::Event>,
        options: &BatchOptions,
        now: f64,
    ) -> (usize, usize) {
        let before = self.outbox.queued_bytes();
        let sealed = match self.outbox.seal(events, options) {
            Ok(batches) => batches,
            Err(error) => {
                send::warn(&format!(
                    "a batch could not be encoded and was dropped: {error}"
                ));
                0
            }
        };
        self.persist(now);
        (sealed, self.outbox.queued_bytes().saturating_sub(before))
    }

    pub(crate) fn acknowledged(&self) -> u64 {
        self.acknowledged
    }

    /// Full: the queue reached `maxQueuedBytes`, or storage refused the last write.
    /// Either way recording pauses rather than record what could be lost.
    pub(crate) fn is_full(&self, options: &BatchOptions) -> bool {
        self.outbox.is_full(options) || self.persist_failed
    }

    fn persist(&mut self, now: f64) {
        self.persist_failed = !self.storage.save(&self.outbox, now);
    }

    /// Keeps this tab's outbox from looking orphaned while it waits on retries.
    pub(crate) fn heartbeat(&self, now: f64) {
        if !self.outbox.is_empty() {
            self.storage
                .mark_written(&self.session_id().to_string(), now);
        }
    }

    /// Starts a new session after the old one was lost; its queued batches are dropped
    /// (the server can never take them).
    pub(crate) fn restart_session(&mut self, window: &Window, now: f64) {
        self.storage.forget(self.session_id());
        self.outbox = Outbox::new(storage::new_sealer(window, now));
        self.backoff.reset();
        self.retry_at = 0.0;
        self.lost = false;
        self.persist(now);
    }

    /// The next request to make, if one is due: `(seq, body)`.
    fn next_request(&mut self, now: f64) -> Option<(u64, Vec<u8>)> {
        if self.in_flight || self.refused.is_some() || now < self.retry_at {
            return None;
        }
        let (head, orphan) = match self.outbox.head() {
            Some(head) => (head, false),
            None => (self.orphans.front()?.head()?, true),
        };
        self.in_flight = true;
        self.orphan_in_flight = orphan;
        Some((head.seq, head.bytes.clone()))
    }

    /// Applies the server's answer; returns the delay before the next attempt, if a retry
    /// was scheduled.
    fn on_outcome(
        &mut self,
        outcome: SendOutcome,
        options: &BatchOptions,
        now: f64,
    ) -> Option<u64> {
        self.in_flight = false;
        if std::mem::take(&mut self.orphan_in_flight) {
            return self.on_orphan_outcome(outcome, options, now);
        }
        let mut retry = None;
        match outcome {
            SendOutcome::Accepted { seq } => {
                if self.outbox.ack(seq) {
                    self.acknowledged += 1;
                }
                self.backoff.reset();
                self.persist(now);
            }
            SendOutcome::Retry { after_ms } => {
                let delay = self
                    .backoff
                    .next_delay_ms(options, js_sys::Math::random(), after_ms);
                self.retry_at = now + delay as f64;
                retry = Some(delay);
            }
            SendOutcome::SplitHead => {
                if let Err(error) = self.outbox.split_head(options) {
                    send::warn(&format!("an oversized batch could not be split: {error}"));
                    self.lost = true;
                }
                self.persist(now);
            }
            SendOutcome::SessionLost { error, .. } => {
                send::warn(&format!(
                    "the server cannot continue this session ({error}); starting a new one"
                ));
                self.lost = true;
            }
            SendOutcome::Rejected { status: 400, error } => {
                send::warn(&format!(
                    "the server refused a batch ({error}); it was dropped"
                ));
                if self.outbox.drop_head(options).is_err() {
                    self.lost = true;
                }
                self.persist(now);
            }
            SendOutcome::Rejected { status, error } => {
                send::warn(&format!(
                    "the server refuses this page's recordings ({status} {error}); recording stopped"
                ));
                self.storage.forget(self.session_id());
                self.refused = Some(error);
            }
        }
        retry
    }

    /// An orphan's answer: like our own, except that a lost or refused orphan is simply
    /// given up (it is another tab's session; this page goes on with its own).
    fn on_orphan_outcome(
        &mut self,
        outcome: SendOutcome,
        options: &BatchOptions,
        now: f64,
    ) -> Option<u64> {
        let orphan = self.orphans.front_mut()?;
        let id = orphan.sealer().session_id();
        let give_up = match outcome {
            SendOutcome::Accepted { seq } => {
                orphan.ack(seq);
                self.backoff.reset();
                orphan.is_empty()
            }
            SendOutcome::Retry { after_ms } => {
                let delay = self
                    .backoff
                    .next_delay_ms(options, js_sys::Math::random(), after_ms);
                self.retry_at = now + delay as f64;
                return Some(delay);
            }
            SendOutcome::SplitHead => orphan.split_head(options).is_err(),
            SendOutcome::Rejected { status: 400, .. } => {
                orphan.drop_head(options).is_err() || orphan.is_empty()
            }
            SendOutcome::SessionLost { .. } | SendOutcome::Rejected { .. } => true,
        };
        if give_up {
            self.storage.forget(id);
            self.orphans.pop_front();
        } else if let Some(orphan) = self.orphans.front() {
            self.storage.save_outbox(orphan, now);
        }
        None
    }

    fn is_idle(&self, now: f64) -> bool {
        !self.in_flight
            && (self.outbox.is_empty()
                || self.refused.is_some()
                || self.lost
                || now < self.retry_at)
    }

    pub(crate) fn is_refused(&self) -> bool {
        self.refused.is_some()
    }
}
