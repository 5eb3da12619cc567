//! One group commit planned in memory, shared by both stores.
//!
//! A store loads the heads of the group's sessions (locked), feeds the requests
//! through [`GroupPlanner`] in order and then writes the resulting [`GroupWrite`]
//! with a few multi-row statements. Planning the whole group before writing keeps
//! the hot path at a constant number of round trips per group rather than several
//! per batch. Because nothing is written until the end, a request that repeats a
//! batch planned earlier in the same group is answered from memory here, and only
//! batches committed by earlier groups are looked up in the database.

use std::collections::HashMap;

use ledger::{Entry, Hash};
use uuid::Uuid;

use super::append_plan::{AppendPlan, plan_append, plan_open};
use super::convert::to_hash;
use super::types::{
    AppendBatch, AppendOutcome, ExistingBatch, NewEntry, OpenChain, SessionHead, StorageError,
};
use crate::seal::EntrySeal;

/// A rejected batch with different bytes under an existing (session, seq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConflictRow {
    pub session: Uuid,
    pub seq: u64,
    pub payload_hash: Hash,
    pub received_at_ms: i64,
    pub actor: String,
}

/// The final state of one session row touched by the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionWrite {
    pub session: Uuid,
    /// True when the row did not exist when the group started: insert, not update.
    pub is_new: bool,
    pub head: SessionHead,
    pub started_at_ms: i64,
    pub last_received_at_ms: i64,
    /// Added to the stored counters (the stored values are the base for updates).
    pub added_batches: u64,
    pub added_bytes: u64,
}

/// Everything one group writes, in the order the requests produced it.
#[derive(Debug, Default)]
pub(crate) struct GroupWrite {
    pub sessions: Vec<SessionWrite>,
    pub entries: Vec<NewEntry>,
    pub conflicts: Vec<ConflictRow>,
    pub outcomes: Vec<AppendOutcome>,
}

/// What opening an empty chain writes: its session row and `session_opened` entry.
pub(crate) fn open_chain_write(
    origin: &str,
    seal: &EntrySeal,
    opening: &OpenChain,
) -> Result<GroupWrite, StorageError> {
    let (entry, head) = plan_open(origin, seal, opening)
        .map_err(|e| StorageError::Integrity(format!("session {}: {e}", opening.session)))?;
    Ok(GroupWrite {
        sessions: vec![SessionWrite {
            session: opening.session,
            is_new: true,
            head,
            started_at_ms: opening.received_at_ms,
            last_received_at_ms: opening.received_at_ms,
            added_batches: 0,
            added_bytes: 0,
        }],
        entries: vec![entry],
        ..GroupWrite::default()
    })
}

/// Applies `plan_append` to each request of a group against heads kept in memory.
#[derive(Debug)]
pub(crate) struct GroupPlanner<'a> {
    origin: &'a str,
    seal: &'a EntrySeal,
    heads: HashMap<Uuid, SessionHead>,
    touched: HashMap<Uuid, SessionWrite>,
    /// Batches planned by this group, so a repeat inside the group is a duplicate.
    planned: HashMap<(Uuid, u64), ExistingBatch>,
    out: GroupWrite,
}

impl<'a> GroupPlanner<'a> {
    /// `heads` holds the stored (and locked) head of every session of the group that exists.
    pub(crate) fn new(
        origin: &'a str,
        seal: &'a EntrySeal,
        heads: HashMap<Uuid, SessionHead>,
    ) -> Self {
        GroupPlanner {
            origin,
            seal,
            heads,
            touched: HashMap::new(),
            planned: HashMap::new(),
            out: GroupWrite::default(),
        }
    }

    /// The stored batch the store must load before [`Self::apply`] can decide `req`:
    /// `Some(seq)` when the head says batch `seq` exists and this group did not plan it.
    pub(crate) fn needs_stored_batch(&self, req: &AppendBatch) -> Option<u64> {
        let head = self.heads.get(&req.session)?;
        let below_head = req.seq < head.next_batch_seq && head.project == req.project;
        (below_head && !self.planned.contains_key(&(req.session, req.seq))).then_some(req.seq)
    }

    /// Decides `req` (with the stored batch asked for by `needs_stored_batch`, if any).
    pub(crate) fn apply(
        &mut self,
        req: &AppendBatch,
        stored: Option<ExistingBatch>,
    ) -> Result<(), StorageError> {
        let head = self.heads.get(&req.session);
        let existing = stored.or_else(|| self.planned.get(&(req.session, req.seq)).cloned());
        let plan = plan_append(self.origin, self.seal, head, existing.as_ref(), req)
            .map_err(|e| StorageError::Integrity(format!("session {}: {e}", req.session)))?;
        match plan {
            AppendPlan::Reply(outcome) => {
                if let AppendOutcome::Conflict { .. } = outcome {
                    self.out.conflicts.push(ConflictRow {
                        session: req.session,
                        seq: req.seq,
                        payload_hash: req.payload_hash,
                        received_at_ms: req.received_at_ms,
                        actor: req.actor.clone(),
                    });
                }
                self.out.outcomes.push(outcome);
            }
            AppendPlan::Insert {
                entries,
                new_head,
                receipt,
                new_session,
            } => {
                let added_bytes = req.bytes.len() as u64;
                let write = self
                    .touched
                    .entry(req.session)
                    .or_insert_with(|| SessionWrite {
                        session: req.session,
                        is_new: new_session,
                        head: new_head.clone(),
                        started_at_ms: req.started_at_ms,
                        last_received_at_ms: req.received_at_ms,
                        added_batches: 0,
                        added_bytes: 0,
                    });
                write.head = new_head.clone();
                write.last_received_at_ms = req.received_at_ms;
                write.added_batches += 1;
                write.added_bytes += added_bytes;
                self.planned.insert(
                    (req.session, req.seq),
                    ExistingBatch {
                        session_seq: receipt.session_seq,
                        leaf_hash: receipt.leaf_hash,
                        payload_hash: req.payload_hash,
                    },
                );
                self.heads.insert(req.session, new_head);
                self.out.entries.extend(entries);
                self.out.outcomes.push(AppendOutcome::Appended(receipt));
            }
        }
        Ok(())
    }

    /// The rows to write.
    pub(crate) fn finish(mut self) -> GroupWrite {
        let mut sessions: Vec<SessionWrite> = self.touched.into_values().collect();
        // Sorted so concurrent groups touch session rows in one global order.
        sessions.sort_by_key(|s| s.session);
        self.out.sessions = sessions;
        self.out
    }
}

/// The stored batch entry as `plan_append` needs it. The payload hash is read from
/// the entry bytes themselves, because those are what the leaf hash commits to.
pub(crate) fn existing_batch(
    session_seq: u64,
    leaf_hash: &[u8],
    entry_bytes: &[u8],
) -> Result<ExistingBatch, StorageError> {
    let entry = Entry::decode(entry_bytes).map_err(|e| {
        StorageError::Integrity(format!("stored entry {session_seq} does not decode: {e}"))
    })?;
    Ok(ExistingBatch {
        session_seq,
        leaf_hash: to_hash("leaf_hash", leaf_hash)?,
        payload_hash: entry.payload_hash,
    })
}

/// The distinct sessions of a group, sorted: the order in which stores lock them,
/// so two groups naming the same sessions never wait on each other in a cycle.
pub(crate) fn sessions_of(group: &[AppendBatch]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = group.iter().map(|r| r.session).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
