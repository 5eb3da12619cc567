//! What appending one batch to a session means, decided without touching storage.
//!
//! Both stores read the session head and any batch already stored at the same seq
//! (under the session's row lock), call [`plan_append`], and write exactly what it
//! says. The chain rules therefore live here once.

use bytes::Bytes;
use ledger::{Entry, EntryError, EntryKind, genesis_hash};

use crate::seal::EntrySeal;

use super::types::{
    AppendAccess, AppendBatch, AppendOutcome, ExistingBatch, NewEntry, OpenChain, Receipt,
    SessionHead,
};

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
    if head.is_some_and(|h| h.closed) {
        // Retries of batches it already holds still get their receipts (above).
        return Ok(AppendPlan::Reply(AppendOutcome::Closed));
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
        let (opened, head) = plan_open(
            origin,
            seal,
            &OpenChain {
                project: req.project.clone(),
                session: req.session,
                actor: req.actor.clone(),
                received_at_ms: req.received_at_ms,
            },
        )?;
        prev_hash = head.head_hash;
        next_entry_seq = head.next_entry_seq;
        entries.push(opened);
    }
    let batch = build_entry(origin, seal, content(req), next_entry_seq, prev_hash)?;
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
        closed: false,
    };
    entries.push(batch);
    Ok(AppendPlan::Insert {
        entries,
        new_head,
        receipt,
        new_session: head.is_none(),
    })
}

/// The batch entry's content for `req` (hash computed once at the edge, from
/// the bytes exactly as received).
fn content(req: &AppendBatch) -> EntryContent<'_> {
    EntryContent {
        kind: EntryKind::BatchReceived,
        project: &req.project,
        session: req.session,
        received_at_ms: req.received_at_ms,
        actor: &req.actor,
        batch_seq: Some(req.seq),
        payload: req.bytes.clone(),
        payload_hash: Some(req.payload_hash),
    }
}

/// The stored state contradicts itself; the store must not write anything.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppendPlanError {
    #[error("session head says batches below {next} exist but batch {seq} is missing")]
    MissingBatch { seq: u64, next: u64 },
    #[error("entry cannot be encoded: {0}")]
    Entry(#[from] EntryError),
}

/// Everything of an entry but its chain position, which the plan decides.
struct EntryContent<'a> {
    kind: EntryKind,
    project: &'a str,
    session: uuid::Uuid,
    received_at_ms: i64,
    actor: &'a str,
    batch_seq: Option<u64>,
    payload: Bytes,
    /// Computed once at the edge for batches; hashed here otherwise.
    payload_hash: Option<ledger::Hash>,
}

fn build_entry(
    origin: &str,
    seal: &EntrySeal,
    content: EntryContent<'_>,
    session_seq: u64,
    prev_hash: ledger::Hash,
) -> Result<NewEntry, EntryError> {
    let (payload_len, payload_hash) = match content.payload_hash {
        Some(hash) => (content.payload.len() as u64, hash),
        None => Entry::payload_fields(&content.payload),
    };
    let entry = Entry {
        kind: content.kind,
        origin: origin.to_owned(),
        project: content.project.to_owned(),
        session: content.session,
        session_seq,
        prev_hash,
        received_at_ms: content.received_at_ms,
        actor: content.actor.to_owned(),
        payload_len,
        payload_hash,
        batch_seq: content.batch_seq,
    };
    let entry_bytes = entry.encode()?;
    let leaf_hash = ledger::leaf_hash(&entry_bytes);
    Ok(NewEntry {
        session: content.session,
        project: content.project.to_owned(),
        session_seq,
        kind: content.kind,
        batch_seq: content.batch_seq,
        received_at_ms: content.received_at_ms,
        leaf_hash,
        entry_bytes,
        payload: content.payload,
        seal: seal.seal(&leaf_hash),
    })
}

