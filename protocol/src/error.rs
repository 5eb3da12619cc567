//! Why a batch could not be encoded or decoded.

use thiserror::Error;

/// Why [`crate::decode_batch`] rejected a batch.
///
/// Limit rejections ([`DecodeError::is_limit`]) name the limit and carry its value and, where
/// it was measured before stopping, what was observed. The server answers them with 413 and
/// everything else with 400; [`DecodeError::reason`] is the stable label for both metrics and
/// JSON error bodies.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("compressed batch is {actual} bytes, over the max_compressed_bytes limit of {limit}")]
    CompressedTooLarge { limit: usize, actual: usize },

    /// Decompression stopped as soon as the output passed the limit, so the full size is
    /// never known (nor computed: that is the point).
    #[error("decompressed batch exceeds the max_decompressed_bytes limit of {limit}")]
    DecompressedTooLarge { limit: usize },

    /// The zstd frame asks for a decoding window larger than the decompressed-size
    /// limit allows; the decoder would have to reserve that memory before reading.
    #[error(
        "the zstd frame needs a decoding window larger than the max_decompressed_bytes limit of {limit}"
    )]
    WindowTooLarge { limit: usize },

    #[error("batch has {actual} events, over the max_events limit of {limit}")]
    TooManyEvents { limit: usize, actual: usize },

    #[error(
        "a string or binary value is {actual} bytes, over the max_string_bytes limit of {limit}"
    )]
    StringTooLong { limit: usize, actual: usize },

    /// Counting stopped at the first value past the limit.
    #[error("batch has more than the max_values limit of {limit} MessagePack values")]
    TooManyValues { limit: usize },

    /// MessagePack containers nested deeper than [`crate::MAX_NESTING`], a fixed limit of
    /// the format; found before deserialization, so it cannot exhaust the stack.
    #[error("MessagePack nesting exceeds the limit of {limit} levels")]
    NestingTooDeep { limit: usize },

    #[error("a node tree is deeper than the max_tree_depth limit of {limit}")]
    TreeTooDeep { limit: usize },

    #[error("not a zstd frame")]
    NotZstd,

    #[error("corrupt zstd data: {0}")]
    Corrupt(String),

    /// The MessagePack does not have the shape of a batch: truncated, wrong types, unknown
    /// tags, wrong array lengths, invalid UTF-8.
    #[error("malformed batch: {0}")]
    Malformed(String),

    #[error("{count} bytes follow the batch")]
    TrailingBytes { count: usize },

    #[error("format_version {found} is not supported (this build reads {supported})")]
    UnsupportedVersion { found: u64, supported: u16 },

    #[error("session_id is not a UUIDv7")]
    SessionIdNotV7,
}

impl DecodeError {
    /// A stable snake_case label. Never change one: dashboards and clients match on them.
    pub const fn reason(&self) -> &'static str {
        match self {
            DecodeError::CompressedTooLarge { .. } => "compressed_too_large",
            DecodeError::DecompressedTooLarge { .. } => "decompressed_too_large",
            DecodeError::WindowTooLarge { .. } => "window_too_large",
            DecodeError::TooManyEvents { .. } => "too_many_events",
            DecodeError::StringTooLong { .. } => "string_too_long",
            DecodeError::TooManyValues { .. } => "too_many_values",
            DecodeError::NestingTooDeep { .. } => "nesting_too_deep",
            DecodeError::TreeTooDeep { .. } => "tree_too_deep",
            DecodeError::NotZstd => "not_zstd",
            DecodeError::Corrupt(_) => "corrupt",
            DecodeError::Malformed(_) => "malformed",
            DecodeError::TrailingBytes { .. } => "trailing_bytes",
            DecodeError::UnsupportedVersion { .. } => "unsupported_version",
            DecodeError::SessionIdNotV7 => "session_id_not_v7",
        }
    }

    /// The batch broke a [`crate::Limits`] limit (HTTP 413), rather than being invalid (400).
    pub const fn is_limit(&self) -> bool {
        matches!(
            self,
            DecodeError::CompressedTooLarge { .. }
                | DecodeError::DecompressedTooLarge { .. }
                | DecodeError::WindowTooLarge { .. }
                | DecodeError::TooManyEvents { .. }
                | DecodeError::StringTooLong { .. }
                | DecodeError::TooManyValues { .. }
                | DecodeError::NestingTooDeep { .. }
                | DecodeError::TreeTooDeep { .. }
        )
    }
}

/// Why a batch could not be encoded. Encoding refuses what decoding would reject for the
/// same reason, so a recorder finds out before sending.
#[derive(Debug, Error)]
pub enum EncodeError {
    #[error("format_version {found} cannot be encoded (this build writes {supported})")]
    UnsupportedVersion { found: u16, supported: u16 },

    #[error("session_id is not a UUIDv7")]
    SessionIdNotV7,

    #[error("MessagePack encoding failed")]
    Msgpack(#[from] rmp_serde::encode::Error),

    #[error("zstd compression failed")]
    Compress(#[source] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_errors_are_exactly_the_limit_variants() {
        let limits = [
            DecodeError::CompressedTooLarge {
                limit: 1,
                actual: 2,
            },
            DecodeError::DecompressedTooLarge { limit: 1 },
            DecodeError::WindowTooLarge { limit: 1 },
            DecodeError::TooManyEvents {
                limit: 1,
                actual: 2,
            },
            DecodeError::StringTooLong {
                limit: 1,
                actual: 2,
            },
            DecodeError::TooManyValues { limit: 1 },
            DecodeError::NestingTooDeep { limit: 1 },
            DecodeError::TreeTooDeep { limit: 1 },
        ];
        let others = [
            DecodeError::NotZstd,
            DecodeError::Corrupt(String::new()),
            DecodeError::Malformed(String::new()),
            DecodeError::TrailingBytes { count: 1 },
            DecodeError::UnsupportedVersion {
                found: 2,
                supported: 1,
            },
            DecodeError::SessionIdNotV7,
        ];
        assert!(limits.iter().all(DecodeError::is_limit));
        assert!(!others.iter().any(DecodeError::is_limit));

        let mut reasons: Vec<_> = limits
            .iter()
            .chain(&others)
            .map(DecodeError::reason)
            .collect();
        assert!(reasons.iter().all(|r| {
            r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }));
        reasons.sort_unstable();
        reasons.dedup();
        assert_eq!(
            reasons.len(),
            limits.len() + others.len(),
            "reasons must be distinct"
        );
    }
}
