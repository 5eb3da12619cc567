//! The session search, written once for both stores: every filter is AND-ed and
//! bound as a parameter; sorting is by an indexed column with the session id as a
//! stable tiebreak, and pages continue after the last row (keyset), so a page costs
//! the same however deep into the list it is.

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::index_types::{
    IndexedFacts, IndexedPage, SessionDetail, SessionPage, SessionQuery, SessionSummary, SortOrder,
    SortPosition, UrlFilter,
};
use super::shared_sql::{Bind, SqlDialect, u64_at};
use super::types::StorageError;
use crate::search::url::prefix_upper_bound;

/// See [`crate::storage::Storage::search_sessions`].
pub(crate) async fn search<DB: SqlDialect>(
    pool: &Pool<DB>,
    q: &SessionQuery,
) -> Result<SessionPage, StorageError> {
    let mut tx = DB::begin_read(pool).await?;
    let rows = DB::fetch_all(&mut tx, &mut rows::<DB>(q)).await?;
    let total = DB::fetch_optional(&mut tx, &mut count::<DB>(q)).await?;
    tx.rollback().await?;
    let mut sessions = rows
        .iter()
        .map(summary_row::<DB>)
        .collect::<Result<Vec<_>, _>>()?;
    let total = total
        .map(|row| u64_at::<DB>(&row, "total"))
        .transpose()?
        .unwrap_or(0);
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let more = sessions.len() > limit;
    sessions.truncate(limit);
    let next = match sessions.last() {
        Some(last) if more => last.index.as_ref().map(|facts| SortPosition {
            value: q.sort.value_of(facts),
            session: last.session,
        }),
        _ => None,
    };
    Ok(SessionPage {
        sessions,
        total,
        next,
    })
}

/// See [`crate::storage::Storage::session_summary`].
pub(crate) async fn detail<DB: SqlDialect>(
    pool: &Pool<DB>,
    session: Uuid,
) -> Result<Option<SessionDetail>, StorageError> {
    let mut tx = DB::begin_read(pool).await?;
    let Some(row) = DB::fetch_optional(&mut tx, &mut summary::<DB>(session)).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let pages = DB::fetch_all(&mut tx, &mut pages::<DB>(session)).await?;
    let traits = DB::fetch_all(&mut tx, &mut traits::<DB>(session)).await?;
    let names = DB::fetch_all(&mut tx, &mut event_names::<DB>(session)).await?;
    tx.rollback().await?;
    Ok(Some(SessionDetail {
        summary: summary_row::<DB>(&row)?,
        pages: pages.iter().map(page_row::<DB>).collect::<Result<_, _>>()?,
        traits: traits
            .iter()
            .map(trait_row::<DB>)
            .collect::<Result<_, _>>()?,
        event_names: names
            .iter()
            .map(|row| Ok(DB::text_at(row, "name")?))
            .collect::<Result<_, StorageError>>()?,
    }))
}

/// The columns of a [`SessionSummary`]: the log's view of the session (`s`), how much
/// of it the tree holds, and the index row (`i`, absent until indexed).
const SUMMARY_COLUMNS: &str = "SELECT s.session_id, s.project, s.batch_count, s.next_batch_seq, \
     s.next_entry_seq, \
     (SELECT count(*) FROM tree_leaves t WHERE t.session_id = s.session_id) AS integrated_entries, \
     i.started_at_ms, i.last_event_at_ms, i.duration_ms, i.first_url, i.user_id, i.page_count, \
     i.event_count, i.click_count, i.error_count, i.rage_click_count, i.dead_click_count, \
     i.undecodable_batches, i.indexed_batches ";

/// One page of matching sessions: `limit + 1` rows, the extra one only telling whether
/// another page follows.
fn rows<DB: SqlDialect>(q: &SessionQuery) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(SUMMARY_COLUMNS);
    qb.push("FROM session_index i JOIN sessions s ON s.session_id = i.session_id");
    push_filters(&mut qb, q);
    let column = q.sort.column();
    if let Some(after) = q.after {
        let op = match q.order {
            SortOrder::Asc => ">",
            SortOrder::Desc => "<",
        };
        qb.push(" AND (i.")
            .push(column)
            .push(", i.session_id) ")
            .push(op);
        qb.push(" (");
        DB::bind(&mut qb, Bind::I64(after.value));
        qb.push(", ");
        DB::bind(&mut qb, Bind::Uuid(after.session));
        qb.push(")");
    }
    let dir = match q.order {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    qb.push(" ORDER BY i.").push(column).push(" ").push(dir);
    qb.push(", i.session_id ").push(dir).push(" LIMIT ");
    DB::bind(&mut qb, Bind::I64(i64::from(q.limit) + 1));
    qb
}

/// How many sessions match the filters, on all pages.
fn count<DB: SqlDialect>(q: &SessionQuery) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new("SELECT count(*) AS total FROM session_index i");
    push_filters(&mut qb, q);
    qb
}

