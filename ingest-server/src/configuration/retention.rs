//! `[retention]`: how the reaper applies projects' retention policies (the
//! policies themselves are per project: `affidavit project set-retention`).

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// How often the reaper looks for expired sessions.
    pub check_interval_ms: u64,
    /// Erasures per pass at most; the rest wait for the next pass, so a policy
    /// newly set on a large project does not hold the write path for long.
    pub max_erasures_per_pass: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            check_interval_ms: 3_600_000,
            max_erasures_per_pass: 1_000,
        }
    }
}

pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let r = &settings.retention;
    if r.check_interval_ms == 0 {
        return Err(ConfigError::Invalid(
            "retention.check_interval_ms must be at least 1".into(),
        ));
    }
    if r.max_erasures_per_pass == 0 {
        return Err(ConfigError::Invalid(
            "retention.max_erasures_per_pass must be at least 1".into(),
        ));
    }
    Ok(())
}
