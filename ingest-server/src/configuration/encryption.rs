//! `[encryption]`: payloads sealed at rest (decision 0016).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncryptionSettings {
    /// The master key that wraps every session's data key (64 hex digits, created
    /// on first start); unset means `DATA_DIR/master.key`. Without it no sealed
    /// recording can be read: back it up, apart from the database.
    pub master_key_file: Option<PathBuf>,
    /// How long a node keeps a session's unwrapped key in memory: the longest
    /// another node's erasure may take to stop this node sealing new batches
    /// for that session.
    pub key_cache_ttl_ms: u64,
}

impl Default for EncryptionSettings {
    fn default() -> Self {
        EncryptionSettings {
            master_key_file: None,
            key_cache_ttl_ms: 30_000,
        }
    }
}

pub(super) fn validate(settings: &Settings) -> Result<(), ConfigError> {
    if settings.encryption.key_cache_ttl_ms == 0 {
        return Err(ConfigError::Invalid(
            "encryption.key_cache_ttl_ms must be at least 1".into(),
        ));
    }
    Ok(())
}