/// The `session_opened` entry that starts a chain (from its genesis hash), and
/// the head after it.
pub fn plan_open(
    origin: &str,
    seal: &EntrySeal,
    opening: &OpenChain,
) -> Result<(NewEntry, SessionHead), AppendPlanError> {
    let entry = build_entry(
        origin,
        seal,
        EntryContent {
            kind: EntryKind::SessionOpened,
            project: &opening.project,
            session: opening.session,
            received_at_ms: opening.received_at_ms,
            actor: &opening.actor,
            batch_seq: None,
            payload: Bytes::new(),
            payload_hash: None,
        },
        0,
        genesis_hash(origin, &opening.project, &opening.session),
    )?;
    let head = SessionHead {
        project: opening.project.clone(),
        next_entry_seq: 1,
        next_batch_seq: 0,
        head_hash: entry.leaf_hash,
        closed: false,
    };
    Ok((entry, head))
}

/// The entry recording `access` (a view, an export) at the end of the chain
/// whose head is `head`, and the head after it. Batches are not renumbered:
/// an access entry has no batch seq.
pub fn plan_access(
    origin: &str,
    seal: &EntrySeal,
    head: &SessionHead,
    access: &AppendAccess,
) -> Result<(NewEntry, SessionHead), AppendPlanError> {
    let entry = build_entry(
        origin,
        seal,
        EntryContent {
            kind: access.kind,
            project: &head.project,
            session: access.session,
            received_at_ms: access.received_at_ms,
            actor: &access.actor,
            batch_seq: None,
            payload: access.payload.clone(),
            payload_hash: None,
        },
        head.next_entry_seq,
        head.head_hash,
    )?;
    let new_head = SessionHead {
        next_entry_seq: entry.session_seq + 1,
        head_hash: entry.leaf_hash,
        closed: head.closed || access.kind == EntryKind::SessionClosed,
        ..head.clone()
    };
    Ok((entry, new_head))
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
    fn a_closed_chain_takes_no_batch_but_still_answers_retries() {
        let (entries, head, receipt) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        let closed = SessionHead {
            closed: true,
            ..head
        };
        let existing = ExistingBatch {
            session_seq: 1,
            leaf_hash: entries[1].leaf_hash,
            payload_hash: sha256(b"a"),
        };
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&closed), None, &req(1, b"b")).expect("plans"),
            AppendPlan::Reply(AppendOutcome::Closed)
        );
        assert_eq!(
            plan_append(ORIGIN, &seal(), Some(&closed), None, &req(5, b"b")).expect("plans"),
            AppendPlan::Reply(AppendOutcome::Closed),
            "not a gap: nothing can follow"
        );
        assert_eq!(
            plan_append(
                ORIGIN,
                &seal(),
                Some(&closed),
                Some(&existing),
                &req(0, b"a")
            )
            .expect("plans"),
            AppendPlan::Reply(AppendOutcome::Duplicate(receipt))
        );
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
    fn an_access_entry_extends_the_chain_without_taking_a_batch_number() {
        let (first, head, _) =
            insert(plan_append(ORIGIN, &seal(), None, None, &req(0, b"a")).expect("plans"));
        let access = AppendAccess {
            session: Uuid::from_u128(7),
            kind: EntryKind::ReplayViewed,
            actor: "user:alice".into(),
            received_at_ms: 5_000,
            payload: Bytes::from_static(b"{\"action\":\"replay_viewed\"}"),
        };
        let (viewed, after) = plan_access(ORIGIN, &seal(), &head, &access).expect("plans");
        assert_eq!(viewed.session_seq, 2);
        assert_eq!(viewed.batch_seq, None);
        assert_eq!(after.next_entry_seq, 3);
        assert_eq!(after.next_batch_seq, 1, "the next batch is still batch 1");
        // The next batch chains after the view.
        let (next, _, receipt) =
            insert(plan_append(ORIGIN, &seal(), Some(&after), None, &req(1, b"b")).expect("plans"));
        assert_eq!(receipt.session_seq, 3);
        let mut chain = ChainVerifier::new(ORIGIN, "demo", Uuid::from_u128(7));
        for e in first.iter().chain([&viewed]).chain(&next) {
            let entry = chain
                .push(&e.entry_bytes, Some(&e.payload))
                .expect("chain verifies");
            assert_eq!(entry.kind, e.kind);
        }
        assert_eq!(
            Entry::decode(&viewed.entry_bytes).map(|e| e.actor),
            Ok("user:alice".to_owned())
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
