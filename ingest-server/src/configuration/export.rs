//! `[export]`: evidence bundles.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportSettings {
    /// A bundle is built in memory: sessions whose payloads exceed this many
    /// bytes answer 413 `bundle_too_large`.
    pub max_payload_bytes: u64,
    /// How long an export waits for the integrator to sign a checkpoint that
    /// includes its own entry; past it the answer is 503 `not_yet_signed`.
    pub integration_wait_ms: u64,
}

impl Default for ExportSettings {
    fn default() -> Self {
        ExportSettings {
            max_payload_bytes: 256 * 1024 * 1024,
            integration_wait_ms: 15_000,
        }
    }
}

pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let export = &settings.export;
    if export.max_payload_bytes == 0 || export.integration_wait_ms == 0 {
        return Err(ConfigError::Invalid(
            "export.max_payload_bytes and export.integration_wait_ms must be at least 1".into(),
        ));
    }
    Ok(())
}
