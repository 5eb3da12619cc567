//! What appending one batch to a session means, decided without touching storage.
//!
//! Both stores read the session head and any batch already stored at the same seq
//! (under the session's row lock), call [`plan_append`], and write exactly what it
//! says. The chain rules therefore live here once.

use bytes::Bytes;
use ledger::{Entry, EntryError, EntryKind, genesis_hash};

use crate::seal::EntrySeal;

use super::types::{AppendBatch, AppendOutcome, ExistingBatch, NewEntry, Receipt, SessionHead};

/// The decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendPlan {
    /// Nothing to write (duplicate, conflict, gap, foreign session).
    Reply(AppendOutcome),
    /// Write these entries (in order) and move the session head.
    Insert {
        entries: Vec<NewEntry>,
        new_head: SessionHead,
        receipt: Receipt,
        /// True when the session row does not exist yet.
        new_session: bool,
    },
}

/// Decides how `req` extends the session whose head is `head` (None: no such
/// session yet). `existing` is the stored batch entry with `req.seq`, if any.
pub fn plan_append(
    origin: &str,
    seal: &EntrySeal,
    head: Option<&SessionHead>,
    existing: Option<&ExistingBatch>,
    req: &AppendBatch,
) -> Result<AppendPlan, AppendPlanError> {
    if let Some(h) = head
        && h.project != req.project
    {
        return Ok(AppendPlan::Reply(AppendOutcome::ForeignSession));
    }
    let next_batch_seq = head.map_or(0, |h| h.next_batch_seq);

    if req.seq < next_batch_seq {
        let existing = existing.ok_or(AppendPlanError::MissingBatch {
            seq: req.seq,
            next: next_batch_seq,
        })?;
        let outcome = if existing.payload_hash == req.payload_hash {
            AppendOutcome::Duplicate(Receipt {
                session: req.session,
                seq: req.seq,
                session_seq: existing.session_seq,
                leaf_hash: existing.leaf_hash,
            })
        } else {
            AppendOutcome::Conflict {
                existing_payload_hash: existing.payload_hash,
            }
        };
        return Ok(AppendPlan::Reply(outcome));
    }
    if req.seq > next_batch_seq {
        return Ok(AppendPlan::Reply(AppendOutcome::Gap {
            expected_seq: next_batch_seq,
        }));
    }

    let mut entries = Vec::with_capacity(2);
    let (mut next_entry_seq, mut prev_hash) = match head {
        Some(h) => (h.next_entry_seq, h.head_hash),
        None => (0, genesis_hash(origin, &req.project, &req.session)),
    };
    if head.is_none() {
        // The chain opens with its own entry so "when did this session start and who
        // started it" is provable even if batch 0 is later disputed.
        let opened = build_entry(
            origin,
            seal,
            req,
            EntryKind::SessionOpened,
            next_entry_seq,
            prev_hash,
            None,
            Bytes::new(),
        )?;
        prev_hash = opened.leaf_hash;
        next_entry_seq += 1;
        entries.push(opened);
    }
    let batch = build_entry(
        origin,
        seal,
        req,
        EntryKind::BatchReceived,
        next_entry_seq,
        prev_hash,
        Some(req.seq),
        req.bytes.clone(),
    )?;
    let receipt = Receipt {
        session: req.session,
        seq: req.seq,
        session_seq: batch.session_seq,
        leaf_hash: batch.leaf_hash,
    };
    let new_head = SessionHead {
        project: req.project.clone(),
        next_entry_seq: batch.session_seq + 1,
        next_batch_seq: req.seq + 1,
        head_hash: batch.leaf_hash,
    };
    entries.push(batch);
    Ok(AppendPlan::Insert {
        entries,
        new_head,
        receipt,
        new_session: head.is_none(),
    })
}

/// The stored state contradicts itself; the store must not write anything.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppendPlanError {
    #[error("session head says batches below {next} exist but batch {seq} is missing")]
    MissingBatch { seq: u64, next: u64 },
    #[error("entry cannot be encoded: {0}")]
    Entry(#[from] EntryError),
}

