//! Fetching a session and its proof material, in the order that makes the view
//! entry part of what is verified: the events stream first (the server records
//! the view before it sends anything), then the chain, which now ends with it.

use ledger::LogVerifier;
use ledger::sealed::KEY_LEN;
use protocol::Limits;
use protocol::api::{LogKey, SessionAudit, SessionProofs};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::evidence::{LoadedSession, Verification};

/// The events answer's header naming the view entry this load recorded.
const VIEW_ENTRY_HEADER: &str = "x-affidavit-view-entry";
/// The events answer's header carrying the session's data key (decision 0016).
const DATA_KEY_HEADER: &str = "x-affidavit-data-key";

/// Why a session could not be shown at all.
#[derive(Debug)]
pub enum LoadFailure {
    BadId(String),
    Api(ApiError),
    Evidence(String),
}

impl std::fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadFailure::BadId(id) => write!(f, "{id:?} is not a session id"),
            LoadFailure::Api(e) => write!(f, "{e}"),
            LoadFailure::Evidence(e) => write!(f, "the server's answer cannot be used: {e}"),
        }
    }
}

impl From<ApiError> for LoadFailure {
    fn from(e: ApiError) -> Self {
        LoadFailure::Api(e)
    }
}

/// The pinned log key: the one the deployment put into the page, which must be
/// the one this browser saw before (a changed key is a failure, not a detail).
#[derive(Debug, Clone)]
pub struct PinnedKey {
    pub info: LogKey,
    pub verifier: Result<LogVerifier, String>,
}

const PINNED_KEY: &str = "affidavit.pinnedLogKey";

pub fn pinned_key() -> PinnedKey {
    let vkey = crate::ui::el::document()
        .query_selector("meta[name=affidavit-log-key]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_default();
    let parsed =
        LogVerifier::parse(&vkey).map_err(|e| format!("the pinned log key is unusable: {e}"));
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    let remembered = storage
        .as_ref()
        .and_then(|s| s.get_item(PINNED_KEY).ok().flatten());
    let info = LogKey {
        origin: parsed
            .as_ref()
            .map(|k| k.name().to_owned())
            .unwrap_or_default(),
        fingerprint: parsed
            .as_ref()
            .map(|k| k.fingerprint())
            .unwrap_or_else(|_| "unknown".into()),
        vkey: vkey.clone(),
    };
    let verifier = match (parsed, remembered) {
        (Ok(_), Some(seen)) if seen != vkey => Err(format!(
            "the log key changed since this browser last verified with it (was {seen}, now {vkey}); \
             if the deployment rotated its key on purpose, clear this site's data to trust the new one"
        )),
        (Ok(key), _) => {
            if let Some(storage) = &storage {
                let _ = storage.set_item(PINNED_KEY, &vkey);
            }
            Ok(key)
        }
        (Err(e), _) => Err(e),
    };
    PinnedKey { info, verifier }
}

/// Loads the session's chain and payloads (recording a view on the way).
pub async fn session(id: &str) -> Result<LoadedSession, LoadFailure> {
    let session = Uuid::parse_str(id).map_err(|_| LoadFailure::BadId(id.to_owned()))?;
    let (frames, headers) = api::get_bytes(
        &format!("/v1/sessions/{session}/events"),
        &[VIEW_ENTRY_HEADER, DATA_KEY_HEADER],
    )
    .await?;
    let view = headers[0]
        .as_deref()
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| LoadFailure::Evidence(format!("no {VIEW_ENTRY_HEADER} header")))?;
    // Absent for sessions recorded before payloads were sealed at rest.
    let data_key = headers[1]
        .as_deref()
        .map(|hex_key| {
            hex::decode(hex_key)
                .ok()
                .and_then(|k| <[u8; KEY_LEN]>::try_from(k).ok())
                .ok_or_else(|| {
                    LoadFailure::Evidence(format!("{DATA_KEY_HEADER} is not a 32-byte hex key"))
                })
        })
        .transpose()?;
    let mut audit: SessionAudit = api::get_json(&format!("/v1/sessions/{session}/audit")).await?;
    // What was streamed is the recording up to this view; what came since is not
    // part of it (a live session keeps growing).
    LoadedSession::truncate_audit(&mut audit, view);
    // Stored batches were accepted under the server's limits; replay decodes
    // under generous ones (the viewer is not the one defending here).
    let limits = Limits {
        max_compressed_bytes: 64 * 1024 * 1024,
        max_decompressed_bytes: 512 * 1024 * 1024,
        ..Limits::default()
    };
    LoadedSession::assemble(session, audit, &frames, data_key.as_ref(), &limits)
        .map_err(|e| LoadFailure::Evidence(e.to_string()))
}

/// Fetches the latest checkpoint and the session's proofs against it, and
/// verifies everything with the pinned key.
pub async fn verify(loaded: &LoadedSession, key: &PinnedKey) -> Result<Verification, String> {
    let verifier = key.verifier.as_ref().map_err(Clone::clone)?;
    let note = match api::get_text("/v1/checkpoint").await {
        Ok(note) => Some(note),
        Err(e) if e.status == 404 => None,
        Err(e) => return Err(format!("the checkpoint cannot be fetched: {e}")),
    };
    // The size to ask proofs for comes from the checkpoint as signed; an
    // unverifiable one fails verification below, with or without proofs.
    let size = note
        .as_deref()
        .and_then(|n| verifier.verify(n).ok())
        .map(|c| c.size);
    let proofs = match size {
        Some(size) => Some(
            api::get_json::<SessionProofs>(&format!(
                "/v1/sessions/{}/proofs?size={size}",
                loaded.session
            ))
            .await
            .map_err(|e| format!("the inclusion proofs cannot be fetched: {e}"))?,
        ),
        None => None,
    };
    Ok(loaded.verify(verifier, note.as_deref(), proofs.as_ref()))
}
