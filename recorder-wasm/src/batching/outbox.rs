//! Sealed batches waiting for the server's receipt, strictly in seq order.
//!
//! # The key decision: only the head is ever sent, so everything queued can be renumbered
//!
//! The server accepts a session's seqs only contiguously, so the browser layer sends the
//! head and nothing else until it is answered. Every batch behind the head has therefore
//! never been sent, and a head the server refused (413) was not accepted either: after a
//! split or a drop, the head and everything behind it are re-sealed from the head's seq
//! without any chance of reusing a seq the server holds. The outbox owns the [`Sealer`] so
//! the queue's seqs and the sealer's `next_seq` cannot disagree.
//!
//! Re-sealing never decodes an event: a queued batch is decompressed and read with
//! [`protocol::read_raw_batch`], and its events' MessagePack is copied into the new batches
//! as it is. That keeps the serde decoder out of the recorder's build (most of its size).

use super::sealer::{SealError, SealedBatch, Sealer};
use crate::options::BatchOptions;
use protocol::{DecodeError, Event, Limits, MarkerKind, RawEvent};
use std::collections::VecDeque;

/// Why the outbox could not be rearranged. It is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("the outbox is empty")]
    Empty,
    /// A queued batch no longer decompresses or no longer has a batch's shape (edited
    /// storage, or sealed under limits larger than this build reads). Event payloads are
    /// not decoded here: one that is malformed is the server's to refuse. The caller's way out is [`Outbox::drop_head`], or a new
    /// session if a later batch is the broken one.
    #[error("queued batch {seq} cannot be decoded: {source}")]
    Decode {
        seq: u64,
        #[source]
        source: DecodeError,
    },
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The head already is a lone `LimitReached` marker; the server refuses even that, so
    /// splitting again would loop. The caller should drop it.
    #[error("the head batch cannot be made smaller")]
    Unsplittable,
}

/// The session's unacknowledged batches and the sealer that numbers new ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbox {
    pub(super) sealer: Sealer,
    pub(super) queue: VecDeque<SealedBatch>,
    pub(super) queued_bytes: usize,
}

impl Outbox {
    /// An empty outbox whose batches `sealer` numbers.
    pub fn new(sealer: Sealer) -> Self {
        Outbox {
            sealer,
            queue: VecDeque::new(),
            queued_bytes: 0,
        }
    }

    /// The sealer: the session id, project, start time and next seq.
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Seals `events` (see [`Sealer::seal`]) and queues the batches; returns how many. Even
    /// when the outbox [is full](Self::is_full): what was recorded is never dropped, the
    /// caller pauses recording instead.
    pub fn seal(&mut self, events: Vec<Event>, opts: &BatchOptions) -> Result<usize, SealError> {
        let sealed = self.sealer.seal(events, opts)?;
        let count = sealed.len();
        for batch in sealed {
            self.queued_bytes = self.queued_bytes.saturating_add(batch.bytes.len());
            self.queue.push_back(batch);
        }
        Ok(count)
    }

    /// The batch to send next: the oldest unacknowledged one.
    pub fn head(&self) -> Option<&SealedBatch> {
        self.queue.front()
    }

    /// Every queued batch, head first (for a last-chance `sendBeacon` on unload; the
    /// answers are lost, so nothing is acknowledged and a reload sends them again).
    pub fn iter(&self) -> impl Iterator<Item = &SealedBatch> {
        self.queue.iter()
    }

    /// Removes the head if the server's receipt is for its `seq`; returns whether it did.
    /// A receipt for any other seq (a late duplicate) changes nothing.
    pub fn ack(&mut self, seq: u64) -> bool {
        if self.queue.front().is_none_or(|head| head.seq != seq) {
            return false;
        }
        if let Some(head) = self.queue.pop_front() {
            self.queued_bytes = self.queued_bytes.saturating_sub(head.bytes.len());
        }
        true
    }

    /// How many batches are queued.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The compressed bytes queued.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Whether `max_queued_bytes` are queued: the recorder should pause recording (with a
    /// `Paused` marker) until acknowledgements make room.
    pub fn is_full(&self, opts: &BatchOptions) -> bool {
        self.queued_bytes >= opts.max_queued_bytes
    }

    /// Answers a 413 for the head: its events are split into two batches (a lone event
    /// becomes a `LimitReached` marker) and everything queued is renumbered contiguously
    /// from the head's seq, which also moves the sealer's `next_seq`.
    pub fn split_head(&mut self, opts: &BatchOptions) -> Result<(), OutboxError> {
        let head = self.queue.front().ok_or(OutboxError::Empty)?;
        let msgpack = decompress(head, opts)?;
        let mut events = read(head, &msgpack, opts)?;
        let seq = head.seq;
        if events.len() < 2 && events.first().is_none_or(is_limit_marker) {
            return Err(OutboxError::Unsplittable);
        }
        self.rebuild(opts, |sealer| {
            if events.len() < 2 {
                sealer.rewind_to(seq.saturating_add(1));
                return Ok(vec![sealer.marker_batch(events.first(), seq, opts)?]);
            }
            let right = events.split_off(events.len() / 2);
            let mut batches = sealer.seal(events, opts)?;
            batches.extend(sealer.seal(right, opts)?);
            Ok(batches)
        })
    }

