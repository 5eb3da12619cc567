//! `fsck`: recompute everything from the stored bytes and trust nothing else.
//!
//! Payload hashes, entry bytes, every session chain, the tree (leaves, stored
//! nodes, roots) and every checkpoint signature are recomputed from what is in the
//! database and checked against the pinned log key and the checkpoint published
//! outside the database. Stored hashes are only ever compared, never believed.

mod chains;
mod queue;
mod tree;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use ledger::Hash;
use ledger::checkpoint::LogVerifier;
use uuid::Uuid;

use crate::checkpoint_file;
use crate::seal::EntrySeal;
use crate::storage::{Storage, StorageError};

/// One thing that failed, located as precisely as the data allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which check: "payload", "entry", "chain", "session", "queue", "tree", "checkpoint", "published".
    pub check: &'static str,
    pub session: Option<Uuid>,
    pub session_seq: Option<u64>,
    pub log_index: Option<u64>,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.check)?;
        if let Some(s) = self.session {
            write!(f, " session {s}")?;
        }
        if let Some(seq) = self.session_seq {
            write!(f, " entry {seq}")?;
        }
        if let Some(i) = self.log_index {
            write!(f, " log index {i}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What `fsck` looked at and what it found.
#[derive(Debug, Default)]
pub struct Report {
    pub sessions: u64,
    pub entries: u64,
    pub payload_bytes: u64,
    pub tree_size: u64,
    pub pending: u64,
    /// Entries the integrator refused for a bad seal.
    pub rejected: u64,
    /// Whether queued entries' seals were checked (needs the signing key).
    pub seals_checked: bool,
    pub checkpoints: u64,
    pub latest_checkpoint: Option<u64>,
    pub published: Option<u64>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// Findings of one check.
    pub fn failures(&self, check: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.check == check).collect()
    }
}

/// Checks the whole log in `store`. `data_dir` holds the published checkpoint.
pub async fn check(
    store: &dyn Storage,
    verifier: &LogVerifier,
    origin: &str,
    data_dir: &Path,
    seal: Option<&EntrySeal>,
) -> Result<Report, StorageError> {
    let mut report = Report::default();
    let leaves: HashMap<(Uuid, u64), Hash> = chains::check(store, origin, &mut report).await?;
    let published = match checkpoint_file::read(data_dir) {
        Ok(note) => note,
        Err(e) => {
            report.findings.push(finding(
                "published",
                format!("the published checkpoint cannot be read: {e:#}"),
            ));
            None
        }
    };
    let queued = queue::check(store, seal, &leaves, &mut report).await?;
    tree::check(
        store,
        verifier,
        &leaves,
        &queued,
        published.as_deref(),
        &mut report,
    )
    .await?;
    Ok(report)
}

fn finding(check: &'static str, message: String) -> Finding {
    Finding {
        check,
        session: None,
        session_seq: None,
        log_index: None,
        message,
    }
}
