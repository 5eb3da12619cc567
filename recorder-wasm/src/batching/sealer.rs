//! Events → sealed batches: numbered, encoded, compressed, and within every size limit.
//!
//! # The key decision: measure the real encoding, halve until it fits
//!
//! Sizes are checked on the actual MessagePack and zstd output, never an estimate, so a
//! sealed batch is known to pass the limits it was sealed under. A batch over a limit is
//! halved (order kept, seqs contiguous) until it fits; an event too large to fit even alone
//! is replaced by a `LimitReached` marker at its timestamp, so the gap is visible in the
//! replay instead of silent. Halving re-encodes, which only happens for unusual bursts.

use crate::options::BatchOptions;
use protocol::{Batch, EncodeError, Event, EventData, EventKind, Marker, MarkerKind, RawEvent};
use uuid::Uuid;

/// One sealed batch: the exact bytes to POST (the server hashes them as received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBatch {
    /// Its position in the session (0 first, then contiguous).
    pub seq: u64,
    /// A zstd frame holding the MessagePack batch.
    pub bytes: Vec<u8>,
    /// How many events it carries.
    pub events: u32,
}

/// Why events could not be sealed; nothing was numbered.
#[derive(Debug, thiserror::Error)]
#[error("could not seal a batch: {0}")]
pub struct SealError(#[from] EncodeError);

/// Numbers and encodes one session's batches.
#[derive(Debug, Clone, PartialEq)]
pub struct Sealer {
    project: String,
    session_id: Uuid,
    next_seq: u64,
    started_at: i64,
}

/// What one encoding attempt produced.
enum Attempt<T> {
    Fits(SealedBatch),
    TooLarge(Vec<T>),
}

/// What batches are sealed from: events just recorded, or events still encoded in a
/// queued batch that is being split or renumbered ([`super::Outbox`]), which are copied
/// into the new batch as they are, without decoding them.
pub trait Sealable: Sized {
    fn timestamp(&self) -> i64;
    fn kind(&self) -> EventKind;
    /// The MessagePack of `sealer`'s batch at `seq` holding `events`, which are left as
    /// they were.
    fn encode(sealer: &Sealer, seq: u64, events: &mut Vec<Self>) -> Result<Vec<u8>, EncodeError>;
}

impl Sealable for Event {
    fn timestamp(&self) -> i64 {
        self.timestamp
    }

    fn kind(&self) -> EventKind {
        self.data.kind()
    }

    fn encode(sealer: &Sealer, seq: u64, events: &mut Vec<Self>) -> Result<Vec<u8>, EncodeError> {
        let batch = sealer.batch(seq, std::mem::take(events));
        let msgpack = protocol::encode_batch_uncompressed(&batch);
        *events = batch.events;
        msgpack
    }
}

impl Sealable for RawEvent<'_> {
    fn timestamp(&self) -> i64 {
        RawEvent::timestamp(self)
    }

    fn kind(&self) -> EventKind {
        RawEvent::kind(self)
    }

    fn encode(sealer: &Sealer, seq: u64, events: &mut Vec<Self>) -> Result<Vec<u8>, EncodeError> {
        protocol::encode_raw_batch_uncompressed(
            &sealer.project,
            sealer.session_id,
            seq,
            sealer.started_at,
            events,
        )
    }
}

impl Sealer {
    /// A sealer for `session_id` (a UUIDv7) of `project`, which the server checks against
    /// the write key's project. `next_seq` is 0 for a new session; `started_at` is the
    /// session's start in Unix milliseconds.
    pub fn new(
        project: impl Into<String>,
        session_id: Uuid,
        next_seq: u64,
        started_at: i64,
    ) -> Self {
        Sealer {
            project: project.into(),
            session_id,
            next_seq,
            started_at,
        }
    }

    /// The project named in every batch.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The session every batch belongs to.
    pub fn session_id(&self) -> Uuid {
        self.session_id
    }

    /// The seq the next sealed batch gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The session's start, in Unix milliseconds.
    pub fn started_at(&self) -> i64 {
        self.started_at
    }

    /// Renumbering after a split starts again from a refused seq.
    pub(crate) fn rewind_to(&mut self, seq: u64) {
        self.next_seq = seq;
    }

    /// Seals `events` in order into as many batches as the limits in `opts` require, each
    /// with at most `max_batch_events` events, at most `max_batch_uncompressed_bytes` of
    /// MessagePack and at most `max_batch_bytes` compressed. No events, no batches.
    ///
    /// On error nothing is numbered: `next_seq` is unchanged.
    pub fn seal<T: Sealable>(
        &mut self,
        events: Vec<T>,
        opts: &BatchOptions,
    ) -> Result<Vec<SealedBatch>, SealError> {
        let per_batch = opts.max_batch_events.max(1);
        let mut rest = events.into_iter();
        let mut pending = Vec::new();
        loop {
            let chunk: Vec<T> = rest.by_ref().take(per_batch).collect();
            if chunk.is_empty() {
                break;
            }
            pending.push(chunk);
        }
        // A stack, so the left half of a split is always sealed before the right.
        pending.reverse();

        let mut seq = self.next_seq;
        let mut sealed = Vec::with_capacity(pending.len());
        while let Some(chunk) = pending.pop() {
            let batch = match self.attempt(chunk, seq, opts)? {
                Attempt::Fits(batch) => batch,
                Attempt::TooLarge(mut left) if left.len() > 1 => {
                    let right = left.split_off(left.len() / 2);
                    pending.push(right);
                    pending.push(left);
                    continue;
                }
                Attempt::TooLarge(events) => self.marker_batch(events.first(), seq, opts)?,
            };
            sealed.push(batch);
            seq = seq.saturating_add(1);
        }
        self.next_seq = seq;
        Ok(sealed)
    }

