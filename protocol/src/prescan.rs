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

use crate::envelope::{EVENTS_INDEX, FORMAT_VERSION};
use crate::error::DecodeError;
use crate::limits::{Limits, MAX_NESTING};
use rmp::Marker;

/// Checks `msgpack` against `limits`; see the module docs for what that covers.
pub(crate) fn prescan(msgpack: &[u8], limits: &Limits) -> Result<(), DecodeError> {
    let mut input = Input {
        bytes: msgpack,
        pos: 0,
    };

    let root_items = match input.header(limits)? {
        Header::Container { items, map: false } if items > 0 => items,
        _ => return Err(malformed("a batch must be a non-empty MessagePack array")),
    };
    check_version(&mut input)?;

    // One entry per open container: how many values it still holds. The root array's
    // version has been read already.
    let mut open: Vec<u64> = Vec::with_capacity(16);
    open.push(root_items.saturating_sub(1));
    let mut next_root_index = 1usize;
    // The root array and the version.
    let mut values = 2usize;

    while let Some(remaining) = open.last_mut() {
        if *remaining == 0 {
            open.pop();
            continue;
        }
        *remaining -= 1;
        let at_events = open.len() == 1 && {
            next_root_index += 1;
            next_root_index - 1 == EVENTS_INDEX
        };
        values += 1;
        if values > limits.max_values {
            return Err(DecodeError::TooManyValues {
                limit: limits.max_values,
            });
        }

        match input.header(limits)? {
            Header::Scalar => {}
            Header::Container { items, map } => {
                if at_events && !map && items > limits.max_events as u64 {
                    return Err(DecodeError::TooManyEvents {
                        limit: limits.max_events,
                        actual: usize::try_from(items).unwrap_or(usize::MAX),
                    });
                }
                // Every value takes at least one byte, so a longer declaration is a lie
                // meant to make a decoder reserve memory.
                if items > input.remaining() as u64 {
                    return Err(malformed(
                        "a container declares more elements than bytes remain",
                    ));
                }
                if open.len() >= MAX_NESTING {
                    return Err(DecodeError::NestingTooDeep { limit: MAX_NESTING });
                }
                open.push(items);
            }
        }
    }

    match input.remaining() {
        0 => Ok(()),
        count => Err(DecodeError::TrailingBytes { count }),
    }
}

fn check_version(input: &mut Input<'_>) -> Result<(), DecodeError> {
    let found = match Marker::from_u8(input.u8()?) {
        Marker::FixPos(v) => u64::from(v),
        Marker::U8 => u64::from(input.u8()?),
        Marker::U16 => input.be::<2>()?,
        Marker::U32 => input.be::<4>()?,
        Marker::U64 => input.be::<8>()?,
        _ => return Err(malformed("a batch must start with its format_version")),
    };
    if found != u64::from(FORMAT_VERSION) {
        return Err(DecodeError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

enum Header {
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
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > limits.max_string_bytes {
            return Err(DecodeError::StringTooLong {
                limit: limits.max_string_bytes,
                actual: len,
            });
        }
        self.take(len)?;
        Ok(Header::Scalar)
    }
}

fn malformed(why: &str) -> DecodeError {
    DecodeError::Malformed(why.to_owned())
}

#[cfg(test)]
mod tests;
