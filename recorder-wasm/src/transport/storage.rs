//! Where a session survives a reload: `sessionStorage` names this tab's session and when it
//! was last active; `localStorage` holds its outbox (and outboxes of tabs that closed with
//! batches unsent).
//!
//! Web storage rather than IndexedDB because it is synchronous: the outbox is written
//! before `seal` returns, so a `pagehide` right after cannot lose it, where an IndexedDB
//! transaction started during unload may never commit. Its quota (about 5 MB per origin)
//! is why `batching.maxQueuedBytes` defaults to 2 MiB. See
//! `docs/decisions/0008-recorder-persistence.md`.

use uuid::{Builder, Uuid};
use web_sys::Window;

use crate::batching::{Outbox, Sealer};

const SESSION_KEY: &str = "affidavit:session";
const OUTBOX_PREFIX: &str = "affidavit:outbox:";
/// When an outbox was last written: one nobody wrote for a while belongs to a tab that is
/// gone, and any page of the origin may send it.
const WRITTEN_PREFIX: &str = "affidavit:outbox-at:";
/// Orphans adopted by one page load at most, so a page never spends its start on a backlog.
const MAX_ORPHANS: usize = 20;

#[derive(Debug)]
pub(super) struct Storage {
    session: Option<web_sys::Storage>,
    local: Option<web_sys::Storage>,
}

impl Storage {
    pub(super) fn new(window: &Window) -> Self {
        // Either may throw (storage disabled, sandboxed frame): then the recorder still
        // works, it just cannot survive a reload.
        Storage {
            session: window.session_storage().ok().flatten(),
            local: window.local_storage().ok().flatten(),
        }
    }

    /// This tab's session, if it was active within `idle_ms` and its outbox is intact.
    pub(super) fn restore(&self, now: f64, idle_ms: f64) -> Option<Outbox> {
        let record = self.session.as_ref()?.get_item(SESSION_KEY).ok()??;
        let (id, last) = record.split_once(' ')?;
        let last: f64 = last.parse().ok()?;
        if now - last > idle_ms {
            return None;
        }
        let text = self.local.as_ref()?.get_item(&outbox_key(id)).ok()??;
        let outbox = Outbox::from_persisted(&text).ok()?;
        (outbox.sealer().session_id().to_string() == id).then_some(outbox)
    }

    /// Persists this tab's outbox; false when storage refused it (full). Then the stale
    /// copy is removed too, and the session is not marked active: a reload must start a
    /// new session rather than continue from an old `next_seq` the server has passed.
    pub(super) fn save(&self, outbox: &Outbox, now: f64) -> bool {
        let saved = self.save_outbox(outbox, now);
        if saved {
            self.touch(outbox.sealer().session_id(), now);
        }
        saved
    }

    /// Writes an outbox without claiming its session for this tab (for adopted orphans).
    /// Without Web Storage at all there is nothing to fail: the recorder just cannot
    /// survive a reload.
    pub(super) fn save_outbox(&self, outbox: &Outbox, now: f64) -> bool {
        let id = outbox.sealer().session_id().to_string();
        let Some(local) = &self.local else {
            return true;
        };
        if local
            .set_item(&outbox_key(&id), &outbox.to_persisted())
            .is_err()
        {
            super::send::warn("could not persist unsent batches (storage full?); recording pauses");
            self.forget_id(&id);
            return false;
        }
        self.mark_written(&id, now);
        true
    }

    /// Says "this outbox is alive" without rewriting it, so a tab that is only retrying
    /// is never taken for a closed one.
    pub(super) fn mark_written(&self, id: &str, now: f64) {
        if let Some(local) = &self.local {
            let _ = local.set_item(&format!("{WRITTEN_PREFIX}{id}"), &(now as i64).to_string());
        }
    }

    /// Outboxes left with batches by tabs that closed (or crashed) before sending them,
    /// oldest first by nothing in particular: each is a separate session, sent in its own
    /// seq order. Unreadable ones are removed: nothing can ever send them.
    /// `after_ms`: a live tab rewrites its outbox at every flush, so this much silence
    /// means it is gone.
    pub(super) fn orphans(&self, own: Uuid, now: f64, after_ms: f64) -> Vec<Outbox> {
        let Some(local) = &self.local else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        for index in 0..local.length().unwrap_or(0) {
            if let Ok(Some(key)) = local.key(index)
                && let Some(id) = key.strip_prefix(OUTBOX_PREFIX)
                && id != own.to_string()
            {
                keys.push(id.to_owned());
            }
        }
        let mut found = Vec::new();
        for id in keys {
            if found.len() >= MAX_ORPHANS {
                break;
            }
            let written = local
                .get_item(&format!("{WRITTEN_PREFIX}{id}"))
                .ok()
                .flatten()
                .and_then(|at| at.parse::<f64>().ok())
                .unwrap_or(0.0);
            if now - written < after_ms {
                continue;
            }
            let text = local
                .get_item(&outbox_key(&id))
                .ok()
                .flatten()
                .unwrap_or_default();
            match Outbox::from_persisted(&text) {
                Ok(outbox) if !outbox.is_empty() => found.push(outbox),
                _ => self.forget_id(&id),
            }
        }
        found
    }

    pub(super) fn touch(&self, id: Uuid, now: f64) {
        if let Some(session) = &self.session {
            let _ = session.set_item(SESSION_KEY, &format!("{id} {}", now as i64));
        }
    }

    pub(super) fn forget(&self, id: Uuid) {
        self.forget_id(&id.to_string());
    }

    fn forget_id(&self, id: &str) {
        if let Some(local) = &self.local {
            let _ = local.remove_item(&outbox_key(id));
            let _ = local.remove_item(&format!("{WRITTEN_PREFIX}{id}"));
        }
    }
}

fn outbox_key(id: &str) -> String {
    format!("{OUTBOX_PREFIX}{id}")
}

/// A sealer for a new session: a UUIDv7 from the clock and the browser's CSPRNG.
pub(super) fn new_sealer(window: &Window, now: f64) -> Sealer {
    let mut random = [0u8; 10];
    let filled = window
        .crypto()
        .ok()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut random).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old browser): Math.random is enough for uniqueness here;
        // the id is not a secret.
        for byte in &mut random {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let millis = now.max(0.0) as u64;
    let id = Builder::from_unix_timestamp_millis(millis, &random).into_uuid();
    Sealer::new("", id, 0, millis as i64)
}