    /// A batch at `seq` holding only a `LimitReached` marker in place of `event`. It is
    /// not checked against the limits: it is as small as a batch gets.
    pub(crate) fn marker_batch<T: Sealable>(
        &self,
        event: Option<&T>,
        seq: u64,
        opts: &BatchOptions,
    ) -> Result<SealedBatch, SealError> {
        let marker = Event::new(
            event.map_or(self.started_at, T::timestamp),
            EventData::Marker(Marker {
                kind: MarkerKind::LimitReached,
                reason: format!(
                    "event too large: {}",
                    event.map_or("batch", |e| e.kind().label())
                ),
            }),
        );
        let batch = self.batch(seq, vec![marker]);
        let bytes = protocol::encode_batch(&batch, opts.compression_level)?;
        Ok(SealedBatch {
            seq,
            bytes,
            events: 1,
        })
    }

    fn attempt<T: Sealable>(
        &self,
        mut events: Vec<T>,
        seq: u64,
        opts: &BatchOptions,
    ) -> Result<Attempt<T>, SealError> {
        let msgpack = T::encode(self, seq, &mut events)?;
        if msgpack.len() > opts.max_batch_uncompressed_bytes {
            return Ok(Attempt::TooLarge(events));
        }
        let bytes = protocol::compress(&msgpack, opts.compression_level)?;
        if bytes.len() > opts.max_batch_bytes {
            return Ok(Attempt::TooLarge(events));
        }
        let events = u32::try_from(events.len()).unwrap_or(u32::MAX);
        Ok(Attempt::Fits(SealedBatch { seq, bytes, events }))
    }

    fn batch(&self, seq: u64, events: Vec<Event>) -> Batch {
        Batch::new(
            self.project.clone(),
            self.session_id,
            seq,
            self.started_at,
            events,
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::batching::test_support::{noisy, session};
    use protocol::Limits;

    pub(crate) fn decode(batch: &SealedBatch) -> Batch {
        protocol::decode_batch(&batch.bytes, &Limits::default()).expect("our own batch decodes")
    }

    fn small() -> BatchOptions {
        BatchOptions {
            max_batch_bytes: 4_096,
            ..BatchOptions::default()
        }
    }

    #[test]
    fn splits_an_oversized_set_into_contiguous_batches_in_order() {
        let events: Vec<Event> = (0..40).map(|n| noisy(n, 1_000)).collect();
        let mut sealer = Sealer::new("shop", session(), 5, 1_000);
        let sealed = sealer.seal(events.clone(), &small()).expect("seal");

        assert!(sealed.len() > 1);
        assert_eq!(sealer.next_seq(), 5 + sealed.len() as u64);
        let mut decoded_events = Vec::new();
        for (i, batch) in sealed.iter().enumerate() {
            assert_eq!(batch.seq, 5 + i as u64);
            assert!(
                batch.bytes.len() <= 4_096,
                "batch {i} is {} bytes",
                batch.bytes.len()
            );
            let decoded = decode(batch);
            assert_eq!((decoded.seq, decoded.project.as_str()), (batch.seq, "shop"));
            assert_eq!((decoded.session_id, decoded.started_at), (session(), 1_000));
            assert_eq!(decoded.events.len(), batch.events as usize);
            decoded_events.extend(decoded.events);
        }
        assert_eq!(decoded_events, events);
    }

    #[test]
    fn respects_the_uncompressed_and_event_count_limits() {
        let opts = BatchOptions {
            max_batch_uncompressed_bytes: 3_000,
            max_batch_events: 7,
            ..BatchOptions::default()
        };
        // Repetitive text compresses far below max_batch_bytes: only the MessagePack limit bites.
        let events: Vec<Event> = (0..30)
            .map(|n| {
                Event::new(
                    n,
                    EventData::Marker(Marker {
                        kind: MarkerKind::Paused,
                        reason: "z".repeat(500),
                    }),
                )
            })
            .collect();
        let mut sealer = Sealer::new("p", session(), 0, 0);
        let sealed = sealer.seal(events.clone(), &opts).expect("seal");
        let mut decoded_events = Vec::new();
        for batch in &sealed {
            let msgpack = protocol::decompress(&batch.bytes, &Limits::default()).expect("zstd");
            assert!(msgpack.len() <= 3_000 && batch.events <= 7);
            decoded_events.extend(decode(batch).events);
        }
        assert_eq!(decoded_events, events);
    }

    #[test]
    fn replaces_an_event_too_large_alone_with_a_marker() {
        let events = vec![noisy(1, 10), noisy(2, 20_000), noisy(3, 10)];
        let mut sealer = Sealer::new("p", session(), 0, 0);
        let sealed = sealer.seal(events.clone(), &small()).expect("seal");
        let decoded: Vec<Event> = sealed.iter().flat_map(|b| decode(b).events).collect();
        assert_eq!(decoded.len(), 3);
        assert_eq!((&decoded[0], &decoded[2]), (&events[0], &events[2]));
        assert_eq!(
            decoded[1],
            Event::new(
                2,
                EventData::Marker(Marker {
                    kind: MarkerKind::LimitReached,
                    reason: "event too large: track".into(),
                })
            )
        );
    }

    #[test]
    fn no_events_no_batches_and_errors_number_nothing() {
        let mut sealer = Sealer::new("p", session(), 3, 0);
        assert!(
            sealer
                .seal(Vec::<Event>::new(), &small())
                .expect("seal")
                .is_empty()
        );
        assert_eq!(sealer.next_seq(), 3);

        let mut not_v7 = Sealer::new("p", Uuid::nil(), 3, 0);
        assert!(not_v7.seal(vec![noisy(0, 1)], &small()).is_err());
        assert_eq!(not_v7.next_seq(), 3);
    }
}
