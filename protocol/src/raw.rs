//! A batch as its envelope plus each event's MessagePack bytes, for rearranging batches
//! (splitting, renumbering) without building [`crate::Event`]s.
//!
//! # The key decision: events are carried as the bytes they were encoded to
//!
//! An event's encoding does not depend on the batch around it, so a batch's events array
//! is the concatenation of its events' encodings, and a batch re-assembled from a new
//! header and a subset of those byte ranges is exactly what [`crate::encode_batch`] writes
//! for the same header and events (tested). That lets the recorder split a refused batch
//! and renumber the ones behind it without linking the serde decoder, the bulk of the
//! decoding code: [`read_raw_batch`] reads the envelope's fields and walks each event with
//! the prescan's non-recursive walk, under the same [`Limits`], and checks only that each
//! event is a `[kind, timestamp, payload]` array with a known kind. Whether a payload has
//! its kind's shape is left to [`crate::decode_batch`].

use crate::envelope::{FORMAT_VERSION, is_v7};
use crate::error::{DecodeError, EncodeError};
use crate::event::EventKind;
use crate::limits::Limits;
use crate::page::MarkerKind;
use crate::prescan::{Header, Walk};
use uuid::Uuid;

/// The elements of a batch's envelope (see [`crate::Batch`]).
const ENVELOPE_ITEMS: u64 = 6;
/// The elements of an event: kind, timestamp, payload.
const EVENT_ITEMS: u64 = 3;

/// A batch whose events are left encoded. Wire layout as [`crate::Batch`]; the format
/// version is always [`FORMAT_VERSION`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBatch<'a> {
    pub project: &'a str,
    pub session_id: Uuid,
    pub seq: u64,
    pub started_at: i64,
    pub events: Vec<RawEvent<'a>>,
}

/// One event's complete MessagePack encoding, as found by [`read_raw_batch`], with the
/// two fields every event starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEvent<'a> {
    bytes: &'a [u8],
    kind: EventKind,
    timestamp: i64,
    /// Where the payload starts in `bytes`.
    payload: usize,
}

impl<'a> RawEvent<'a> {
    /// The event's encoding, `[kind, timestamp, payload]`.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// In Unix milliseconds, as [`crate::Event::timestamp`].
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// A marker event's [`MarkerKind`] (the payload's first element); `None` for other
    /// kinds, or if the payload does not start like a marker.
    pub fn marker_kind(&self) -> Option<MarkerKind> {
        if self.kind != EventKind::Marker {
            return None;
        }
        let limits = Limits::default();
        let mut walk = Walk::new(&self.bytes[self.payload..], &limits);
        match walk.header().ok()? {
            Header::Container { items, map: false } if items > 0 => {}
            _ => return None,
        }
        MarkerKind::from_tag(u8::try_from(walk.unsigned().ok()?).ok()?)
    }
}

/// Reads an uncompressed batch's envelope and finds its events' bytes, enforcing `limits`
/// exactly as [`crate::decode_batch_uncompressed`]'s prescan does, then checking the
/// envelope's fields (the version, the session id's version) and each event's kind and
/// timestamp. Event payloads are walked, not decoded.
pub fn read_raw_batch<'a>(msgpack: &'a [u8], limits: &Limits) -> Result<RawBatch<'a>, DecodeError> {
    if msgpack.len() > limits.max_decompressed_bytes {
        return Err(DecodeError::DecompressedTooLarge {
            limit: limits.max_decompressed_bytes,
        });
    }
    let mut walk = Walk::new(msgpack, limits);
    if walk.start()? != ENVELOPE_ITEMS {
        return Err(malformed("a batch is an array of 6 elements"));
    }
    let project = walk.str()?;
    let session_id =
        Uuid::from_slice(walk.bin()?).map_err(|_| malformed("the session id must be 16 bytes"))?;
    let seq = walk.unsigned()?;
    let started_at = walk.signed()?;

    let count = match walk.header()? {
        Header::Container { items, map: false } => items,
        _ => return Err(malformed("a batch's events must be an array")),
    };
    walk.check_event_count(count)?;
    walk.check_container(count, 1)?;
    // A declared count is only trusted so far: an event takes at least 4 bytes, its
    // `RawEvent` ten times that.
    let mut events = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1024));
    for _ in 0..count {
        events.push(read_event(&mut walk)?);
    }
    walk.finish()?;

    if !is_v7(&session_id) {
        return Err(DecodeError::SessionIdNotV7);
    }
    Ok(RawBatch {
        project,
        session_id,
        seq,
        started_at,
        events,
    })
}

