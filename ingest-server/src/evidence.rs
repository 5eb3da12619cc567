//! Assembling a session's evidence bundle from storage (the format and its
//! checks are `ledger::bundle`'s; this only gathers the bytes).

use std::collections::HashMap;

use ledger::bundle::{Bundle, BundleEntry, ConsistencyEvidence};
use ledger::session::InclusionEvidence;
use uuid::Uuid;

use crate::data_keys::KeyState;
use crate::error::ApiError;
use crate::state::AppState;
use crate::stored_tree::StoredTree;

/// Batches read per storage call.
const PAGE: u32 = 64;

/// What to put in a bundle.
#[derive(Debug, Clone)]
pub struct BundleRequest {
    pub session: Uuid,
    /// The chain up to and including this entry (the export's own).
    pub upto_seq: u64,
    /// Also prove the tree extends this earlier size.
    pub known_size: Option<u64>,
    /// Refuse rather than hold more than this many payload bytes in memory.
    pub max_payload_bytes: u64,
}

/// The session's chain up to `upto_seq` with every payload, proved against the
/// latest checkpoint, which must already include all of it.
pub async fn session_bundle(state: &AppState, req: &BundleRequest) -> Result<Bundle, ApiError> {
    let session = req.session;
    let checkpoint = state
        .storage(|s| async move { s.latest_checkpoint().await })
        .await?
        .ok_or_else(|| internal("the log has no checkpoint yet"))?;
    let size = checkpoint.size;
    if let Some(known) = req.known_size
        && known > size
    {
        return Err(ApiError::bad_request(
            "size_not_published",
            format!("known_size {known} is beyond the latest checkpoint ({size})"),
        ));
    }
    let rows = state
        .storage(move |s| async move { s.session_audit(session).await })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no session {session}")))?;
    let mut batch_payloads = batch_payloads(state, req).await?;
    let keys = state.data_keys.clone();
    // An erased session's bundle keeps its sealed payloads (the hashes are over
    // them) and has no key: it proves the recording existed, not what it showed.
    let data_key = match state
        .storage(move |s| async move { keys.for_reading(s.as_ref(), session).await })
        .await?
    {
        KeyState::Sealed(key) => Some(key),
        KeyState::Erased { .. } | KeyState::Unsealed => None,
    };

    let mut entries = Vec::new();
    let mut total = 0u64;
    for row in rows
        .entries
        .into_iter()
        .take_while(|r| r.session_seq <= req.upto_seq)
    {
        let index = row.log_index.filter(|i| *i < size).ok_or_else(|| {
            internal(&format!(
                "entry {} is not in the checkpoint of size {size}",
                row.session_seq
            ))
        })?;
        let payload = match row.batch_seq {
            Some(_) => batch_payloads.remove(&row.session_seq),
            None => row.payload,
        }
        .ok_or_else(|| internal(&format!("entry {} has no stored payload", row.session_seq)))?;
        total = total.saturating_add(payload.len() as u64);
        entries.push((row.session_seq, row.entry_bytes, payload, index));
    }
    if total > req.max_payload_bytes {
        return Err(too_large(total, req.max_payload_bytes));
    }
    let indices: Vec<u64> = entries.iter().map(|e| e.3).collect();
    let earlier: Vec<u64> = req.known_size.into_iter().collect();
    let tree = StoredTree::load(state, size, &indices, &earlier).await?;
    Ok(Bundle {
        origin: state.settings.log_origin.clone(),
        project: rows.project,
        session,
        checkpoint_note: checkpoint.note,
        entries: entries
            .into_iter()
            .map(|(session_seq, entry_bytes, payload, index)| {
                Ok(BundleEntry {
                    session_seq,
                    entry_bytes,
                    payload,
                    inclusion: Some(InclusionEvidence {
                        index,
                        proof: tree.inclusion(index)?,
                    }),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        consistency: earlier
            .iter()
            .map(|first| {
                Ok(ConsistencyEvidence {
                    from_size: *first,
                    from_root: tree.root_at(*first)?,
                    proof: tree.consistency(*first)?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        data_key,
    })
}

/// Batch payloads by entry seq, up to the bundle's last entry; stops reading as
/// soon as the size limit is passed.
async fn batch_payloads(
    state: &AppState,
    req: &BundleRequest,
) -> Result<HashMap<u64, Vec<u8>>, ApiError> {
    let session = req.session;
    let mut out = HashMap::new();
    let mut total = 0u64;
    let mut from = 0u64;
    loop {
        let page = state
            .storage(move |s| async move { s.session_batches(session, from, PAGE).await })
            .await?;
        let full = page.len() == PAGE as usize;
        for entry in page {
            if entry.session_seq > req.upto_seq {
                return Ok(out);
            }
            let payload = entry.payload.ok_or_else(|| {
                internal(&format!(
                    "batch entry {} has no stored payload",
                    entry.session_seq
                ))
            })?;
            total = total.saturating_add(payload.len() as u64);
            if total > req.max_payload_bytes {
                return Err(too_large(total, req.max_payload_bytes));
            }
            from = entry.batch_seq.map_or(from, |b| b + 1);
            out.insert(entry.session_seq, payload);
        }
        if !full {
            return Ok(out);
        }
    }
}

fn too_large(total: u64, max: u64) -> ApiError {
    ApiError::TooLarge {
        code: "bundle_too_large",
        message: format!(
            "the session's payloads exceed export.max_payload_bytes ({max} bytes; at least {total} here)"
        ),
    }
}

fn internal(what: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("building a bundle: {what}"))
}
