//! Events recorded but not yet sealed into a batch.
//!
//! # The key decision: flush on an estimate, enforce on the encoding
//!
//! [`Buffer::should_flush`] only decides *when* to seal, so it runs on a running estimate of
//! the encoded size ([`super::estimated_size`]) instead of encoding anything. The batch limits
//! are enforced later, on real bytes, by the [`super::Sealer`]. A clock that goes backwards
//! or is not a number makes the buffer flush rather than wait: sending early costs a small
//! batch, waiting on a broken clock could cost the recording.

use super::estimate::estimated_size;
use crate::options::BatchOptions;
use protocol::Event;

/// Events waiting to be sealed, with their estimated encoded size.
#[derive(Debug, Default)]
pub struct Buffer {
    events: Vec<Event>,
    estimated_bytes: usize,
    /// When the oldest waiting event was pushed (the browser layer's clock, ms).
    oldest_ms: f64,
}

impl Buffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Buffer::default()
    }

    /// Appends `event`, recorded at `now_ms` on the caller's clock.
    pub fn push(&mut self, event: Event, now_ms: f64) {
        if self.events.is_empty() {
            self.oldest_ms = now_ms;
        }
        self.estimated_bytes = self.estimated_bytes.saturating_add(estimated_size(&event));
        self.events.push(event);
    }

    /// Whether the waiting events should be sealed now: the estimate reached
    /// `flush_bytes`, the count reached `max_batch_events`, or the oldest has waited
    /// `flush_interval_ms`. Never true while the buffer is empty.
    pub fn should_flush(&self, now_ms: f64, opts: &BatchOptions) -> bool {
        if self.events.is_empty() {
            return false;
        }
        let waited = now_ms - self.oldest_ms;
        let in_time = (0.0..f64::from(opts.flush_interval_ms)).contains(&waited);
        self.estimated_bytes >= opts.flush_bytes
            || self.events.len() >= opts.max_batch_events
            || !in_time
    }

    /// When the oldest waiting event is due to be flushed on the caller's clock, so the
    /// browser layer can set one timer instead of polling; `None` while empty.
    pub fn flush_due_ms(&self, opts: &BatchOptions) -> Option<f64> {
        (!self.events.is_empty()).then(|| self.oldest_ms + f64::from(opts.flush_interval_ms))
    }

    /// Removes and returns every waiting event, oldest first.
    pub fn take(&mut self) -> Vec<Event> {
        self.estimated_bytes = 0;
        std::mem::take(&mut self.events)
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// How many events are waiting.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// The estimated encoded size of the waiting events, before compression.
    pub fn estimated_bytes(&self) -> usize {
        self.estimated_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batching::test_support::noisy;

    fn opts() -> BatchOptions {
        BatchOptions {
            flush_interval_ms: 1_000,
            flush_bytes: 10_000,
            max_batch_events: 5,
            ..BatchOptions::default()
        }
    }

    #[test]
    fn flushes_when_the_oldest_event_has_waited_long_enough() {
        let mut buffer = Buffer::new();
        assert!(
            !buffer.should_flush(1e12, &opts()),
            "an empty buffer never flushes"
        );
        buffer.push(noisy(0, 10), 100.0);
        buffer.push(noisy(1, 10), 900.0);
        assert!(!buffer.should_flush(1_099.0, &opts()));
        assert_eq!(buffer.flush_due_ms(&opts()), Some(1_100.0));
        assert!(buffer.should_flush(1_100.0, &opts()));
    }

    #[test]
    fn flushes_on_broken_clocks() {
        let mut buffer = Buffer::new();
        buffer.push(noisy(0, 10), 5_000.0);
        assert!(
            buffer.should_flush(4_000.0, &opts()),
            "clock went backwards"
        );
        assert!(buffer.should_flush(f64::NAN, &opts()));
    }

    #[test]
    fn flushes_on_estimated_bytes() {
        let mut buffer = Buffer::new();
        buffer.push(noisy(0, 6_000), 0.0);
        assert!(!buffer.should_flush(0.0, &opts()));
        buffer.push(noisy(1, 6_000), 0.0);
        assert!(buffer.estimated_bytes() >= 12_000);
        assert!(buffer.should_flush(0.0, &opts()));
    }

    #[test]
    fn flushes_on_event_count_and_take_empties_in_order() {
        let mut buffer = Buffer::new();
        for n in 0..4 {
            buffer.push(noisy(n, 1), 0.0);
        }
        assert!(!buffer.should_flush(0.0, &opts()));
        buffer.push(noisy(4, 1), 0.0);
        assert!(buffer.should_flush(0.0, &opts()));
        let taken = buffer.take();
        assert_eq!(
            taken.iter().map(|e| e.timestamp).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
        assert!(buffer.is_empty() && buffer.estimated_bytes() == 0);
        assert_eq!(buffer.len(), 0);
        assert_eq!(buffer.flush_due_ms(&opts()), None);
    }
}
