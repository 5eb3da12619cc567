//! Erasure (decision 0016): a recording is erased by destroying its data key,
//! never by deleting log rows.
//!
//! The `session_erased` entry and the key's destruction commit in one
//! transaction, so the log never says "erased" while the key still exists, nor
//! lacks the entry after it is gone. The sealed payloads stay: every entry
//! commits to them, so the chain, the tree and any bundle still verify, but
//! nothing can open them any more. The same path serves an admin's request
//! (`POST /v1/sessions/{id}/erase`, `affidavit session erase`) and retention.

use ledger::EntryKind;
use protocol::api::AccessRecord;
use uuid::Uuid;

use crate::access_log::{self, AccessEntry, Chain};
use crate::data_keys::{DataKeys, KeyState};
use crate::seal::EntrySeal;
use crate::storage::{AccessReceipt, Storage, StorageError};

/// Longest erasure reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a session was not erased.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("no session {0}")]
    UnknownSession(Uuid),
    #[error(
        "an erasure needs a reason (1-{MAX_REASON_CHARS} characters): the request or policy it carries out"
    )]
    BadReason,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Checks an erasure reason: trimmed, non-empty, at most [`MAX_REASON_CHARS`].
pub fn reason(raw: &str) -> Result<String, EraseError> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(EraseError::BadReason);
    }
    Ok(reason.to_owned())
}

/// Erases `session`: commits its `session_erased` entry (by `actor`, with
/// `record`, whose `reason` says why) and destroys its data key with it.
pub async fn erase(
    store: &dyn Storage,
    origin: &str,
    seal: &EntrySeal,
    keys: &DataKeys,
    session: Uuid,
    actor: String,
    record: AccessRecord,
) -> Result<AccessReceipt, EraseError> {
    if session == access_log::ACCESS_LOG_SESSION {
        return Err(StorageError::NotErasable("the access log is not a recording".into()).into());
    }
    match keys.for_reading(store, session).await? {
        KeyState::Sealed(_) => {}
        KeyState::Erased { at_ms } => {
            return Err(StorageError::NotErasable(format!(
                "session {session} was already erased{}",
                at_ms
                    .map(|ms| format!(" at {ms} (Unix ms)"))
                    .unwrap_or_default()
            ))
            .into());
        }
        KeyState::Unsealed => {
            // No key row: either no such session, or one recorded before sealing.
            if store.session_audit(session).await?.is_none() {
                return Err(EraseError::UnknownSession(session));
            }
            return Err(StorageError::NotErasable(format!(
                "session {session} was recorded before payloads were sealed at rest, so it has no key to destroy"
            ))
            .into());
        }
    }
    let entry = AccessEntry {
        chain: Chain::Session(session),
        kind: EntryKind::SessionErased,
        actor,
        record,
    };
    let receipt = access_log::append(store, origin, seal, &entry).await;
    // Whatever the outcome, this node must not serve a key it may have destroyed.
    keys.forget(&session);
    receipt?.ok_or(EraseError::UnknownSession(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(reason("  ticket 42 ").expect("ok"), "ticket 42");
        assert!(matches!(reason("   "), Err(EraseError::BadReason)));
        assert!(reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(matches!(
            reason(&"x".repeat(MAX_REASON_CHARS + 1)),
            Err(EraseError::BadReason)
        ));
    }
}
