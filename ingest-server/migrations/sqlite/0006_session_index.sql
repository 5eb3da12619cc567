-- The session index (docs/decisions/0011-session-index-is-a-projection.md): facts
-- about each session that the indexer derives from the stored batches, for
-- searching the session list. Not part of the log: rows are updated and deleted
-- freely, and `affidavit session reindex` rebuilds them all from the log.

CREATE TABLE session_index (
    session_id          BLOB PRIMARY KEY NOT NULL CHECK (length(session_id) = 16),
    project             TEXT NOT NULL,
    started_at_ms       INTEGER NOT NULL,     -- earliest event (else the recorder's start)
    last_event_at_ms    INTEGER NOT NULL,
    duration_ms         INTEGER NOT NULL,
    first_url           TEXT,
    user_id             TEXT,                 -- from the latest identify call
    page_count          INTEGER NOT NULL,
    event_count         INTEGER NOT NULL,
    click_count         INTEGER NOT NULL,
    error_count         INTEGER NOT NULL,
    rage_click_count    INTEGER NOT NULL,
    dead_click_count    INTEGER NOT NULL,
    pending_click_count INTEGER NOT NULL,     -- clicks whose dead-click window is still open
    undecodable_batches INTEGER NOT NULL,     -- stored batches that did not decode (skipped)
    indexed_batches     INTEGER NOT NULL,     -- the next batch seq to index
    last_received_at_ms INTEGER NOT NULL,     -- sessions.last_received_at_ms when indexed
    state               TEXT NOT NULL         -- the accumulator (search::facts) as JSON
) STRICT;
-- One per sort key, each ending in the id that breaks ties (and pages by keyset).
CREATE INDEX session_index_started_idx ON session_index (started_at_ms, session_id);
CREATE INDEX session_index_project_started_idx ON session_index (project, started_at_ms, session_id);
CREATE INDEX session_index_duration_idx ON session_index (duration_ms, session_id);
CREATE INDEX session_index_errors_idx ON session_index (error_count, session_id);
CREATE INDEX session_index_events_idx ON session_index (event_count, session_id);
CREATE INDEX session_index_clicks_idx ON session_index (click_count, session_id);
CREATE INDEX session_index_user_idx ON session_index (user_id);
-- "Sessions with rage (dead) clicks, newest first" reads only the sessions that have them.
CREATE INDEX session_index_rage_idx ON session_index (started_at_ms, session_id) WHERE rage_click_count > 0;
CREATE INDEX session_index_dead_idx ON session_index (started_at_ms, session_id) WHERE dead_click_count > 0;
-- The indexer's search for idle sessions whose pending clicks can now be judged.
CREATE INDEX session_index_pending_idx ON session_index (last_received_at_ms, session_id) WHERE pending_click_count > 0;

CREATE TABLE session_pages (
    session_id BLOB NOT NULL,
    url        TEXT NOT NULL,
    path       TEXT NOT NULL,
    PRIMARY KEY (session_id, url)
) STRICT, WITHOUT ROWID;
-- Prefix search runs as a range on these (search::url).
CREATE INDEX session_pages_url_idx ON session_pages (url, session_id);
CREATE INDEX session_pages_path_idx ON session_pages (path, session_id);

CREATE TABLE session_traits (
    session_id BLOB NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (session_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX session_traits_value_idx ON session_traits (key, value, session_id);

CREATE TABLE session_event_names (
    session_id BLOB NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (session_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX session_event_names_name_idx ON session_event_names (name, session_id);

-- The indexer finds new work among recently received sessions only, in the
-- order it walks them (so a step can stop at its limit without sorting).
CREATE INDEX sessions_last_received_idx ON sessions (last_received_at_ms, session_id);