#[allow(clippy::too_many_arguments)] // every field of an entry, named at the call
fn build_entry(
    origin: &str,
    seal: &EntrySeal,
    req: &AppendBatch,
    kind: EntryKind,
    session_seq: u64,
    prev_hash: ledger::Hash,
    batch_seq: Option<u64>,
    payload: Bytes,
) -> Result<NewEntry, EntryError> {
    let (payload_len, payload_hash) = if batch_seq.is_some() {
        // Hash computed once at the edge from the bytes exactly as received.
        (payload.len() as u64, req.payload_hash)
    } else {
        Entry::payload_fields(&payload)
    };
    let entry = Entry {
        kind,
        origin: origin.to_owned(),
        project: req.project.clone(),
        session: req.session,
        session_seq,
        prev_hash,
        received_at_ms: req.received_at_ms,
        actor: req.actor.clone(),
        payload_len,
        payload_hash,
        batch_seq,
    };
    let entry_bytes = entry.encode()?;
    let leaf_hash = ledger::leaf_hash(&entry_bytes);
    Ok(NewEntry {
        session: req.session,
        project: req.project.clone(),
        session_seq,
        kind,
        batch_seq,
        received_at_ms: req.received_at_ms,
        leaf_hash,
        entry_bytes,
        payload,
        seal: seal.seal(&leaf_hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::chain::ChainVerifier;
    use ledger::sha256;
    use uuid::Uuid;

    const ORIGIN: &str = "affidavit.test/log";

    fn seal() -> EntrySeal {
        EntrySeal::from_signer(
            &ledger::checkpoint::LogSigner::from_seed(ORIGIN, [3; 32]).expect("key"),
        )
    }

    fn req(seq: u64, bytes: &[u8]) -> AppendBatch {
        AppendBatch {
            project: "demo".into(),
            session: Uuid::from_u128(7),
            seq,
            started_at_ms: 1,
            received_at_ms: 1_000 + seq as i64,
            actor: "key:demo".into(),
            event_count: 1,
            payload_hash: sha256(bytes),
            bytes: Bytes::copy_from_slice(bytes),
        }
    }

    fn insert(plan: AppendPlan) -> (Vec<NewEntry>, SessionHead, Receipt) {
        match plan {
            AppendPlan::Insert {
                entries,
                new_head,
                receipt,
                ..
            } => (entries, new_head, receipt),
            other => panic!("expected insert, got {other:?}"),
        }
    }

    #[test]
    fn first_batch_opens_the_session_and_chains_from_genesis() {
        let (entries, head, receipt) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kind, EntryKind::SessionOpened);
        assert_eq!(entries[1].kind, EntryKind::BatchReceived);
        assert_eq!(receipt.session_seq, 1);
        assert_eq!(head.next_batch_seq, 1);
        assert_eq!(head.next_entry_seq, 2);
        assert_eq!(head.head_hash, entries[1].leaf_hash);

        // The ledger's own verifier accepts what we planned.
        let mut chain = ChainVerifier::new(ORIGIN, "demo", Uuid::from_u128(7));
        for e in &entries {
            chain
                .push(&e.entry_bytes, Some(&e.payload))
                .expect("chain verifies");
        }
    }

    #[test]
    fn next_batch_links_to_the_head() {
        let (first, head, _) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        let (second, head2, receipt) =
            insert(plan_append(ORIGIN, &seal(), Some(&head), None, &req(1, b"b")).expect("plans"));
        assert_eq!(second.len(), 1);
        assert_eq!(receipt.session_seq, 2);
        assert_eq!(head2.next_batch_seq, 2);
        let mut chain = ChainVerifier::new(ORIGIN, "demo", Uuid::from_u128(7));
        for e in first.iter().chain(&second) {
            chain
                .push(&e.entry_bytes, Some(&e.payload))
                .expect("chain verifies");
        }
    }

    #[test]
    fn duplicate_conflict_gap_and_foreign_session() {
        let (entries, head, receipt) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        let existing = ExistingBatch {
            session_seq: 1,
            leaf_hash: entries[1].leaf_hash,
            payload_hash: sha256(b"a"),
        };
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&head), Some(&existing), &req(0, b"a"))
                .expect("plans"),
            AppendPlan::Reply(AppendOutcome::Duplicate(receipt))
        );
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&head), Some(&existing), &req(0, b"x"))
                .expect("plans"),
            AppendPlan::Reply(AppendOutcome::Conflict {
                existing_payload_hash: sha256(b"a")
            })
        );
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&head), None, &req(5, b"x")).expect("plans"),
            AppendPlan::Reply(AppendOutcome::Gap { expected_seq: 1 })
        );
        assert_eq!(
            plan_append(ORIGIN, &seal(), None, None, &req(3, b"x")).expect("plans"),
            AppendPlan::Reply(AppendOutcome::Gap { expected_seq: 0 })
        );
        let mut other = req(1, b"b");
        other.project = "other".into();
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&head), None, &other).expect("plans"),
            AppendPlan::Reply(AppendOutcome::ForeignSession)
        );
    }

    #[test]
    fn a_head_without_its_batch_is_an_error_not_a_guess() {
        let (_, head, _) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&head), None, &req(0, b"a")),
            Err(AppendPlanError::MissingBatch { seq: 0, next: 1 })
        );
    }
}
