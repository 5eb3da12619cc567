//! Pass 3: entries not yet (or never) in the tree — the integration queue and the
//! entries the integrator refused.
//!
//! A queued entry is only signed if it carries the server's seal, so an entry
//! written to the database around the server is refused by the integrator. `fsck`
//! reports both: refused ones always, and queued ones whose seal does not verify
//! when it has the signing key to check with (on the server's own host).

use std::collections::{HashMap, HashSet};

use ledger::Hash;
use uuid::Uuid;

use super::{Finding, Report};
use crate::seal::EntrySeal;
use crate::storage::{Storage, StorageError};

/// Returns the (session, seq) of every queued or refused entry.
pub async fn check(
    store: &dyn Storage,
    seal: Option<&EntrySeal>,
    leaves: &HashMap<(Uuid, u64), Hash>,
    report: &mut Report,
) -> Result<HashSet<(Uuid, u64)>, StorageError> {
    let pending = store.pending_entries().await?;
    let rejected = store.rejected_entries().await?;
    report.pending = pending.len() as u64;
    report.rejected = rejected.len() as u64;
    report.seals_checked = seal.is_some();
    let mut accounted = HashSet::with_capacity(pending.len() + rejected.len());
    for entry in &pending {
        accounted.insert((entry.session, entry.session_seq));
        let at = |message: String| Finding {
            check: "queue",
            session: Some(entry.session),
            session_seq: Some(entry.session_seq),
            log_index: None,
            message,
        };
        match leaves.get(&(entry.session, entry.session_seq)) {
            None => report.findings.push(at(
                "a queued entry that does not exist (or does not decode)".into(),
            )),
            Some(leaf) if *leaf != entry.leaf_hash => report.findings.push(at(
                "the queued leaf hash differs from the hash of the entry".into(),
            )),
            Some(_) => {}
        }
        if let Some(seal) = seal
            && !seal.verify(&entry.leaf_hash, &entry.seal)
        {
            report.findings.push(at(
                "the queued entry carries no valid seal of this server: it was written to the database outside the server, and the integrator will refuse it".into(),
            ));
        }
    }
    for entry in &rejected {
        accounted.insert((entry.session, entry.session_seq));
        report.findings.push(Finding {
            check: "queue",
            session: Some(entry.session),
            session_seq: Some(entry.session_seq),
            log_index: None,
            message: format!(
                "the integrator refused this entry (at {} ms): its seal did not verify, so it was written to the database outside the server",
                entry.rejected_at_ms
            ),
        });
    }
    Ok(accounted)
}
