//! `GET /v1/proof/inclusion` and `GET /v1/proof/consistency`: RFC 9162 proofs
//! built from the stored perfect subtrees, so verifiers need only the checkpoint.

use actix_web::{HttpResponse, web};
use ledger::Hash;
use ledger::proof;
use ledger::tree::{NodeId, perfect_subtrees};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;
use crate::stored_tree::{StoredTree, integrity};

#[derive(Debug, Deserialize)]
pub struct InclusionQuery {
    /// Hex leaf hash of the entry (as in an ingest receipt)…
    pub leaf_hash: Option<String>,
    /// …or its log index.
    pub index: Option<u64>,
    /// Tree size to prove against; defaults to the latest checkpoint's.
    pub size: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct InclusionBody {
    pub index: u64,
    pub size: u64,
    pub leaf_hash: String,
    pub root: String,
    pub proof: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    pub first: u64,
    pub second: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct ConsistencyBody {
    pub first: u64,
    pub second: u64,
    pub first_root: String,
    pub second_root: String,
    pub proof: Vec<String>,
}

pub async fn inclusion(
    state: web::Data<AppState>,
    q: web::Query<InclusionQuery>,
) -> Result<HttpResponse, ApiError> {
    let size = resolve_size(&state, q.size).await?;
    let index = match (&q.leaf_hash, q.index) {
        (Some(hex), None) => {
            let leaf = Hash::from_hex(hex)
                .map_err(|e| ApiError::bad_request("bad_leaf_hash", e.to_string()))?;
            state
                .storage(move |s| async move { s.leaf_index_by_hash(&leaf).await })
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "no integrated entry has leaf hash {leaf}; it may still be pending"
                    ))
                })?
        }
        (None, Some(index)) => index,
        _ => {
            return Err(ApiError::bad_request(
                "bad_query",
                "give exactly one of leaf_hash or index",
            ));
        }
    };
    if index >= size {
        return Err(ApiError::NotFound(format!(
            "entry {index} is not in the tree of size {size}"
        )));
    }
    let ids = proof::inclusion_proof_nodes(index, size)
        .map_err(|e| ApiError::bad_request("bad_query", e.to_string()))?;
    let leaf_id = NodeId { level: 0, index };
    let root_ids = perfect_subtrees(0, size);
    let all: Vec<NodeId> = ids
        .iter()
        .chain(&root_ids)
        .copied()
        .chain([leaf_id])
        .collect();
    let nodes = state
        .storage(move |s| async move { s.nodes(&all).await })
        .await?;
    let path =
        proof::inclusion_proof(index, size, |id| nodes.get(&id).copied()).map_err(integrity)?;
    let leaf = *nodes
        .get(&leaf_id)
        .ok_or_else(|| integrity("leaf node missing"))?;
    Ok(HttpResponse::Ok().json(InclusionBody {
        index,
        size,
        leaf_hash: leaf.to_hex(),
        root: root_at(size, &nodes)?.to_hex(),
        proof: path.iter().map(Hash::to_hex).collect(),
    }))
}

pub async fn consistency(
    state: web::Data<AppState>,
    q: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let second = resolve_size(&state, q.second).await?;
    let first = q.first;
    if first > second {
        return Err(ApiError::bad_request(
            "bad_query",
            format!("first ({first}) must not exceed second ({second})"),
        ));
    }
    let tree = StoredTree::load(&state, second, &[], &[first]).await?;
    Ok(HttpResponse::Ok().json(ConsistencyBody {
        first,
        second,
        first_root: tree.root_at(first)?.to_hex(),
        second_root: tree.root_at(second)?.to_hex(),
        proof: tree.consistency(first)?.iter().map(Hash::to_hex).collect(),
    }))
}

/// Proofs are only offered against sizes the log has published a checkpoint for.
pub(crate) async fn resolve_size(state: &AppState, asked: Option<u64>) -> Result<u64, ApiError> {
    let published = state
        .storage(|s| async move { s.latest_checkpoint().await })
        .await?
        .map_or(0, |c| c.size);
    match asked {
        None => Ok(published),
        Some(size) if size <= published => Ok(size),
        Some(size) => Err(ApiError::bad_request(
            "size_not_published",
            format!("size {size} is beyond the latest checkpoint ({published})"),
        )),
    }
}

/// The root of the first `size` leaves from the fetched nodes (ledger's one way to do it).
fn root_at(size: u64, nodes: &std::collections::HashMap<NodeId, Hash>) -> Result<Hash, ApiError> {
    proof::tree_root(size, |id| nodes.get(&id).copied()).map_err(integrity)
}
