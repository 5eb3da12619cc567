//! A walk over raw MessagePack that enforces [`Limits`] before serde allocates anything.
//!
//! Serde deserializes recursively and trusts declared lengths for pre-allocation, so bytes
//! from the network are first read here with `rmp`'s markers and a loop (no recursion). The
//! walk checks, in one pass: the batch starts with a supported format version; nesting stays
//! within [`MAX_NESTING`]; there are at most `max_values` values; no string or binary
//! exceeds `max_string_bytes`; no array or map declares more elements than there are bytes
//! left to hold them; the events array declares no more than `max_events`; only types the
//! format uses appear; and nothing follows the batch. Its only allocation is the stack of
//! open containers, bounded by the nesting limit.
//!
//! The walk's steps ([`Walk`]) are shared with [`crate::raw`], which reads a batch's
//! envelope and finds each event's bytes under the same checks without building events.

use crate::envelope::{EVENTS_INDEX, FORMAT_VERSION};
use crate::error::DecodeError;
use crate::limits::{Limits, MAX_NESTING};
use rmp::Marker;

/// Checks `msgpack` against `limits`; see the module docs for what that covers.
pub(crate) fn prescan(msgpack: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    let mut walk = Walk::new(msgpack, limits);
    let root_items = walk.start()?;
    for index in 1..root_items {
        walk.skip_value(1, index == EVENTS_INDEX as u64)?;
    }
    walk.finish()
}

/// The prescan's walk, value by value: every value it reads is counted against
/// `max_values`, every header checked against the other limits, and containers are walked
/// with a loop over an explicit stack, never by recursion. [`prescan`] skips a whole batch
/// with it; [`crate::raw`] uses the same steps to find each event's bytes.
pub(crate) struct Walk<'a, 'l> {
    input: Input<'a>,
    limits: &'l Limits,
    values: usize,
    /// One entry per open container being skipped: how many values it still holds.
    open: Vec<u64>,
}

impl<'a, 'l> Walk<'a, 'l> {
    pub(crate) fn new(msgpack: &'a [u8], limits: &'l Limits) -> Self {
        Walk {
            input: Input {
                bytes: msgpack,
                pos: 0,
            },
            limits,
            values: 0,
            open: Vec::new(),
        }
    }

    /// Reads the root array's header and the format version; returns how many elements
    /// the root declares (the version included).
    pub(crate) fn start(&mut self) -> Result<u64, DecodeError> {
        let root_items = match self.input.header(self.limits)? {
            Header::Container { items, map: false } if items > 0 => items,
            _ => return Err(malformed("a batch must be a non-empty MessagePack array")),
        };
        check_version(&mut self.input)?;
        // The root array and the version.
        self.values = 2;
        Ok(root_items)
    }

    /// Where the walk is in the input.
    pub(crate) fn pos(&self) -> usize {
        self.input.pos
    }

