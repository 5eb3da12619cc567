//! The indexer's statements, written once for both stores: finding work, reading a
//! session's state, and writing its rows. Values are always bound, never spliced.

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::convert::to_i64;
use super::index_types::{IndexState, IndexUpdate, IndexWork};
use super::shared_sql::{Bind, SqlDialect, opt_u64_at, u64_at};
use super::types::StorageError;
use crate::access_log::ACCESS_LOG_PROJECT;

/// The tables of the index, children first (the order a rebuild deletes them in).
pub(crate) const INDEX_TABLES: [&str; 4] = [
    "session_pages",
    "session_traits",
    "session_event_names",
    "session_index",
];

/// See [`crate::storage::Storage::index_work`].
pub(crate) async fn read_work<DB: SqlDialect>(
    pool: &Pool<DB>,
    since_ms: i64,
    limit: u32,
) -> Result<Vec<IndexWork>, StorageError> {
    let mut conn = pool.acquire().await?;
    let rows = DB::fetch_all(&mut conn, &mut work::<DB>(since_ms, limit)).await?;
    rows.iter().map(work_row::<DB>).collect()
}

/// See [`crate::storage::Storage::settle_work`].
pub(crate) async fn read_settle_work<DB: SqlDialect>(
    pool: &Pool<DB>,
    idle_before_ms: i64,
    limit: u32,
) -> Result<Vec<IndexWork>, StorageError> {
    let mut conn = pool.acquire().await?;
    let rows = DB::fetch_all(&mut conn, &mut settle_work::<DB>(idle_before_ms, limit)).await?;
    rows.iter().map(work_row::<DB>).collect()
}

/// See [`crate::storage::Storage::index_state`].
pub(crate) async fn read_state<DB: SqlDialect>(
    pool: &Pool<DB>,
    session: Uuid,
) -> Result<Option<IndexState>, StorageError> {
    let mut conn = pool.acquire().await?;
    DB::fetch_optional(&mut conn, &mut state::<DB>(session))
        .await?
        .map(|row| state_row::<DB>(&row))
        .transpose()
}

const WORK_COLUMNS: &str = "SELECT s.session_id, s.project, s.started_at_ms, s.next_batch_seq, \
     s.last_received_at_ms, i.indexed_batches ";

/// Sessions received since `since_ms` whose stored batches are ahead of their index
/// row (or that have none), least recently received first. The range on
/// `sessions.last_received_at_ms` is an index scan; the join is a primary-key probe.
fn work<DB: SqlDialect>(since_ms: i64, limit: u32) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(WORK_COLUMNS);
    qb.push(
        "FROM sessions s LEFT JOIN session_index i ON i.session_id = s.session_id \
         WHERE s.last_received_at_ms >= ",
    );
    DB::bind(&mut qb, Bind::I64(since_ms));
    // The access log is a chain, not a recording: never a search result.
    qb.push(" AND s.project <> ");
    DB::bind(&mut qb, Bind::Text(ACCESS_LOG_PROJECT.into()));
    qb.push(
        " AND (i.indexed_batches IS NULL OR i.indexed_batches < s.next_batch_seq) \
         ORDER BY s.last_received_at_ms, s.session_id LIMIT ",
    );
    DB::bind(&mut qb, Bind::I64(i64::from(limit)));
    qb
}

/// Indexed sessions with clicks still waiting for a reaction that have received
/// nothing since `idle_before_ms`: their clicks can be judged. Driven by the partial
/// index on pending clicks.
fn settle_work<DB: SqlDialect>(idle_before_ms: i64, limit: u32) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(WORK_COLUMNS);
    qb.push(
        "FROM session_index i JOIN sessions s ON s.session_id = i.session_id \
         WHERE i.pending_click_count > 0 AND i.last_received_at_ms < ",
    );
    DB::bind(&mut qb, Bind::I64(idle_before_ms));
    qb.push(" AND s.last_received_at_ms < ");
    DB::bind(&mut qb, Bind::I64(idle_before_ms));
    qb.push(" ORDER BY i.last_received_at_ms, i.session_id LIMIT ");
    DB::bind(&mut qb, Bind::I64(i64::from(limit)));
    qb
}

fn work_row<DB: SqlDialect>(row: &DB::Row) -> Result<IndexWork, StorageError> {
    Ok(IndexWork {
        session: DB::uuid_at(row, "session_id")?,
        project: DB::text_at(row, "project")?,
        started_at_ms: DB::i64_at(row, "started_at_ms")?,
        next_batch_seq: u64_at::<DB>(row, "next_batch_seq")?,
        last_received_at_ms: DB::i64_at(row, "last_received_at_ms")?,
        indexed_batches: opt_u64_at::<DB>(row, "indexed_batches")?,
    })
}

fn state<DB: SqlDialect>(session: Uuid) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(
        "SELECT indexed_batches, undecodable_batches, state FROM session_index WHERE session_id = ",
    );
    DB::bind(&mut qb, Bind::Uuid(session));
    qb
}

fn state_row<DB: SqlDialect>(row: &DB::Row) -> Result<IndexState, StorageError> {
    Ok(IndexState {
        indexed_batches: u64_at::<DB>(row, "indexed_batches")?,
        undecodable_batches: u64_at::<DB>(row, "undecodable_batches")?,
        state: DB::text_at(row, "state")?,
    })
}