    /// Gives up on the head (the server will never take it: see
    /// [`super::SendOutcome::Rejected`]) and renumbers the batches behind it from its seq,
    /// so the session continues without a gap in seqs.
    pub fn drop_head(&mut self, opts: &BatchOptions) -> Result<(), OutboxError> {
        self.rebuild(opts, |_| Ok(Vec::new()))
    }

    /// Replaces the head with `head` (given a sealer rewound to the head's seq), then
    /// re-seals every later batch after it. All or nothing.
    fn rebuild(
        &mut self,
        opts: &BatchOptions,
        head: impl FnOnce(&mut Sealer) -> Result<Vec<SealedBatch>, SealError>,
    ) -> Result<(), OutboxError> {
        let first = self.queue.front().ok_or(OutboxError::Empty)?.seq;
        let msgpack = self
            .queue
            .iter()
            .skip(1)
            .map(|batch| decompress(batch, opts))
            .collect::<Result<Vec<_>, _>>()?;
        let later = self
            .queue
            .iter()
            .skip(1)
            .zip(&msgpack)
            .map(|(batch, msgpack)| read(batch, msgpack, opts))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sealer = self.sealer.clone();
        sealer.rewind_to(first);
        let mut rebuilt = head(&mut sealer)?;
        for events in later {
            rebuilt.extend(sealer.seal(events, opts)?);
        }
        self.sealer = sealer;
        self.queued_bytes = rebuilt
            .iter()
            .fold(0, |sum, b| sum.saturating_add(b.bytes.len()));
        self.queue = rebuilt.into();
        Ok(())
    }
}

/// The limits a queued batch is read under. They only guard memory: they must accept
/// anything this recorder sealed, even under other options before a reload.
fn limits(opts: &BatchOptions) -> Limits {
    Limits {
        max_compressed_bytes: usize::MAX,
        max_decompressed_bytes: opts
            .max_batch_uncompressed_bytes
            .max(Limits::default().max_decompressed_bytes),
        max_events: usize::MAX,
        max_string_bytes: usize::MAX,
        max_tree_depth: usize::MAX,
        max_values: usize::MAX,
    }
}

/// One of our own batches' MessagePack.
fn decompress(batch: &SealedBatch, opts: &BatchOptions) -> Result<Vec<u8>, OutboxError> {
    protocol::decompress(&batch.bytes, &limits(opts)).map_err(|source| OutboxError::Decode {
        seq: batch.seq,
        source,
    })
}

/// The events of `batch`, whose MessagePack is `msgpack`, still encoded.
fn read<'a>(
    batch: &SealedBatch,
    msgpack: &'a [u8],
    opts: &BatchOptions,
) -> Result<Vec<RawEvent<'a>>, OutboxError> {
    protocol::read_raw_batch(msgpack, &limits(opts))
        .map(|raw| raw.events)
        .map_err(|source| OutboxError::Decode {
            seq: batch.seq,
            source,
        })
}