    /// The input from `start` to where the walk is.
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        &self.input.bytes[start..self.input.pos]
    }

    /// Counts one more value against `max_values`.
    fn count(&mut self) -> Result<(), DecodeError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(DecodeError::TooManyValues {
                limit: self.limits.max_values,
            });
        }
        Ok(())
    }

    /// Counts the next value and reads its header, skipping a scalar's payload.
    pub(crate) fn header(&mut self) -> Result<Header, DecodeError> {
        self.count()?;
        self.input.header(self.limits)
    }

    /// Counts the next value, which must be an unsigned integer, and reads it.
    pub(crate) fn unsigned(&mut self) -> Result<u64, DecodeError> {
        self.count()?;
        self.input
            .unsigned()?
            .ok_or_else(|| malformed("expected an unsigned integer"))
    }

    /// Counts the next value, which must be an integer in `i64` range, and reads it.
    pub(crate) fn signed(&mut self) -> Result<i64, DecodeError> {
        self.count()?;
        let start = self.input.pos;
        if let Some(unsigned) = self.input.unsigned()? {
            return i64::try_from(unsigned).map_err(|_| malformed("integer out of i64 range"));
        }
        self.input.pos = start;
        let value = match Marker::from_u8(self.input.u8()?) {
            Marker::FixNeg(v) => i64::from(v),
            // Sign-extend the big-endian two's complement value.
            Marker::I8 => i64::from(self.input.be::<1>()? as u8 as i8),
            Marker::I16 => i64::from(self.input.be::<2>()? as u16 as i16),
            Marker::I32 => i64::from(self.input.be::<4>()? as u32 as i32),
            Marker::I64 => self.input.be::<8>()? as i64,
            _ => return Err(malformed("expected an integer")),
        };
        Ok(value)
    }

    /// Counts the next value, which must be a string, and reads it.
    pub(crate) fn str(&mut self) -> Result<&'a str, DecodeError> {
        self.count()?;
        let len = match Marker::from_u8(self.input.u8()?) {
            Marker::FixStr(len) => u64::from(len),
            Marker::Str8 => self.input.be::<1>()?,
            Marker::Str16 => self.input.be::<2>()?,
            Marker::Str32 => self.input.be::<4>()?,
            _ => return Err(malformed("expected a string")),
        };
        let bytes = self.input.blob_bytes(len, self.limits)?;
        std::str::from_utf8(bytes).map_err(|_| malformed("a string is not valid UTF-8"))
    }

    /// Counts the next value, which must be a binary, and reads it.
    pub(crate) fn bin(&mut self) -> Result<&'a [u8], DecodeError> {
        self.count()?;
        let len = match Marker::from_u8(self.input.u8()?) {
            Marker::Bin8 => self.input.be::<1>()?,
            Marker::Bin16 => self.input.be::<2>()?,
            Marker::Bin32 => self.input.be::<4>()?,
            _ => return Err(malformed("expected a binary")),
        };
        self.input.blob_bytes(len, self.limits)
    }

    /// Checks an array's declared length before the `max_events` limit: it is the events
    /// array.
    pub(crate) fn check_event_count(&self, items: u64) -> Result<(), DecodeError> {
        if items > self.limits.max_events as u64 {
            return Err(DecodeError::TooManyEvents {
                limit: self.limits.max_events,
                actual: usize::try_from(items).unwrap_or(usize::MAX),
            });
        }
        Ok(())
    }

    /// Checks a container declaring `items` values, found with `outer` containers open,
    /// before anything walks into it.
    pub(crate) fn check_container(&self, items: u64, outer: usize) -> Result<(), DecodeError> {
        // Every value takes at least one byte, so a longer declaration is a lie meant to
        // make a decoder reserve memory.
        if items > self.input.remaining() as u64 {
            return Err(malformed(
                "a container declares more elements than bytes remain",
            ));
        }
        if outer >= MAX_NESTING {
            return Err(DecodeError::NestingTooDeep { limit: MAX_NESTING });
        }
        Ok(())
    }

    /// Skips the next value whole, found with `outer` containers open; `events` says it is
    /// the batch's events array, whose length is checked against `max_events`.
    pub(crate) fn skip_value(&mut self, outer: usize, events: bool) -> Result<(), DecodeError> {
        if let Header::Container { items, map } = self.header()? {
            if events && !map {
                self.check_event_count(items)?;
            }
            self.check_container(items, outer)?;
            self.skip_items(items, outer)?;
        }
        Ok(())
    }

    /// Skips the `items` values of a container [checked](Self::check_container) with `outer`
    /// containers open around it, without recursion.
    fn skip_items(&mut self, items: u64, outer: usize) -> Result<(), DecodeError> {
        self.open.clear();
        self.open.push(items);
        while let Some(remaining) = self.open.last_mut() {
            if *remaining == 0 {
                self.open.pop();
                continue;
            }
            *remaining -= 1;
            if let Header::Container { items, .. } = self.header()? {
                self.check_container(items, outer + self.open.len())?;
                self.open.push(items);
            }
        }
        Ok(())
    }

    /// Checks that nothing follows the batch.
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        match self.input.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes { count }),
        }
    }
}

