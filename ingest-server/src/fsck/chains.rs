//! Pass 1: every entry, payload and session chain, in (session, seq) order.

use std::collections::{HashMap, HashSet};

use ledger::chain::{ChainError, ChainVerifier};
use ledger::{Entry, Hash};
use uuid::Uuid;

use super::{Finding, Report};
use crate::storage::{SessionRow, Storage, StorageError, StoredEntry};

const PAGE: u32 = 1000;

/// Returns the recomputed leaf hash of every entry whose bytes decode.
pub async fn check(
    store: &dyn Storage,
    origin: &str,
    report: &mut Report,
) -> Result<HashMap<(Uuid, u64), Hash>, StorageError> {
    let heads: HashMap<Uuid, SessionRow> = store
        .sessions()
        .await?
        .into_iter()
        .map(|s| (s.session, s))
        .collect();
    let mut leaves = HashMap::new();
    let mut current: Option<SessionCheck> = None;
    let mut seen_sessions = HashSet::new();
    let mut after = None;
    loop {
        let page = store.entries_by_session(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.session, last.session_seq));
        for row in page {
            if current.as_ref().is_none_or(|c| c.session != row.session) {
                if let Some(done) = current.take() {
                    let head = heads.get(&done.session);
                    done.finish(head, report);
                }
                seen_sessions.insert(row.session);
                current = Some(SessionCheck::new(origin, &row));
            }
            report.entries += 1;
            report.payload_bytes += row.payload.as_ref().map_or(0, |p| p.len() as u64);
            if let Some(c) = current.as_mut()
                && let Some(leaf) = c.push(&row, report)
            {
                leaves.insert((row.session, row.session_seq), leaf);
            }
        }
    }
    if let Some(done) = current.take() {
        let head = heads.get(&done.session);
        done.finish(head, report);
    }
    report.sessions = seen_sessions.len() as u64;
    for head in heads
        .values()
        .filter(|h| !seen_sessions.contains(&h.session))
    {
        report.findings.push(at(
            "session",
            head.session,
            None,
            "the session exists but has no entries".into(),
        ));
    }
    Ok(leaves)
}

struct SessionCheck {
    session: Uuid,
    chain: ChainVerifier,
    broken: bool,
}

impl SessionCheck {
    fn new(origin: &str, first: &StoredEntry) -> Self {
        SessionCheck {
            session: first.session,
            chain: ChainVerifier::new(origin, &first.project, first.session),
            broken: false,
        }
    }

    /// Checks one row; returns its recomputed leaf hash when the bytes decode.
    fn push(&mut self, row: &StoredEntry, report: &mut Report) -> Option<Hash> {
        let leaf = ledger::leaf_hash(&row.entry_bytes);
        let Ok(entry) = Entry::decode(&row.entry_bytes) else {
            report.findings.push(at(
                "entry",
                row.session,
                Some(row.session_seq),
                "the entry bytes do not decode".into(),
            ));
            self.broken = true;
            return None;
        };
        check_columns(row, &entry, &leaf, report);
        if row.payload.is_none() {
            report.findings.push(at(
                "payload",
                row.session,
                Some(row.session_seq),
                "the payload is missing".into(),
            ));
        }
        if !self.broken
            && let Err(e) = self.chain.push(&row.entry_bytes, row.payload.as_deref())
        {
            let (check, seq, message) = match e {
                ChainError::PayloadMismatch { .. } | ChainError::PayloadLength { .. } => {
                    ("payload", row.session_seq, e.to_string())
                }
                // Name the position the chain expected, not the row found there:
                // after a deletion that is the missing entry, after a swap the
                // entry that is out of place.
                ChainError::SeqGap { expected, found } => (
                    "chain",
                    expected,
                    format!(
                        "the chain expects entry {expected} here but finds entry {found}: entries are missing or out of order"
                    ),
                ),
                _ => ("chain", row.session_seq, e.to_string()),
            };
            report
                .findings
                .push(at(check, row.session, Some(seq), message));
            // Later entries of a broken chain cannot be judged against it.
            self.broken = true;
        }
        Some(leaf)
    }

    fn finish(self, head: Option<&SessionRow>, report: &mut Report) {
        let Some(head) = head else {
            report.findings.push(at(
                "session",
                self.session,
                None,
                "entries exist but the session row is missing".into(),
            ));
            return;
        };
        if self.broken {
            return;
        }
        if head.head.head_hash != self.chain.head() || head.head.next_entry_seq != self.chain.len()
        {
            report.findings.push(at(
                "session",
                self.session,
                None,
                format!(
                    "the session head (next entry {}, head {}) does not match its chain (length {}, head {})",
                    head.head.next_entry_seq,
                    head.head.head_hash,
                    self.chain.len(),
                    self.chain.head()
                ),
            ));
        }
    }
}

/// The indexed columns are copies of fields inside the entry bytes; a query that
/// trusts a column must not be fooled by an edit to it.
fn check_columns(row: &StoredEntry, entry: &Entry, leaf: &Hash, report: &mut Report) {
    let mut wrong = Vec::new();
    if row.leaf_hash != leaf.0 {
        wrong.push("leaf_hash");
    }
    if row.session_seq != entry.session_seq {
        wrong.push("session_seq");
    }
    if row.kind_code != i64::from(entry.kind as u8) {
        wrong.push("kind");
    }
    if row.batch_seq != entry.batch_seq {
        wrong.push("batch_seq");
    }
    if row.received_at_ms != entry.received_at_ms {
        wrong.push("received_at_ms");
    }
    if row.project != entry.project || row.session != entry.session {
        wrong.push("project/session");
    }
    if !wrong.is_empty() {
        report.findings.push(at(
            "entry",
            row.session,
            Some(row.session_seq),
            format!(
                "stored columns disagree with the entry bytes: {}",
                wrong.join(", ")
            ),
        ));
    }
}

fn at(check: &'static str, session: Uuid, seq: Option<u64>, message: String) -> Finding {
    Finding {
        check,
        session: Some(session),
        session_seq: seq,
        log_index: None,
        message,
    }
}
