//! The options a page passes to `start(options)` (or the loader builds from `data-*`
//! attributes), with private defaults. Every limit the recorder enforces is one of these
//! fields; [`Options::validate`] refuses values that would make it misbehave.

use serde::Deserialize;

/// Everything the recorder can be told. Field names are camelCase in JavaScript.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// The project's public write key.
    pub key: String,
    /// Base URL of the Affidavit server (`https://host`); `/v1/ingest` is appended.
    pub endpoint: String,
    pub privacy: PrivacyOptions,
    pub batching: BatchOptions,
    pub capture: CaptureOptions,
    pub guard: GuardOptions,
}

/// What is masked or left out before anything is serialized.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PrivacyOptions {
    /// Mask the value of every form field (default). Sensitive fields are masked whatever
    /// this says.
    pub mask_all_inputs: bool,
    /// Mask every text node on the page.
    pub mask_all_text: bool,
    /// Masks keep the length of what they hide (one `*` per character). Off by default:
    /// a length says a lot about a password.
    pub mask_preserves_length: bool,
    /// Mask email addresses, Luhn-valid card numbers and IBAN-like strings in text.
    pub mask_pii: bool,
    /// CSS selector: text below a match is masked (as `data-affidavit-mask`).
    pub mask_selector: Option<String>,
    /// CSS selector: a match becomes a same-sized placeholder (as `data-affidavit-block`).
    pub block_selector: Option<String>,
    /// CSS selector: input on a match is not recorded (as `data-affidavit-ignore`).
    pub ignore_selector: Option<String>,
}

impl Default for PrivacyOptions {
    fn default() -> Self {
        PrivacyOptions {
            mask_all_inputs: true,
            mask_all_text: false,
            mask_preserves_length: false,
            mask_pii: true,
            mask_selector: None,
            block_selector: None,
            ignore_selector: None,
        }
    }
}

/// When events leave the page, and how big a batch may be.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BatchOptions {
    /// Flush at least this often while events are waiting (milliseconds).
    pub flush_interval_ms: u32,
    /// Flush as soon as this many bytes (estimated, before compression) are waiting.
    pub flush_bytes: usize,
    /// The largest compressed batch sent (the server's default limit is 1 MiB).
    pub max_batch_bytes: usize,
    /// The largest uncompressed batch sent (the server's default limit is 16 MiB).
    pub max_batch_uncompressed_bytes: usize,
    /// The most events in one batch (the server's default limit is 50,000).
    pub max_batch_events: usize,
    /// zstd level used to compress batches, 1 to 4: higher levels save 1-9% more bytes
    /// for several times the main-thread time, and their code is left out of the bundle.
    pub compression_level: i32,
    /// Bytes of unsent batches kept (in memory and persisted across reloads). When the
    /// queue is full, recording pauses rather than dropping anything already recorded.
    pub max_queued_bytes: usize,
    /// First retry delay after a failure (milliseconds); doubles per attempt, with jitter.
    pub retry_base_ms: u32,
    /// Longest delay between retries (milliseconds).
    pub retry_max_ms: u32,
    /// Unsent batches left by a tab nobody has written for this long (milliseconds) are
    /// adopted and sent by the next page of the origin. A live tab that is offline for
    /// longer may see its batches sent twice, which the server answers idempotently.
    pub orphan_after_ms: u32,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            flush_interval_ms: 5_000,
            flush_bytes: 256 * 1024,
            max_batch_bytes: 512 * 1024,
            max_batch_uncompressed_bytes: 8 * 1024 * 1024,
            max_batch_events: 10_000,
            compression_level: 3,
            max_queued_bytes: 2 * 1024 * 1024,
            retry_base_ms: 1_000,
            retry_max_ms: 60_000,
            orphan_after_ms: 60_000,
        }
    }
}

/// What is recorded besides the DOM.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CaptureOptions {
    /// Sample pointer positions at most this often (milliseconds); 0 turns movement off.
    pub mouse_move_interval_ms: u32,
    /// Record at most one scroll position per element this often (milliseconds).
    pub scroll_interval_ms: u32,
    /// Record `console.*` calls (off by default: logs often hold data).
    pub console: bool,
    /// Take a new full snapshot (a keyframe) after this many minutes…
    pub keyframe_interval_ms: u32,
    /// …or after this many events, whichever comes first; 0 turns either off.
    pub keyframe_events: u32,
    /// Session ends after this long without activity; the next page load starts a new one.
    pub session_idle_ms: u32,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            mouse_move_interval_ms: 50,
            scroll_interval_ms: 100,
            console: false,
            keyframe_interval_ms: 5 * 60_000,
            keyframe_events: 20_000,
            session_idle_ms: 30 * 60_000,
        }
    }
}