/// The `session_index` row as (column, value) pairs.
fn row_values(u: &IndexUpdate) -> Result<Vec<(&'static str, Bind)>, StorageError> {
    let f = &u.facts;
    let count = |what: &str, n: u64| Ok::<_, StorageError>(Bind::I64(to_i64(what, n)?));
    Ok(vec![
        ("project", Bind::Text(u.project.clone())),
        ("started_at_ms", Bind::I64(f.started_at_ms)),
        ("last_event_at_ms", Bind::I64(f.last_event_at_ms)),
        ("duration_ms", Bind::I64(f.duration_ms)),
        ("first_url", Bind::OptText(f.first_url.clone())),
        ("user_id", Bind::OptText(f.user_id.clone())),
        ("page_count", count("page count", f.page_count)?),
        ("event_count", count("event count", f.event_count)?),
        ("click_count", count("click count", f.click_count)?),
        ("error_count", count("error count", f.error_count)?),
        (
            "rage_click_count",
            count("rage clicks", f.rage_click_count)?,
        ),
        (
            "dead_click_count",
            count("dead clicks", f.dead_click_count)?,
        ),
        (
            "pending_click_count",
            count("pending clicks", u.pending_click_count)?,
        ),
        (
            "undecodable_batches",
            count("undecodable batches", f.undecodable_batches)?,
        ),
        (
            "indexed_batches",
            count("indexed batches", f.indexed_batches)?,
        ),
        ("last_received_at_ms", Bind::I64(u.last_received_at_ms)),
        ("state", Bind::Text(u.state.clone())),
    ])
}

/// Inserts or updates the session's row, only if it is still as the indexer read it.
/// Returns the session id when it wrote, no row when another indexer got there first.
pub(crate) fn write_row<DB: SqlDialect>(u: &IndexUpdate) -> Result<QueryBuilder<DB>, StorageError> {
    let values = row_values(u)?;
    let mut qb = QueryBuilder::new("");
    match u.expected {
        None => {
            qb.push("INSERT INTO session_index (session_id");
            for (column, _) in &values {
                qb.push(", ").push(column);
            }
            qb.push(") VALUES (");
            DB::bind(&mut qb, Bind::Uuid(u.session));
            for (_, value) in values {
                qb.push(", ");
                DB::bind(&mut qb, value);
            }
            qb.push(") ON CONFLICT (session_id) DO NOTHING RETURNING session_id");
        }
        Some(expected) => {
            qb.push("UPDATE session_index SET ");
            for (i, (column, value)) in values.into_iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                qb.push(column).push(" = ");
                DB::bind(&mut qb, value);
            }
            qb.push(" WHERE session_id = ");
            DB::bind(&mut qb, Bind::Uuid(u.session));
            qb.push(" AND indexed_batches = ");
            DB::bind(&mut qb, Bind::I64(to_i64("indexed batches", expected)?));
            qb.push(" RETURNING session_id");
        }
    }
    Ok(qb)
}

/// The statements that replace the session's multi-valued rows that changed.
pub(crate) fn write_lists<DB: SqlDialect>(u: &IndexUpdate) -> Vec<QueryBuilder<DB>> {
    let mut out = Vec::new();
    if let Some(pages) = &u.pages {
        let rows = pages
            .iter()
            .map(|p| vec![Bind::Text(p.url.clone()), Bind::Text(p.path.clone())])
            .collect();
        replace(
            &mut out,
            u.session,
            "session_pages (session_id, url, path)",
            rows,
        );
    }
    if let Some(traits) = &u.traits {
        let rows = traits
            .iter()
            .map(|(k, v)| vec![Bind::Text(k.clone()), Bind::Text(v.clone())])
            .collect();
        replace(
            &mut out,
            u.session,
            "session_traits (session_id, key, value)",
            rows,
        );
    }
    if let Some(names) = &u.event_names {
        let rows = names.iter().map(|n| vec![Bind::Text(n.clone())]).collect();
        replace(
            &mut out,
            u.session,
            "session_event_names (session_id, name)",
            rows,
        );
    }
    out
}

/// DELETE the session's rows of `target`'s table, then INSERT `rows` in one statement
/// (their count is bounded by the `indexer.max_*_per_session` settings).
fn replace<DB: SqlDialect>(
    out: &mut Vec<QueryBuilder<DB>>,
    session: Uuid,
    target: &str,
    rows: Vec<Vec<Bind>>,
) {
    let table = target.split_whitespace().next().unwrap_or(target);
    let mut delete = QueryBuilder::new("DELETE FROM ");
    delete.push(table).push(" WHERE session_id = ");
    DB::bind(&mut delete, Bind::Uuid(session));
    out.push(delete);
    if rows.is_empty() {
        return;
    }
    let mut insert = QueryBuilder::new("INSERT INTO ");
    insert.push(target).push(" VALUES ");
    for (i, row) in rows.into_iter().enumerate() {
        insert.push(if i == 0 { "(" } else { ", (" });
        DB::bind(&mut insert, Bind::Uuid(session));
        for value in row {
            insert.push(", ");
            DB::bind(&mut insert, value);
        }
        insert.push(")");
    }
    out.push(insert);
}
