//! `GET /v1/sessions` (search the session index) and `GET /v1/sessions/{id}`.
//!
//! Rows come from the session index, a projection that trails ingest by up to a few
//! indexer intervals; each row says whether its index is caught up (`indexed`) and
//! whether the tree holds all of its entries (`verification`).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Viewer;
use crate::error::ApiError;
use crate::search::{cursor, params};
use crate::state::AppState;
use crate::storage::{IndexedPage, SessionDetail, SessionSummary};

/// One session of the list.
#[derive(Debug, Serialize)]
pub struct SessionRow {
    pub session_id: Uuid,
    pub project: String,
    // The index's facts: null for a session the indexer has not reached yet.
    pub started_at_ms: Option<i64>,
    pub last_event_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub first_url: Option<String>,
    pub page_count: Option<u64>,
    pub user_id: Option<String>,
    pub event_count: Option<u64>,
    pub click_count: Option<u64>,
    pub error_count: Option<u64>,
    pub rage_click_count: Option<u64>,
    pub dead_click_count: Option<u64>,
    /// Stored batches the index skipped because they did not decode.
    pub undecodable_batches: Option<u64>,
    // The log's view of the session.
    pub batch_count: u64,
    pub entries: u64,
    pub integrated_entries: u64,
    /// `sealed` once every entry is in the Merkle tree, else `pending`.
    pub verification: &'static str,
    /// The index reflects every stored batch.
    pub indexed: bool,
}

#[derive(Debug, Serialize)]
pub struct ListBody {
    pub sessions: Vec<SessionRow>,
    /// Matching sessions on all pages.
    pub total: u64,
    /// Pass as `cursor` (with the same filters, sort and order) for the next page;
    /// null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DetailBody {
    #[serde(flatten)]
    pub row: SessionRow,
    pub pages: Vec<PageBody>,
    pub traits: BTreeMap<String, String>,
    pub event_names: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PageBody {
    pub url: String,
    pub path: String,
}

pub async fn list(
    state: web::Data<AppState>,
    _viewer: Viewer,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let q = params::parse(
        &query,
        &state.settings.search,
        state.settings.indexer.max_value_bytes,
    )
    .map_err(|e| ApiError::bad_request("bad_query", e.to_string()))?;
    let (sort, order) = (q.sort, q.order);
    let page = state
        .storage(move |s| async move { s.search_sessions(&q).await })
        .await?;
    Ok(HttpResponse::Ok().json(ListBody {
        sessions: page.sessions.iter().map(row).collect(),
        total: page.total,
        next_cursor: page.next.map(|at| cursor::encode(sort, order, at)),
    }))
}

pub async fn detail(
    state: web::Data<AppState>,
    _viewer: Viewer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = Uuid::parse_str(&id).map_err(|_| {
        ApiError::bad_request(
            "bad_session_id",
            format!("{:?} is not a session id (a UUID)", id.as_str()),
        )
    })?;
    let found = state
        .storage(move |s| async move { s.session_summary(session).await })
        .await?;
    let SessionDetail {
        summary,
        pages,
        traits,
        event_names,
    } = found.ok_or_else(|| ApiError::NotFound(format!("no session {session}")))?;
    Ok(HttpResponse::Ok().json(DetailBody {
        row: row(&summary),
        pages: pages
            .into_iter()
            .map(|IndexedPage { url, path }| PageBody { url, path })
            .collect(),
        traits: traits.into_iter().collect(),
        event_names,
    }))
}

fn row(s: &SessionSummary) -> SessionRow {
    let f = s.index.as_ref();
    SessionRow {
        session_id: s.session,
        project: s.project.clone(),
        started_at_ms: f.map(|f| f.started_at_ms),
        last_event_at_ms: f.map(|f| f.last_event_at_ms),
        duration_ms: f.map(|f| f.duration_ms),
        first_url: f.and_then(|f| f.first_url.clone()),
        page_count: f.map(|f| f.page_count),
        user_id: f.and_then(|f| f.user_id.clone()),
        event_count: f.map(|f| f.event_count),
        click_count: f.map(|f| f.click_count),
        error_count: f.map(|f| f.error_count),
        rage_click_count: f.map(|f| f.rage_click_count),
        dead_click_count: f.map(|f| f.dead_click_count),
        undecodable_batches: f.map(|f| f.undecodable_batches),
        batch_count: s.batch_count,
        entries: s.entries,
        integrated_entries: s.integrated_entries,
        verification: if s.is_sealed() { "sealed" } else { "pending" },
        indexed: s.is_indexed(),
    }
}
