//! Sessions' data keys (decision 0016): made on a session's first batch, kept
//! wrapped by the master key in `session_keys`, destroyed by erasure.
//!
//! The master key is a file (default `DATA_DIR/master.key`, 0600), like the log
//! signing key. Losing it loses every sealed recording: back it up with the
//! data directory, apart from the database.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use ledger::sealed::{KEY_LEN, unwrap_key, wrap_key};
use uuid::Uuid;

use crate::storage::{Storage, StorageError};

pub const MASTER_KEY_FILE: &str = "master.key";
/// Keys remembered at most; past it the memory starts over.
const CACHE_ENTRIES: usize = 100_000;

/// What a session's payloads are, as far as keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Sealed with this data key.
    Sealed([u8; KEY_LEN]),
    /// Sealed, and the key was destroyed at this time.
    Erased { at_ms: Option<i64> },
    /// Recorded before payloads were sealed: stored as received.
    Unsealed,
}

#[derive(Debug)]
pub struct DataKeys {
    master: [u8; KEY_LEN],
    /// Unwrapped keys of live sessions. Another node's erasure reaches this
    /// cache after at most `ttl`; this node's own erasures evict at once.
    cache: Mutex<HashMap<Uuid, (Instant, [u8; KEY_LEN])>>,
    ttl: Duration,
}

/// Where the master key lives for these settings.
pub fn master_key_path(data_dir: &Path, configured: Option<&Path>) -> PathBuf {
    configured.map_or_else(|| data_dir.join(MASTER_KEY_FILE), Path::to_path_buf)
}

impl DataKeys {
    pub fn new(master: [u8; KEY_LEN], ttl: Duration) -> Self {
        DataKeys {
            master,
            cache: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// Loads the master key, creating it when `create` and it does not exist.
    pub fn load(path: &Path, create: bool, ttl: Duration) -> anyhow::Result<Self> {
        if !path.exists() {
            if !create {
                anyhow::bail!(
                    "the master key {} does not exist (sealed payloads cannot be read without it)",
                    path.display()
                );
            }
            let mut master = [0u8; KEY_LEN];
            getrandom::fill(&mut master).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            crate::keys::write_private(path, format!("{}\n", hex::encode(master)).as_bytes())?;
            tracing::info!(path = %path.display(), "created the master key that wraps sessions' data keys; back it up");
            return Ok(DataKeys::new(master, ttl));
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the master key {}", path.display()))?;
        let master: [u8; KEY_LEN] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .with_context(|| format!("{} is not a master key (64 hex digits)", path.display()))?;
        Ok(DataKeys::new(master, ttl))
    }

    fn cached(&self, session: &Uuid) -> Option<[u8; KEY_LEN]> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .get(session)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, key)| *key)
    }

    fn remember(&self, session: Uuid, key: [u8; KEY_LEN]) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(session, (Instant::now(), key));
    }

    /// Forgets a key this node just destroyed.
    pub fn forget(&self, session: &Uuid) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.remove(session);
    }

    /// The key for batch `seq` of `session` being accepted. A session's first
    /// batch (seq 0) makes its key; a later batch of a session without one
    /// belongs to a session recorded before sealing and stays unsealed, so one
    /// session never mixes the two.
    pub async fn for_ingest(
        &self,
        store: &dyn Storage,
        session: Uuid,
        seq: u64,
        now_ms: i64,
    ) -> Result<KeyState, StorageError> {
        if let Some(key) = self.cached(&session) {
            return Ok(KeyState::Sealed(key));
        }
        match self.for_reading(store, session).await? {
            KeyState::Unsealed if seq == 0 => {
                let mut key = [0u8; KEY_LEN];
                let mut nonce = [0u8; 12];
                getrandom::fill(&mut key)
                    .and_then(|()| getrandom::fill(&mut nonce))
                    .map_err(|e| StorageError::Unavailable(format!("no randomness: {e}")))?;
                let wrapped = wrap_key(&self.master, &session, &key, nonce);
                store.create_session_key(session, &wrapped, now_ms).await?;
                // Another request may have stored its key first: read back the winner.
                self.for_reading(store, session).await
            }
            other => Ok(other),
        }
    }

    /// What `session`'s payloads are, from the stored key row. Never from the
    /// cache: a reader must see an erasure made by another node or the CLI at
    /// once (one indexed read per replay or export is cheap; the cache is for
    /// the per-batch ingest path).
    pub async fn for_reading(
        &self,
        store: &dyn Storage,
        session: Uuid,
    ) -> Result<KeyState, StorageError> {
        let Some(row) = store.session_key(session).await? else {
            return Ok(KeyState::Unsealed);
        };
        let Some(wrapped) = row.wrapped_key else {
            return Ok(KeyState::Erased {
                at_ms: row.erased_at_ms,
            });
        };
        let key = unwrap_key(&self.master, &session, &wrapped).map_err(|e| {
            StorageError::Misconfigured(format!(
                "the data key of session {session} does not open with this master key ({e}); is encryption.master_key_file the key this database was written with?"
            ))
        })?;
        self.remember(session, key);
        Ok(KeyState::Sealed(key))
    }
}
