//! Batch ⇄ bytes: MessagePack, then zstd.

use crate::envelope::{Batch, FORMAT_VERSION, is_v7};
use crate::error::{DecodeError, EncodeError};
use crate::limits::{Limits, MAX_NESTING};
use crate::prescan::prescan;
use serde::Deserialize;
use std::io::Read;

/// Every zstd frame starts with these bytes (0xFD2FB528, little-endian). Skippable frames
/// have other magics and are refused: the recorder never writes them.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// zstd's smallest window; also the floor for the decoder's window limit.
const MIN_WINDOW_LOG: u32 = 10;
/// The largest window zstd accepts on 32-bit targets such as wasm32.
const MAX_WINDOW_LOG: u32 = 30;

/// MessagePack-encodes `batch`, then compresses it at `zstd_level` (1–22; 0 means zstd's
/// default, 3).
pub fn encode_batch(batch: &Batch, zstd_level: i32) -> Result<Vec<u8>, EncodeError> {
    compress(&encode_batch_uncompressed(batch)?, zstd_level)
}

/// MessagePack only. Refuses a batch that [`decode_batch`] would reject for its version or
/// session id.
pub fn encode_batch_uncompressed(batch: &Batch) -> Result<Vec<u8>, EncodeError> {
    if batch.format_version != FORMAT_VERSION {
        return Err(EncodeError::UnsupportedVersion {
            found: batch.format_version,
            supported: FORMAT_VERSION,
        });
    }
    if !is_v7(&batch.session_id) {
        return Err(EncodeError::SessionIdNotV7);
    }
    Ok(rmp_serde::to_vec(batch)?)
}

/// One zstd frame holding `msgpack`, with its size in the frame header.
#[cfg(not(feature = "compress-ruzstd"))]
pub fn compress(msgpack: &[u8], level: i32) -> Result<Vec<u8>, EncodeError> {
    zstd::bulk::compress(msgpack, level).map_err(EncodeError::Compress)
}

/// One zstd frame holding `msgpack`, written by ruzstd at its only level (about zstd's
/// level 1) whatever `level` asks for, without the size in the frame header.
#[cfg(feature = "compress-ruzstd")]
pub fn compress(msgpack: &[u8], _level: i32) -> Result<Vec<u8>, EncodeError> {
    Ok(ruzstd::encoding::compress_to_vec(
        msgpack,
        ruzstd::encoding::CompressionLevel::Fastest,
    ))
}

/// Decompresses, checks and decodes an untrusted batch, enforcing `limits` as it goes (see
/// [`Limits`] and [`DecodeError`] for what each step rejects).
pub fn decode_batch(bytes: &[u8], limits: &Limits) -> Result<Batch, DecodeError> {
    let msgpack = decompress(bytes, limits)?;
    decode_batch_uncompressed(&msgpack, limits)
}

/// The zstd half of [`decode_batch`]: rejects oversize input, then streams the
/// decompression and stops one byte past `max_decompressed_bytes`, so a bomb costs at most
/// that much memory and time.
/// zstd's text for ZSTD_error_frameParameter_windowTooLarge (pinned by a test).
const WINDOW_TOO_LARGE: &str = "too much memory";

pub fn decompress(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, DecodeError> {
    if bytes.len() > limits.max_compressed_bytes {
        return Err(DecodeError::CompressedTooLarge {
            limit: limits.max_compressed_bytes,
            actual: bytes.len(),
        });
    }
    if !bytes.starts_with(&ZSTD_MAGIC) {
        return Err(DecodeError::NotZstd);
    }
    let corrupt = |e: std::io::Error| DecodeError::Corrupt(e.to_string());
    let mut decoder = zstd::stream::read::Decoder::with_buffer(bytes).map_err(corrupt)?;
    // A frame header may ask for a window of up to 128 MiB (zstd's default cap), which the
    // decoder allocates up front. No valid batch needs a window larger than the output limit.
    decoder
        .window_log_max(window_log(limits.max_decompressed_bytes))
        .map_err(corrupt)?;

    let cap = u64::try_from(limits.max_decompressed_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut msgpack = Vec::new();
    decoder.take(cap).read_to_end(&mut msgpack).map_err(|e| {
        // zstd refuses the frame's window before inflating anything: the limit
        // speaks (413), not corruption (400).
        if e.to_string().contains(WINDOW_TOO_LARGE) {
            DecodeError::WindowTooLarge {
                limit: limits.max_decompressed_bytes,
            }
        } else {
            corrupt(e)
        }
    })?;
    if msgpack.len() > limits.max_decompressed_bytes {
        return Err(DecodeError::DecompressedTooLarge {
            limit: limits.max_decompressed_bytes,
        });
    }
    Ok(msgpack)
}

/// The MessagePack half of [`decode_batch`]: prescan, deserialize, validate.
pub fn decode_batch_uncompressed(msgpack: &[u8], limits: &Limits) -> Result<Batch, DecodeError> {
    if msgpack.len() > limits.max_decompressed_bytes {
        return Err(DecodeError::DecompressedTooLarge {
            limit: limits.max_decompressed_bytes,
        });
    }
    prescan(msgpack, limits)?;

    let mut deserializer = rmp_serde::Deserializer::from_read_ref(msgpack);
    // Already enforced by the prescan; rmp-serde's own check is a second line of defence.
    // It fails on reaching its setting rather than exceeding it, hence the + 1.
    deserializer.set_max_depth(MAX_NESTING + 1);
    let batch =
        Batch::deserialize(&mut deserializer).map_err(|e| DecodeError::Malformed(e.to_string()))?;

    batch.validate(limits)?;
    Ok(batch)
}

/// The smallest window log whose window holds `bytes`, within what zstd allows.
fn window_log(bytes: usize) -> u32 {
    let log = usize::BITS - bytes.saturating_sub(1).leading_zeros();
    log.clamp(MIN_WINDOW_LOG, MAX_WINDOW_LOG)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame asking for a 128 MiB window (log 27) around a single byte.
    const BIG_WINDOW_FRAME: [u8; 10] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x88, 0x09, 0x00, 0x00, 0x2a];

    #[test]
    fn refuses_windows_larger_than_the_output_limit() {
        let result = decompress(&BIG_WINDOW_FRAME, &Limits::default());
        assert_eq!(
            result,
            Err(DecodeError::WindowTooLarge {
                limit: Limits::default().max_decompressed_bytes
            })
        );

        let roomy = Limits {
            max_decompressed_bytes: 1 << 27,
            ..Limits::default()
        };
        assert_eq!(decompress(&BIG_WINDOW_FRAME, &roomy), Ok(vec![0x2a]));
    }

    #[test]
    fn window_log_covers_the_limit() {
        assert_eq!(window_log(0), MIN_WINDOW_LOG);
        assert_eq!(window_log(1 << 24), 24);
        assert_eq!(window_log((1 << 24) + 1), 25);
        assert_eq!(window_log(usize::MAX), MAX_WINDOW_LOG);
    }
}
