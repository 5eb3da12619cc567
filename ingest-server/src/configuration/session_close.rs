//! `[session_close]`: when an idle session's chain is closed.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

/// Shortest idle time accepted: a recorder pauses far longer than this
/// between batches of a live session (its own idle limit is 30 minutes).
pub const MIN_IDLE_MS: u64 = 60_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionCloseSettings {
    /// A session with no batch for this long gets its `session_closed` entry;
    /// a later batch of it answers 409 `session_closed` and the recorder starts
    /// a new session. Keep it well above the recorder's `session_idle_ms`.
    pub close_after_idle_ms: u64,
    /// How often the closer looks for idle sessions.
    pub check_interval_ms: u64,
    /// Sessions closed per pass at most; the rest wait for the next pass.
    pub max_closes_per_pass: u32,
}

impl Default for SessionCloseSettings {
    fn default() -> Self {
        SessionCloseSettings {
            close_after_idle_ms: 24 * 3_600_000,
            check_interval_ms: 300_000,
            max_closes_per_pass: 1_000,
        }
    }
}

pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let c = &settings.session_close;
    if c.close_after_idle_ms < MIN_IDLE_MS {
        return Err(ConfigError::Invalid(format!(
            "session_close.close_after_idle_ms must be at least {MIN_IDLE_MS} (one minute)"
        )));
    }
    if c.check_interval_ms == 0 {
        return Err(ConfigError::Invalid(
            "session_close.check_interval_ms must be at least 1".into(),
        ));
    }
    if c.max_closes_per_pass == 0 {
        return Err(ConfigError::Invalid(
            "session_close.max_closes_per_pass must be at least 1".into(),
        ));
    }
    Ok(())
}
