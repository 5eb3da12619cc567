//! Rows of the session index and the search over it (see `crate::search`). The index
//! is a projection of the log, so these types are mutable rows, not evidence.

use uuid::Uuid;

/// A session whose index row needs a step: its stored batches are ahead of the row,
/// or clicks wait to be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexWork {
    pub session: Uuid,
    pub project: String,
    /// The recorder's start as the session row has it, for sessions whose batches
    /// tell nothing (none decoded yet).
    pub started_at_ms: i64,
    pub next_batch_seq: u64,
    pub last_received_at_ms: i64,
    /// The row's `indexed_batches`; `None` when the session has no row yet.
    pub indexed_batches: Option<u64>,
}

/// What the indexer left in a session's row last time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexState {
    pub indexed_batches: u64,
    pub undecodable_batches: u64,
    /// The accumulator (`search::facts::SessionFacts`) as JSON.
    pub state: String,
}

/// The searchable facts of one indexed session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedFacts {
    pub started_at_ms: i64,
    pub last_event_at_ms: i64,
    pub duration_ms: i64,
    pub first_url: Option<String>,
    pub user_id: Option<String>,
    pub page_count: u64,
    pub event_count: u64,
    pub click_count: u64,
    pub error_count: u64,
    pub rage_click_count: u64,
    pub dead_click_count: u64,
    pub undecodable_batches: u64,
    /// The next batch seq to index: batches below it are reflected here.
    pub indexed_batches: u64,
}

/// A page of a session: the URL as recorded and its path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexedPage {
    pub url: String,
    pub path: String,
}

/// One session's index rows, written in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUpdate {
    pub session: Uuid,
    pub project: String,
    /// `indexed_batches` as read before this step (`None`: no row). If the row has
    /// changed since, another indexer got there first and nothing is written.
    pub expected: Option<u64>,
    pub facts: IndexedFacts,
    pub pending_click_count: u64,
    pub last_received_at_ms: i64,
    pub state: String,
    /// Each list replaces the stored one; `None` leaves it as it is.
    pub pages: Option<Vec<IndexedPage>>,
    pub traits: Option<Vec<(String, String)>>,
    pub event_names: Option<Vec<String>>,
}

/// Where a page prefix filter looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlFilter {
    /// Sessions with a page whose URL starts with this.
    UrlPrefix(String),
    /// Sessions with a page whose path starts with this.
    PathPrefix(String),
}

/// What the session list can be sorted by; each has an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    StartedAt,
    Duration,
    Errors,
    Events,
    Clicks,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::StartedAt,
        SortKey::Duration,
        SortKey::Errors,
        SortKey::Events,
        SortKey::Clicks,
    ];

    /// The name in the API (`sort=`).
    pub fn name(self) -> &'static str {
        match self {
            SortKey::StartedAt => "started_at",
            SortKey::Duration => "duration",
            SortKey::Errors => "errors",
            SortKey::Events => "events",
            SortKey::Clicks => "clicks",
        }
    }

    /// The `session_index` column (a constant, never user text).
    pub fn column(self) -> &'static str {
        match self {
            SortKey::StartedAt => "started_at_ms",
            SortKey::Duration => "duration_ms",
            SortKey::Errors => "error_count",
            SortKey::Events => "event_count",
            SortKey::Clicks => "click_count",
        }
    }

    /// This key's value in a row, as the column holds it.
    pub fn value_of(self, facts: &IndexedFacts) -> i64 {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        match self {
            SortKey::StartedAt => facts.started_at_ms,
            SortKey::Duration => facts.duration_ms,
            SortKey::Errors => count(facts.error_count),
            SortKey::Events => count(facts.event_count),
            SortKey::Clicks => count(facts.click_count),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn name(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// The last row of a page: the next page starts strictly after it in sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortPosition {
    pub value: i64,
    pub session: Uuid,
}

/// A validated session search; every filter present must hold (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    /// `started_at_ms >= from`.
    pub started_from: Option<i64>,
    /// `started_at_ms < to`.
    pub started_to: Option<i64>,
    pub project: Option<String>,
    pub url: Option<UrlFilter>,
    pub user_id: Option<String>,
    /// Each (key, value) must be one of the session's traits.
    pub traits: Vec<(String, String)>,
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    pub has_errors: Option<bool>,
    pub has_rage_clicks: Option<bool>,
    pub has_dead_clicks: Option<bool>,
    /// A custom (track) event name the session must have.
    pub event_name: Option<String>,
    pub sort: SortKey,
    pub order: SortOrder,
    /// At most this many rows (already checked against the configured maximum).
    pub limit: u32,
    pub after: Option<SortPosition>,
}

impl SessionQuery {
    /// Everything, newest first.
    pub fn all(limit: u32) -> Self {
        SessionQuery {
            started_from: None,
            started_to: None,
            project: None,
            url: None,
            user_id: None,
            traits: Vec::new(),
            min_duration_ms: None,
            max_duration_ms: None,
            has_errors: None,
            has_rage_clicks: None,
            has_dead_clicks: None,
            event_name: None,
            sort: SortKey::StartedAt,
            order: SortOrder::Desc,
            limit,
            after: None,
        }
    }
}

/// A session as the session list shows it: its log state and, once indexed, its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub session: Uuid,
    pub project: String,
    pub batch_count: u64,
    pub next_batch_seq: u64,
    /// Entries in the session's chain (`sessions.next_entry_seq`).
    pub entries: u64,
    /// Of those, entries in the Merkle tree.
    pub integrated_entries: u64,
    /// `None` until the indexer has reached the session.
    pub index: Option<IndexedFacts>,
}

impl SessionSummary {
    /// Every entry of the session is in the tree, so a signed checkpoint covers it.
    pub fn is_sealed(&self) -> bool {
        self.integrated_entries >= self.entries
    }

    /// The index reflects every stored batch.
    pub fn is_indexed(&self) -> bool {
        self.index
            .as_ref()
            .is_some_and(|f| f.indexed_batches >= self.next_batch_seq)
    }
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPage {
    pub sessions: Vec<SessionSummary>,
    /// Sessions matching the filters, on all pages.
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<SortPosition>,
}

/// A session with its multi-valued facts, for the detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDetail {
    pub summary: SessionSummary,
    pub pages: Vec<IndexedPage>,
    pub traits: Vec<(String, String)>,
    pub event_names: Vec<String>,
}