fn check_version(input: &mut Input<'_>) -> Result<(), DecodeError> {
    let found = input
        .unsigned()?
        .ok_or_else(|| malformed("a batch must start with its format_version"))?;
    if found != u64::from(FORMAT_VERSION) {
        return Err(DecodeError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

pub(crate) enum Header {
    /// A value with nothing left to walk (its payload, if any, has been skipped).
    Scalar,
    /// An array or map; `items` counts keys and values separately for maps.
    Container { items: u64, map: bool },
}

struct Input<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(malformed(
                "truncated: a value runs past the end of the input",
            ));
        }
        let taken = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned integer in any width, or `None` (having consumed its marker) if the next
    /// value is something else.
    fn unsigned(&mut self) -> Result<Option<u64>, DecodeError> {
        Ok(Some(match Marker::from_u8(self.u8()?) {
            Marker::FixPos(v) => u64::from(v),
            Marker::U8 => self.be::<1>()?,
            Marker::U16 => self.be::<2>()?,
            Marker::U32 => self.be::<4>()?,
            Marker::U64 => self.be::<8>()?,
            _ => return Ok(None),
        }))
    }

    /// A big-endian unsigned integer of `N` bytes (N <= 8).
    fn be<const N: usize>(&mut self) -> Result<u64, DecodeError> {
        Ok(self
            .take(N)?
            .iter()
            .fold(0, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Reads one value's header, skipping scalar payloads.
    fn header(&mut self, limits: &Limits) -> Result<Header, DecodeError> {
        let scalar_len = match Marker::from_u8(self.u8()?) {
            Marker::FixPos(_) | Marker::FixNeg(_) | Marker::Null | Marker::True | Marker::False => {
                0
            }
            Marker::U8 | Marker::I8 => 1,
            Marker::U16 | Marker::I16 => 2,
            Marker::U32 | Marker::I32 | Marker::F32 => 4,
            Marker::U64 | Marker::I64 | Marker::F64 => 8,
            Marker::FixStr(len) => return self.blob(len.into(), limits),
            Marker::Str8 | Marker::Bin8 => {
                let len = self.be::<1>()?;
                return self.blob(len, limits);
            }
            Marker::Str16 | Marker::Bin16 => {
                let len = self.be::<2>()?;
                return self.blob(len, limits);
            }
            Marker::Str32 | Marker::Bin32 => {
                let len = self.be::<4>()?;
                return self.blob(len, limits);
            }
            Marker::FixArray(len) => {
                return Ok(Header::Container {
                    items: len.into(),
                    map: false,
                });
            }
            Marker::Array16 => {
                return Ok(Header::Container {
                    items: self.be::<2>()?,
                    map: false,
                });
            }
            Marker::Array32 => {
                return Ok(Header::Container {
                    items: self.be::<4>()?,
                    map: false,
                });
            }
            Marker::FixMap(len) => {
                return Ok(Header::Container {
                    items: 2 * u64::from(len),
                    map: true,
                });
            }
            Marker::Map16 => {
                return Ok(Header::Container {
                    items: 2 * self.be::<2>()?,
                    map: true,
                });
            }
            Marker::Map32 => {
                return Ok(Header::Container {
                    items: 2 * self.be::<4>()?,
                    map: true,
                });
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                return Err(malformed(
                    "MessagePack extension types are not part of the format",
                ));
            }
            Marker::Reserved => return Err(malformed("reserved MessagePack marker 0xc1")),
        };
        self.take(scalar_len)?;
        Ok(Header::Scalar)
    }

    fn blob(&mut self, len: u64, limits: &Limits) -> Result<Header, DecodeError> {
        self.blob_bytes(len, limits)?;
        Ok(Header::Scalar)
    }

    /// A string's or binary's `len` bytes, within `max_string_bytes`.
    fn blob_bytes(&mut self, len: u64, limits: &Limits) -> Result<&'a [u8], DecodeError> {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > limits.max_string_bytes {
            return Err(DecodeError::StringTooLong {
                limit: limits.max_string_bytes,
                actual: len,
            });
        }
        self.take(len)
    }
}

fn malformed(why: &str) -> DecodeError {
    DecodeError::Malformed(why.to_owned())
}

#[cfg(test)]
mod tests;