/// Protection for the page against pathological pages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GuardOptions {
    /// Mutations recorded per node per second; more are dropped until the next second
    /// (the node's latest state still arrives with the next change or keyframe).
    pub max_mutations_per_node_per_s: u32,
    /// Mutation records per second across the page that trip the circuit breaker.
    pub max_mutations_per_s: u32,
    /// How long recording stays paused after the breaker trips (milliseconds); it resumes
    /// with a fresh full snapshot.
    pub breaker_cooldown_ms: u32,
}

impl Default for GuardOptions {
    fn default() -> Self {
        GuardOptions {
            max_mutations_per_node_per_s: 100,
            max_mutations_per_s: 10_000,
            breaker_cooldown_ms: 10_000,
        }
    }
}

/// A value the recorder refuses to start with, naming the option.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid Affidavit option `{option}`: {reason}")]
pub struct OptionError {
    pub option: &'static str,
    pub reason: String,
}

fn invalid(option: &'static str, reason: impl Into<String>) -> OptionError {
    OptionError {
        option,
        reason: reason.into(),
    }
}

impl Options {
    pub fn validate(&self) -> Result<(), OptionError> {
        if self.key.trim().is_empty() {
            return Err(invalid("key", "the project's write key is required"));
        }
        if !(self.endpoint.starts_with("https://") || self.endpoint.starts_with("http://")) {
            return Err(invalid("endpoint", "must be an http(s) URL"));
        }
        let b = &self.batching;
        if b.flush_interval_ms < 100 {
            return Err(invalid("batching.flushIntervalMs", "must be at least 100"));
        }
        if b.max_batch_bytes < 4 * 1024 {
            return Err(invalid("batching.maxBatchBytes", "must be at least 4096"));
        }
        if b.max_batch_uncompressed_bytes < b.max_batch_bytes {
            return Err(invalid(
                "batching.maxBatchUncompressedBytes",
                "must be at least maxBatchBytes",
            ));
        }
        if b.flush_bytes == 0 || b.flush_bytes > b.max_batch_uncompressed_bytes {
            return Err(invalid(
                "batching.flushBytes",
                "must be between 1 and maxBatchUncompressedBytes",
            ));
        }
        if b.max_batch_events == 0 {
            return Err(invalid("batching.maxBatchEvents", "must be at least 1"));
        }
        if !(1..=4).contains(&b.compression_level) {
            return Err(invalid("batching.compressionLevel", "must be 1 to 4"));
        }
        if b.max_queued_bytes < b.max_batch_bytes {
            return Err(invalid(
                "batching.maxQueuedBytes",
                "must be at least maxBatchBytes",
            ));
        }
        if b.retry_base_ms == 0 || b.retry_max_ms < b.retry_base_ms {
            return Err(invalid(
                "batching.retryMaxMs",
                "retryBaseMs must be positive and retryMaxMs at least retryBaseMs",
            ));
        }
        if b.orphan_after_ms == 0 {
            return Err(invalid("batching.orphanAfterMs", "must be positive"));
        }
        if self.guard.max_mutations_per_node_per_s == 0 || self.guard.max_mutations_per_s == 0 {
            return Err(invalid("guard", "mutation limits must be positive"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Options {
        Options {
            key: "pk_demo".into(),
            endpoint: "https://affidavit.example".into(),
            ..Options::default()
        }
    }

    #[test]
    fn defaults_are_private_and_valid_once_key_and_endpoint_are_set() {
        let options = valid();
        assert_eq!(options.validate(), Ok(()));
        assert!(options.privacy.mask_all_inputs);
        assert!(options.privacy.mask_pii);
        assert!(!options.privacy.mask_preserves_length);
        assert!(!options.capture.console);
    }

    #[test]
    fn each_bad_value_names_its_option() {
        let cases: Vec<(Options, &str)> = vec![
            (
                Options {
                    key: " ".into(),
                    ..valid()
                },
                "key",
            ),
            (
                Options {
                    endpoint: "ftp://x".into(),
                    ..valid()
                },
                "endpoint",
            ),
            (
                Options {
                    batching: BatchOptions {
                        flush_interval_ms: 5,
                        ..BatchOptions::default()
                    },
                    ..valid()
                },
                "batching.flushIntervalMs",
            ),
            (
                Options {
                    batching: BatchOptions {
                        compression_level: 5,
                        ..BatchOptions::default()
                    },
                    ..valid()
                },
                "batching.compressionLevel",
            ),
            (
                Options {
                    batching: BatchOptions {
                        max_queued_bytes: 10,
                        ..BatchOptions::default()
                    },
                    ..valid()
                },
                "batching.maxQueuedBytes",
            ),
        ];
        for (options, option) in cases {
            assert_eq!(options.validate().map_err(|e| e.option), Err(option));
        }
    }
}