fn is_limit_marker(event: &RawEvent<'_>) -> bool {
    event.marker_kind() == Some(MarkerKind::LimitReached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batching::sealer::tests::decode as decode_sealed;
    use crate::batching::test_support::{noisy, session};
    use protocol::EventData;

    fn opts() -> BatchOptions {
        BatchOptions {
            max_batch_events: 8,
            ..BatchOptions::default()
        }
    }

    /// Batches of 8, 8 and 4 events at seqs 10, 11, 12.
    fn queued() -> (Outbox, Vec<Event>) {
        let events: Vec<Event> = (0..20).map(|n| noisy(n, 50)).collect();
        let mut outbox = Outbox::new(Sealer::new("p", session(), 10, 0));
        assert_eq!(outbox.seal(events.clone(), &opts()).expect("seal"), 3);
        (outbox, events)
    }

    fn shape(outbox: &Outbox) -> Vec<(u64, u32)> {
        outbox.queue.iter().map(|b| (b.seq, b.events)).collect()
    }

    fn contents(outbox: &Outbox) -> Vec<Event> {
        let mut events = Vec::new();
        for batch in &outbox.queue {
            let decoded = decode_sealed(batch);
            assert_eq!(decoded.seq, batch.seq);
            events.extend(decoded.events);
        }
        events
    }

    #[test]
    fn acks_only_the_head_and_counts_bytes() {
        let (mut outbox, _) = queued();
        let total: usize = outbox.queue.iter().map(|b| b.bytes.len()).sum();
        assert_eq!(outbox.queued_bytes(), total);
        assert!(outbox.is_full(&BatchOptions {
            max_queued_bytes: total,
            ..opts()
        }));
        assert!(!outbox.is_full(&BatchOptions {
            max_queued_bytes: total + 1,
            ..opts()
        }));

        assert!(!outbox.ack(11), "only the head can be acknowledged");
        assert!(outbox.ack(10));
        assert!(!outbox.ack(10), "a duplicate receipt changes nothing");
        assert_eq!(outbox.head().map(|b| b.seq), Some(11));
        assert_eq!((outbox.len(), outbox.is_empty()), (2, false));
        assert!(outbox.queued_bytes() < total);
    }

    #[test]
    fn split_head_renumbers_everything_behind_it() {
        let (mut outbox, events) = queued();
        outbox.split_head(&opts()).expect("split");
        assert_eq!(shape(&outbox), [(10, 4), (11, 4), (12, 8), (13, 4)]);
        assert_eq!(outbox.sealer().next_seq(), 14);
        assert_eq!(contents(&outbox), events);
        let total: usize = outbox.queue.iter().map(|b| b.bytes.len()).sum();
        assert_eq!(outbox.queued_bytes(), total);
    }

    #[test]
    fn split_head_of_one_event_leaves_a_marker_then_refuses() {
        let mut outbox = Outbox::new(Sealer::new("p", session(), 0, 0));
        outbox.seal(vec![noisy(7, 100)], &opts()).expect("seal");
        outbox.seal(vec![noisy(8, 100)], &opts()).expect("seal");
        outbox.split_head(&opts()).expect("split");
        assert_eq!(shape(&outbox), [(0, 1), (1, 1)]);
        let events = contents(&outbox);
        assert!(
            matches!(&events[0].data, EventData::Marker(m) if m.kind == MarkerKind::LimitReached)
        );
        assert_eq!(events[0].timestamp, 7);
        assert_eq!(events[1], noisy(8, 100));
        assert!(matches!(
            outbox.split_head(&opts()),
            Err(OutboxError::Unsplittable)
        ));
        assert_eq!(outbox.sealer().next_seq(), 2);
    }

    /// Re-sealing a queued batch's encoded events gives exactly the batches that sealing
    /// its decoded events would, including when the re-seal halves a batch and replaces an
    /// event too large alone with a marker.
    #[test]
    fn resealing_encoded_events_matches_sealing_decoded_ones() {
        let events: Vec<Event> = (0..12)
            .map(|n| noisy(n, if n == 3 { 6_000 } else { 300 }))
            .collect();
        let roomy = BatchOptions {
            max_batch_events: 6,
            ..BatchOptions::default()
        };
        let tight = BatchOptions {
            max_batch_bytes: 1_000,
            ..roomy.clone()
        };
        let mut outbox = Outbox::new(Sealer::new("p", session(), 3, 9));
        assert_eq!(outbox.seal(events.clone(), &roomy).expect("seal"), 2);
        outbox.split_head(&tight).expect("split");

        let mut sealer = Sealer::new("p", session(), 3, 9);
        let mut expected = Vec::new();
        for part in [&events[..3], &events[3..6], &events[6..]] {
            expected.extend(sealer.seal(part.to_vec(), &tight).expect("seal"));
        }
        assert!(expected.len() > 3, "the re-seal must have halved something");
        assert_eq!(Vec::from(outbox.queue.clone()), expected);
        assert_eq!(outbox.sealer(), &sealer);
        assert_eq!(contents(&outbox)[3].kind(), protocol::EventKind::Marker);
    }

    #[test]
    fn drop_head_closes_the_gap() {
        let (mut outbox, events) = queued();
        outbox.drop_head(&opts()).expect("drop");
        assert_eq!(shape(&outbox), [(10, 8), (11, 4)]);
        assert_eq!(contents(&outbox), events[8..]);
        assert_eq!(outbox.sealer().next_seq(), 12);
    }

    #[test]
    fn a_broken_batch_leaves_everything_as_it_was() {
        let (mut outbox, _) = queued();
        if let Some(last) = outbox.queue.back_mut() {
            last.bytes.truncate(10);
        }
        let before = outbox.clone();
        assert!(matches!(
            outbox.split_head(&opts()),
            Err(OutboxError::Decode { seq: 12, .. })
        ));
        assert!(matches!(
            outbox.drop_head(&opts()),
            Err(OutboxError::Decode { seq: 12, .. })
        ));
        assert_eq!(outbox, before);

        let mut empty = Outbox::new(Sealer::new("p", session(), 0, 0));
        assert!(matches!(empty.split_head(&opts()), Err(OutboxError::Empty)));
        assert!(matches!(empty.drop_head(&opts()), Err(OutboxError::Empty)));
    }
}
