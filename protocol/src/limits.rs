//! How much an untrusted batch may make a decoder do.

use serde::{Deserialize, Serialize};

/// The deepest MessagePack nesting a batch may have, counting the batch array as 1.
///
/// Fixed by the format rather than configurable: its own structures need at most 9 levels
/// (batch > events > event > mutation > adds > added node > node list > record > attributes),
/// and node trees are flat on the wire whatever their depth, so only `track` data and
/// `identify` traits nest further. Serde recurses once per level, so this is what bounds the
/// decoder's stack; 128 is serde_json's default recursion limit, and decodes on a 2 MiB
/// thread even in debug builds (tested).
pub const MAX_NESTING: usize = 128;

/// Limits enforced by [`crate::decode_batch`] while it decodes, each before the thing it
/// bounds is allocated. Every rejection is its own [`crate::DecodeError`] variant.
///
/// The defaults suit a production ingest endpoint. Config files may set any subset of fields;
/// unknown fields are an error so a typo cannot silently leave a default in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Bytes on the wire. Default 1 MiB: a first snapshot of a heavy page is a few MiB of
    /// MessagePack and compresses 5–10x, and the recorder flushes every few seconds, so
    /// real batches sit well below this; anything above only costs us hashing and storage.
    pub max_compressed_bytes: usize,
    /// Bytes after zstd. Default 16 MiB: 16x the compressed limit covers the ratios DOM
    /// MessagePack really reaches, while a zip bomb (a GiB of zeros is ~36 KiB of zstd) is
    /// cut off after at most this much output, which bounds the decompression buffer too.
    pub max_decompressed_bytes: usize,
    /// Events in one batch, read from the array header before any are decoded. Default
    /// 50 000: a busy page at ~100 events/s over a 5 s flush is ~500; the headroom covers
    /// slow flushes and offline catch-up.
    pub max_events: usize,
    /// Bytes in any one string or binary value. Default 1 MiB: large enough for inline
    /// `<style>` text and `data:` URIs in attributes, small enough that one value cannot be
    /// most of a batch.
    pub max_string_bytes: usize,
    /// Depth of any node tree (full snapshot or added subtree), counting the root as 1.
    /// Default 512: Chromium's HTML parser stops nesting at 512, so deeper trees come only
    /// from script. Decoding itself uses constant stack at any depth; this protects what
    /// comes after, since code that walks a tree recursively (the viewer rebuilding a DOM,
    /// `Node`'s derived `Clone`/`PartialEq`/`Debug`) needs stack per level.
    pub max_tree_depth: usize,
    /// MessagePack values in the batch (every nil, number, string and container counts one),
    /// counted by the prescan. Default 2 000 000, about 200 000 DOM nodes' worth, far above
    /// real pages. It exists because the cheapest values to send are the costliest to hold:
    /// a 1-byte nil becomes a 32-byte `Value`, so `max_decompressed_bytes` alone would let a
    /// request of under a kilobyte of zstd allocate over 500 MB (measured). At this limit the
    /// worst case measured is 66 MB.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_compressed_bytes: 1 << 20,
            max_decompressed_bytes: 16 << 20,
            max_events: 50_000,
            max_string_bytes: 1 << 20,
            max_tree_depth: 512,
            max_values: 2_000_000,
        }
    }
}
