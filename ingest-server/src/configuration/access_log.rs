//! `[access_log]`: how many refusals are recorded one by one.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

/// Every refused request is an entry in the log, up to these budgets; past
/// them a refusal is only counted, and the count goes into the next refusal
/// recorded, so a flood of bad requests cannot become a flood of writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessLogSettings {
    /// Refusals recorded per minute, over all clients.
    pub max_denials_per_minute: u32,
    /// Refusals recorded per minute from one client network (IPv4 address, IPv6 /64).
    pub max_denials_per_client_per_minute: u32,
}

impl Default for AccessLogSettings {
    fn default() -> Self {
        AccessLogSettings {
            max_denials_per_minute: 600,
            max_denials_per_client_per_minute: 30,
        }
    }
}

pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let log = &settings.access_log;
    if log.max_denials_per_minute == 0 || log.max_denials_per_client_per_minute == 0 {
        return Err(ConfigError::Invalid(
            "access_log.max_denials_per_minute and max_denials_per_client_per_minute must be at least 1 (every refusal type is then still counted)".into(),
        ));
    }
    Ok(())
}
