//! Does the database still extend the checkpoint we last published?
//!
//! The check behind rollback detection, shared by `serve` (refuses to start) and
//! `fsck` (reports): the published note must verify under the log key and the
//! database's latest checkpoint must be consistent with it (RFC 9162 proof built
//! from the stored nodes, so tampered nodes fail too).

use ledger::checkpoint::{Checkpoint, LogVerifier};
use ledger::proof;
use ledger::tree::{NodeId, perfect_subtrees};

use crate::storage::Storage;

#[derive(Debug, thiserror::Error)]
pub enum PublishedError {
    #[error("the saved checkpoint does not verify under the log key: {0}")]
    BadNote(String),
    #[error(
        "the database was rolled back or truncated: it holds a tree of size {database}, but a checkpoint of size {published} was already published"
    )]
    RolledBack { published: u64, database: u64 },
    #[error(
        "the database's tree (size {database}) is not consistent with the published checkpoint (size {published}): {reason}"
    )]
    Inconsistent {
        published: u64,
        database: u64,
        reason: String,
    },
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
}

/// Checks the database against `note`; returns the published and database sizes.
pub async fn check(
    store: &dyn Storage,
    verifier: &LogVerifier,
    note: &str,
) -> Result<(u64, u64), PublishedError> {
    let published: Checkpoint = verifier
        .verify(note)
        .map_err(|e| PublishedError::BadNote(e.to_string()))?;
    let latest = store.latest_checkpoint().await?;
    let (database, database_root) = match &latest {
        Some(c) => (c.size, c.root),
        None => (0, ledger::empty_root()),
    };
    if database < published.size {
        return Err(PublishedError::RolledBack {
            published: published.size,
            database,
        });
    }
    let inconsistent = |reason: String| PublishedError::Inconsistent {
        published: published.size,
        database,
        reason,
    };
    if published.size == 0 {
        return Ok((0, database));
    }
    let ids = proof::consistency_proof_nodes(published.size, database)
        .map_err(|e| inconsistent(e.to_string()))?;
    let root_ids = perfect_subtrees(0, database);
    let all: Vec<NodeId> = ids.iter().chain(&root_ids).copied().collect();
    let nodes = store.nodes(&all).await?;
    let stored_root = proof::tree_root(database, |id| nodes.get(&id).copied())
        .map_err(|e| inconsistent(format!("tree nodes are missing: {e}")))?;
    if stored_root != database_root {
        return Err(inconsistent(format!(
            "stored nodes give root {stored_root}, the latest checkpoint says {database_root}"
        )));
    }
    let path = proof::consistency_proof(published.size, database, |id| nodes.get(&id).copied())
        .map_err(|e| inconsistent(e.to_string()))?;
    proof::verify_consistency(
        published.size,
        database,
        &path,
        &published.root,
        &database_root,
    )
    .map_err(|e| inconsistent(e.to_string()))?;
    Ok((published.size, database))
}
