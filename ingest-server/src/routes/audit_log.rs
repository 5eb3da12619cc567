//! `GET /v1/audit`: the global audit view — every access entry of every chain
//! (views, exports, refusals, sign-ins, admin actions), newest first, filtered.
//! Admins only: it shows who watched what across all projects.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ledger::{Entry, EntryKind};
use protocol::api::{AccessLogEntry, AccessLogPage, AuditEntry};
use serde::Deserialize;
use uuid::Uuid;

use super::access::refuse_viewer;
use crate::access_log::Chain;
use crate::auth::{Role, Viewer};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{AccessQuery, AccessRow};

/// Entries per page without `?limit=`, and the most a page may ask for.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;
/// With a `user` filter (matched after reading, the actor being inside the
/// entry), at most this many entries are read per request; the cursor goes on.
const MAX_SCAN: usize = 5_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Comma-separated kinds: `replay_viewed,evidence_exported,access_denied,…`.
    pub kind: Option<String>,
    pub project: Option<String>,
    pub session: Option<Uuid>,
    /// Only entries whose actor is `user:NAME`.
    pub user: Option<String>,
    /// Unix ms, inclusive / exclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    if viewer.role != Role::Admin {
        let error = ApiError::Forbidden(format!(
            "the global audit log is for admins; {} is {}",
            viewer.name, viewer.role
        ));
        return Err(refuse_viewer(
            &state,
            &req,
            &viewer,
            Chain::AccessLog,
            "audit_log",
            "role",
            error,
        )
        .await);
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "bad_limit",
            format!("limit must be 1 to {MAX_LIMIT}"),
        ));
    }
    let mut query = AccessQuery {
        kinds: parse_kinds(q.kind.as_deref())?,
        project: q.project.clone(),
        session: q.session,
        since_ms: q.since,
        until_ms: q.until,
        before: q.cursor.as_deref().map(parse_cursor).transpose()?,
        limit,
    };
    let actor = q.user.as_ref().map(|u| format!("user:{u}"));
    let mut entries = Vec::new();
    let mut scanned = 0usize;
    let next_cursor = loop {
        let page_query = query.clone();
        let page = state
            .storage(move |s| async move { s.access_entries(&page_query).await })
            .await?;
        let full = page.len() == query.limit as usize;
        scanned += page.len();
        let last_key = page.last().map(sort_key);
        for row in page {
            let item = to_item(row);
            if actor.as_ref().is_none_or(|a| *a == item.entry.actor) {
                entries.push(item);
                if entries.len() == limit as usize {
                    break;
                }
            }
        }
        if entries.len() == limit as usize {
            break entries.last().map(cursor_of);
        }
        match last_key {
            Some(key) if full && scanned < MAX_SCAN => query.before = Some(key),
            Some(key) if full => break Some(format_cursor(key)),
            _ => break None,
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AccessLogPage {
            entries,
            next_cursor,
        }))
}

fn parse_kinds(raw: Option<&str>) -> Result<Vec<EntryKind>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|name| {
            EntryKind::ALL
                .into_iter()
                .filter(|k| !matches!(k, EntryKind::BatchReceived | EntryKind::SessionOpened))
                .find(|k| k.name() == name)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_kind",
                        format!("{name:?} is not an access entry kind (replay_viewed, evidence_exported, access_denied, admin_action, signed_in, session_closed)"),
                    )
                })
        })
        .collect()
}

fn sort_key(row: &AccessRow) -> (i64, Uuid, u64) {
    (row.received_at_ms, row.session, row.session_seq)
}

fn format_cursor((at, session, seq): (i64, Uuid, u64)) -> String {
    format!("{at}.{session}.{seq}")
}

fn cursor_of(item: &AccessLogEntry) -> String {
    format!(
        "{}.{}.{}",
        item.entry.received_at_ms, item.session_id, item.entry.session_seq
    )
}

fn parse_cursor(raw: &str) -> Result<(i64, Uuid, u64), ApiError> {
    let bad = || {
        ApiError::bad_request(
            "bad_cursor",
            format!("{raw:?} is not a cursor from this endpoint"),
        )
    };
    let mut parts = raw.splitn(3, '.');
    let (Some(at), Some(session), Some(seq)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok((
        at.parse().map_err(|_| bad())?,
        Uuid::parse_str(session).map_err(|_| bad())?,
        seq.parse().map_err(|_| bad())?,
    ))
}

fn to_item(row: AccessRow) -> AccessLogEntry {
    let decoded = Entry::decode(&row.entry_bytes).ok();
    let record = row
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_slice(p).ok());
    AccessLogEntry {
        session_id: row.session.to_string(),
        project: row.project,
        record,
        entry: AuditEntry {
            session_seq: row.session_seq,
            kind: super::replay::kind_name(row.kind_code),
            batch_seq: None,
            received_at_ms: row.received_at_ms,
            actor: decoded.map(|e| e.actor).unwrap_or_default(),
            leaf_hash: hex::encode(&row.leaf_hash),
            log_index: row.log_index,
            entry: STANDARD.encode(&row.entry_bytes),
            payload: row.payload.map(|p| STANDARD.encode(p)),
        },
    }
}