fn push_filters<DB: SqlDialect>(qb: &mut QueryBuilder<DB>, q: &SessionQuery) {
    qb.push(" WHERE 1 = 1");
    let compare = |qb: &mut QueryBuilder<DB>, column: &str, op: &str, value: Bind| {
        qb.push(" AND i.").push(column).push(" ").push(op).push(" ");
        DB::bind(qb, value);
    };
    if let Some(from) = q.started_from {
        compare(qb, "started_at_ms", ">=", Bind::I64(from));
    }
    if let Some(to) = q.started_to {
        compare(qb, "started_at_ms", "<", Bind::I64(to));
    }
    if let Some(project) = &q.project {
        compare(qb, "project", "=", Bind::Text(project.clone()));
    }
    if let Some(user) = &q.user_id {
        compare(qb, "user_id", "=", Bind::Text(user.clone()));
    }
    if let Some(min) = q.min_duration_ms {
        compare(qb, "duration_ms", ">=", Bind::I64(min));
    }
    if let Some(max) = q.max_duration_ms {
        compare(qb, "duration_ms", "<=", Bind::I64(max));
    }
    for (column, wanted) in [
        ("error_count", q.has_errors),
        ("rage_click_count", q.has_rage_clicks),
        ("dead_click_count", q.has_dead_clicks),
    ] {
        if let Some(wanted) = wanted {
            // Constants, so the partial indexes on `… > 0` apply.
            qb.push(" AND i.")
                .push(column)
                .push(if wanted { " > 0" } else { " = 0" });
        }
    }
    match &q.url {
        Some(UrlFilter::UrlPrefix(prefix)) => push_prefix(qb, "url", prefix),
        Some(UrlFilter::PathPrefix(prefix)) => push_prefix(qb, "path", prefix),
        None => {}
    }
    for (key, value) in &q.traits {
        qb.push(" AND i.session_id IN (SELECT session_id FROM session_traits WHERE key = ");
        DB::bind(qb, Bind::Text(key.clone()));
        qb.push(" AND value = ");
        DB::bind(qb, Bind::Text(value.clone()));
        qb.push(")");
    }
    if let Some(name) = &q.event_name {
        qb.push(" AND i.session_id IN (SELECT session_id FROM session_event_names WHERE name = ");
        DB::bind(qb, Bind::Text(name.clone()));
        qb.push(")");
    }
}

/// Sessions with a page whose `column` starts with `prefix`, as an index range.
fn push_prefix<DB: SqlDialect>(qb: &mut QueryBuilder<DB>, column: &str, prefix: &str) {
    qb.push(" AND i.session_id IN (SELECT session_id FROM session_pages WHERE ")
        .push(column)
        .push(" >= ");
    DB::bind(qb, Bind::Text(prefix.to_owned()));
    if let Some(upper) = prefix_upper_bound(prefix) {
        qb.push(" AND ").push(column).push(" < ");
        DB::bind(qb, Bind::Text(upper));
    }
    qb.push(")");
}

/// One session, indexed or not.
fn summary<DB: SqlDialect>(session: Uuid) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(SUMMARY_COLUMNS);
    qb.push(
        "FROM sessions s LEFT JOIN session_index i ON i.session_id = s.session_id \
         WHERE s.session_id = ",
    );
    DB::bind(&mut qb, Bind::Uuid(session));
    qb
}

fn summary_row<DB: SqlDialect>(row: &DB::Row) -> Result<SessionSummary, StorageError> {
    let index = match DB::opt_i64_at(row, "indexed_batches")? {
        None => None,
        Some(_) => Some(IndexedFacts {
            started_at_ms: DB::i64_at(row, "started_at_ms")?,
            last_event_at_ms: DB::i64_at(row, "last_event_at_ms")?,
            duration_ms: DB::i64_at(row, "duration_ms")?,
            first_url: DB::opt_text_at(row, "first_url")?,
            user_id: DB::opt_text_at(row, "user_id")?,
            page_count: u64_at::<DB>(row, "page_count")?,
            event_count: u64_at::<DB>(row, "event_count")?,
            click_count: u64_at::<DB>(row, "click_count")?,
            error_count: u64_at::<DB>(row, "error_count")?,
            rage_click_count: u64_at::<DB>(row, "rage_click_count")?,
            dead_click_count: u64_at::<DB>(row, "dead_click_count")?,
            undecodable_batches: u64_at::<DB>(row, "undecodable_batches")?,
            indexed_batches: u64_at::<DB>(row, "indexed_batches")?,
        }),
    };
    Ok(SessionSummary {
        session: DB::uuid_at(row, "session_id")?,
        project: DB::text_at(row, "project")?,
        batch_count: u64_at::<DB>(row, "batch_count")?,
        next_batch_seq: u64_at::<DB>(row, "next_batch_seq")?,
        entries: u64_at::<DB>(row, "next_entry_seq")?,
        integrated_entries: u64_at::<DB>(row, "integrated_entries")?,
        index,
    })
}

/// The session's pages, traits and event names, each sorted.
fn pages<DB: SqlDialect>(session: Uuid) -> QueryBuilder<DB> {
    list("SELECT url, path FROM session_pages", session, "url")
}

fn page_row<DB: SqlDialect>(row: &DB::Row) -> Result<IndexedPage, StorageError> {
    Ok(IndexedPage {
        url: DB::text_at(row, "url")?,
        path: DB::text_at(row, "path")?,
    })
}

fn traits<DB: SqlDialect>(session: Uuid) -> QueryBuilder<DB> {
    list("SELECT key, value FROM session_traits", session, "key")
}

fn trait_row<DB: SqlDialect>(row: &DB::Row) -> Result<(String, String), StorageError> {
    Ok((DB::text_at(row, "key")?, DB::text_at(row, "value")?))
}

fn event_names<DB: SqlDialect>(session: Uuid) -> QueryBuilder<DB> {
    list("SELECT name FROM session_event_names", session, "name")
}

fn list<DB: SqlDialect>(select: &str, session: Uuid, order_by: &str) -> QueryBuilder<DB> {
    let mut qb = QueryBuilder::new(select);
    qb.push(" WHERE session_id = ");
    DB::bind(&mut qb, Bind::Uuid(session));
    qb.push(" ORDER BY ").push(order_by);
    qb
}
