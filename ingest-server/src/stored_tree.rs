//! Proofs against one published tree size, from one read of the stored nodes.
//!
//! Every perfect subtree the integrator completed is stored, so any RFC 9162
//! proof is a handful of lookups: collect the node ids all wanted proofs need,
//! fetch them in one query, then let `ledger` assemble each proof.

use std::collections::HashMap;

use ledger::tree::{NodeId, perfect_subtrees};
use ledger::{Hash, proof};

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug)]
pub struct StoredTree {
    size: u64,
    nodes: HashMap<NodeId, Hash>,
}

impl StoredTree {
    /// Fetches what inclusion proofs for `indices` and consistency proofs from
    /// `earlier` sizes need, against the tree of `size`, and its roots.
    pub async fn load(
        state: &AppState,
        size: u64,
        indices: &[u64],
        earlier: &[u64],
    ) -> Result<StoredTree, ApiError> {
        let mut wanted: Vec<NodeId> = perfect_subtrees(0, size);
        for index in indices {
            wanted.extend(proof::inclusion_proof_nodes(*index, size).map_err(integrity)?);
        }
        for first in earlier {
            wanted.extend(proof::consistency_proof_nodes(*first, size).map_err(bad_size)?);
            wanted.extend(perfect_subtrees(0, *first));
        }
        wanted.sort_unstable();
        wanted.dedup();
        let nodes = state
            .storage(move |s| async move { s.nodes(&wanted).await })
            .await?;
        Ok(StoredTree { size, nodes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    fn lookup(&self) -> impl Fn(NodeId) -> Option<Hash> + '_ {
        |id| self.nodes.get(&id).copied()
    }

    /// The root of the first `size` leaves (this tree's size, or an earlier one loaded).
    pub fn root_at(&self, size: u64) -> Result<Hash, ApiError> {
        if size == 0 {
            return Ok(ledger::empty_root());
        }
        proof::tree_root(size, self.lookup()).map_err(integrity)
    }

    pub fn inclusion(&self, index: u64) -> Result<Vec<Hash>, ApiError> {
        proof::inclusion_proof(index, self.size, self.lookup()).map_err(integrity)
    }

    pub fn consistency(&self, first: u64) -> Result<Vec<Hash>, ApiError> {
        proof::consistency_proof(first, self.size, self.lookup()).map_err(integrity)
    }
}

fn bad_size(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("bad_query", e.to_string())
}

pub(crate) fn integrity(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored tree is incomplete: {e}"))
}
