//! Tampering with a real log behind the server's back, and `fsck` naming it.
//!
//! Every test arranges its log through the real server (three sessions of four
//! batches, all integrated and checkpointed, the app stopped), then rewrites the
//! database as someone with unrestricted access would — superuser or file owner,
//! the append-only triggers out of the way — and checks that `fsck` fails the
//! right check at the right entry or log index. The untampered log must pass,
//! so every finding is caused by the tampering.

mod cli;
mod entries;
mod forged;
mod order;
mod rewrite;
mod rollback;
mod sql;
mod truncate;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use ingest_server::configuration::Settings;
use ingest_server::fsck::{Finding, Report};
use ingest_server::storage::{Storage, StoredEntry};
use tempfile::TempDir;
use uuid::Uuid;

use crate::api::batches::{self, new_session};
use crate::api::harness::{PROJECT, TestApp, spawn_app};
use crate::support::{Backend, TestDatabase};

pub const SESSIONS: usize = 3;
pub const BATCHES: u64 = 4;
/// Each session holds its session-opened entry, then one entry per batch.
pub const ENTRIES: u64 = SESSIONS as u64 * (1 + BATCHES);

/// A stopped server's log: its settings, an open store and the data directory
/// holding the pinned key and the published checkpoint.
#[derive(Debug)]
pub struct Log {
    pub backend: Backend,
    pub settings: Settings,
    pub store: Arc<dyn Storage>,
    pub data_dir: TempDir,
    pub sessions: Vec<Uuid>,
    pub payload_bytes: u64,
}

impl TestDatabase for Log {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }
}

impl Log {
    /// [`SESSIONS`] sessions of [`BATCHES`] batches, in a tree of [`ENTRIES`]
    /// leaves with a published checkpoint of that size.
    pub async fn arranged(backend: Backend) -> Log {
        let app = spawn_app(backend).await;
        let mut sessions = Vec::new();
        let mut payload_bytes = 0;
        for s in 0..SESSIONS {
            let session = new_session();
            payload_bytes += post_batches(&app, session, 0..BATCHES, 3 + s).await;
            // Stored sealed: each batch carries its AEAD tag.
            payload_bytes += BATCHES * ledger::sealed::SEAL_OVERHEAD as u64;
            sessions.push(session);
        }
        app.wait_for_tree(ENTRIES).await;
        let (settings, store, data_dir) = app.stop().await;
        Log {
            backend,
            settings,
            store,
            data_dir,
            sessions,
            payload_bytes,
        }
    }

    /// `fsck` as `affidavit fsck` runs it: against the key pinned in the data dir.
    pub async fn fsck(&self) -> Report {
        crate::api::fsck(self.store.as_ref(), &self.settings, &self.data_dir).await
    }

    /// Unrestricted access to the database with the append-only triggers off.
    pub async fn tamper(&self) -> sql::Tamper {
        sql::Tamper::unlocked(self.backend, crate::support::raw_db(self).await).await
    }

    /// The stored entry `seq` of `session`, with its payload.
    pub async fn entry(&self, session: Uuid, seq: u64) -> StoredEntry {
        self.store
            .entries_by_session(None, 10_000)
            .await
            .expect("entries")
            .into_iter()
            .find(|e| e.session == session && e.session_seq == seq)
            .unwrap_or_else(|| panic!("no entry {seq} in session {session}"))
    }

    /// The log index of entry `seq` of `session`.
    pub async fn log_index(&self, session: Uuid, seq: u64) -> u64 {
        self.store
            .leaves(0, 10_000)
            .await
            .expect("leaves")
            .into_iter()
            .find(|l| l.session == session && l.session_seq == seq)
            .map(|l| l.log_index)
            .unwrap_or_else(|| panic!("entry {seq} of {session} is not in the tree"))
    }
}

/// Posts batches `seqs` of `session` (each of `events` events, all accepted);
/// returns their payload bytes.
pub async fn post_batches(
    app: &TestApp,
    session: Uuid,
    seqs: std::ops::Range<u64>,
    events: usize,
) -> u64 {
    let mut bytes = 0;
    for seq in seqs {
        let body = batches::encoded(PROJECT, session, seq, events);
        bytes += body.len() as u64;
        let response = app.post_batch(body).await;
        assert_eq!(response.status(), 200, "batch {seq} of {session}");
    }
    bytes
}

/// Where a finding must point; `None` fields must be `None` in the finding too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub session: Option<Uuid>,
    pub seq: Option<u64>,
    pub index: Option<u64>,
}

impl At {
    pub fn entry(session: Uuid, seq: u64) -> At {
        At {
            session: Some(session),
            seq: Some(seq),
            index: None,
        }
    }

    pub fn session(session: Uuid) -> At {
        At {
            session: Some(session),
            seq: None,
            index: None,
        }
    }

    /// A tree leaf that names entry `seq` of `session`.
    pub fn leaf(session: Uuid, seq: u64, index: u64) -> At {
        At {
            index: Some(index),
            ..At::entry(session, seq)
        }
    }

    pub fn index(index: u64) -> At {
        At {
            session: None,
            seq: None,
            index: Some(index),
        }
    }

    /// A finding about the log as a whole (a checkpoint, say).
    pub fn log() -> At {
        At {
            session: None,
            seq: None,
            index: None,
        }
    }
}

/// The finding of `check` at `at` whose message contains `says`; fails the test,
/// listing every finding, if there is none.
pub fn expect_finding<'a>(report: &'a Report, check: &str, at: At, says: &str) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| {
            f.check == check
                && f.session == at.session
                && f.session_seq == at.seq
                && f.log_index == at.index
                && f.message.contains(says)
        })
        .unwrap_or_else(|| {
            panic!(
                "no [{check}] finding at {at:?} saying {says:?}; fsck found:\n{}",
                show(report)
            )
        })
}

/// The checks that failed, sorted and deduplicated.
pub fn failed_checks(report: &Report) -> Vec<&'static str> {
    let mut checks: Vec<_> = report.findings.iter().map(|f| f.check).collect();
    checks.sort_unstable();
    checks.dedup();
    checks
}

/// Every finding, one per line, for assertion messages.
pub fn show(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let _ = writeln!(out, "  {f}");
    }
    if out.is_empty() {
        out.push_str("  (nothing)\n");
    }
    out
}