/// One element of the events array (two containers open around it: batch and events).
fn read_event<'a>(walk: &mut Walk<'a, '_>) -> Result<RawEvent<'a>, DecodeError> {
    let start = walk.pos();
    match walk.header()? {
        Header::Container {
            items: EVENT_ITEMS,
            map: false,
        } => walk.check_container(EVENT_ITEMS, 2)?,
        _ => return Err(malformed("an event is an array of 3 elements")),
    }
    let tag = walk.unsigned()?;
    let kind = u8::try_from(tag)
        .ok()
        .and_then(EventKind::from_tag)
        .ok_or_else(|| DecodeError::Malformed(format!("unknown EventKind tag {tag}")))?;
    let timestamp = walk.signed()?;
    let payload = walk.pos() - start;
    walk.skip_value(3, false)?;
    Ok(RawEvent {
        bytes: walk.since(start),
        kind,
        timestamp,
        payload,
    })
}

impl RawBatch<'_> {
    /// The batch's MessagePack; see [`encode_raw_batch_uncompressed`].
    pub fn encode_uncompressed(&self) -> Result<Vec<u8>, EncodeError> {
        encode_raw_batch_uncompressed(
            self.project,
            self.session_id,
            self.seq,
            self.started_at,
            &self.events,
        )
    }
}

/// A batch's MessagePack from its envelope's fields and encoded events: byte for byte what
/// [`crate::encode_batch_uncompressed`] writes for a [`crate::Batch`] with these fields and
/// the events these bytes encode. Refuses a session id that is not a UUIDv7, as that does.
pub fn encode_raw_batch_uncompressed(
    project: &str,
    session_id: Uuid,
    seq: u64,
    started_at: i64,
    events: &[RawEvent<'_>],
) -> Result<Vec<u8>, EncodeError> {
    if !is_v7(&session_id) {
        return Err(EncodeError::SessionIdNotV7);
    }
    let too_long = |what| EncodeError::Msgpack(rmp_serde::encode::Error::InvalidDataModel(what));
    let count = u32::try_from(events.len()).map_err(|_| too_long("too many events"))?;
    if u32::try_from(project.len()).is_err() {
        return Err(too_long("project too long"));
    }
    let events_len = events
        .iter()
        .fold(0usize, |sum, e| sum.saturating_add(e.bytes.len()));
    // Headers take at most 5 bytes, integers 9: 48 covers the rest of the envelope.
    let mut out = Vec::with_capacity(events_len.saturating_add(project.len()).saturating_add(48));
    let written = (|| {
        use rmp::encode::{write_array_len, write_bin, write_sint, write_str, write_uint};
        write_array_len(&mut out, ENVELOPE_ITEMS as u32)?;
        write_uint(&mut out, FORMAT_VERSION.into())?;
        write_str(&mut out, project)?;
        write_bin(&mut out, session_id.as_bytes())?;
        write_uint(&mut out, seq)?;
        write_sint(&mut out, started_at)?;
        write_array_len(&mut out, count)?;
        Ok::<_, rmp::encode::ValueWriteError>(())
    })();
    written.map_err(|e| EncodeError::Msgpack(e.into()))?;
    for event in events {
        out.extend_from_slice(event.bytes);
    }
    Ok(out)
}

fn malformed(why: &str) -> DecodeError {
    DecodeError::Malformed(why.to_owned())
}
