//! Batching and transport decisions: which events leave the page together, in which numbered
//! batch, and what to do with the server's answer. Pure Rust, no browser APIs: the browser
//! layer passes in the time, random numbers and HTTP answers as plain values.
//!
//! # The key decision: one batch in flight, and nothing is ever dropped silently
//!
//! The server accepts a session's batches only with contiguous `seq`s, so exactly one batch
//! (the [`Outbox`] head) is ever sent at a time, and every batch behind it is still
//! unaccepted. That is what makes renumbering safe: when the head is refused as too large
//! (413) it is split and everything behind it renumbered ([`Outbox::split_head`]), without
//! any risk of reusing a seq the server already holds. Where something cannot be sent at
//! all (one event too large for any batch), a `LimitReached` marker takes its place so a
//! reviewer sees the gap; when the queue is full the recorder pauses rather than discards.
//!
//! The flow: events go into a [`Buffer`]; when [`Buffer::should_flush`] says so, they are
//! taken and sealed into the [`Outbox`] ([`Outbox::seal`]); the browser layer sends the
//! head, [`classify`]s the answer into a [`SendOutcome`], and acts on it, waiting
//! [`Backoff::next_delay_ms`] between retries.

mod backoff;
mod base64;
mod buffer;
mod estimate;
mod outbox;
mod persist;
mod response;
mod sealer;

pub use backoff::Backoff;
pub use buffer::Buffer;
pub use estimate::estimated_size;
pub use outbox::{Outbox, OutboxError};
pub use persist::PersistError;
pub use response::{SendOutcome, classify};
pub use sealer::{SealError, Sealable, SealedBatch, Sealer};

/// Shared fixtures for this module's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use protocol::{Event, EventData, Track, Value};
    use uuid::Uuid;

    /// A fixed UUIDv7, as the protocol requires.
    pub(crate) fn session() -> Uuid {
        uuid::Builder::from_unix_timestamp_millis(1_700_000_000_000, &[7; 10]).into_uuid()
    }

    /// A `track` event carrying `len` bytes of text zstd cannot shrink much, numbered `n` so
    /// order can be checked after a round trip.
    pub(crate) fn noisy(n: u32, len: usize) -> Event {
        let mut state = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let text: String = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect();
        Event::new(
            i64::from(n),
            EventData::Track(Track {
                name: format!("e{n}"),
                data: Value::String(text),
            }),
        )
    }
}
