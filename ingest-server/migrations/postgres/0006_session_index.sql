-- The session index (docs/decisions/0011-session-index-is-a-projection.md): facts
-- about each session that the indexer derives from the stored batches, for
-- searching the session list. Not part of the log: rows are updated and deleted
-- freely, and `affidavit session reindex` rebuilds them all from the log.
--
-- Searched text columns use COLLATE "C": byte order, the order SQLite's BINARY
-- collation uses too, so a URL prefix is one index range in both (search::url).

CREATE TABLE session_index (
    session_id          UUID PRIMARY KEY,
    project             TEXT NOT NULL,
    started_at_ms       BIGINT NOT NULL,      -- earliest event (else the recorder's start)
    last_event_at_ms    BIGINT NOT NULL,
    duration_ms         BIGINT NOT NULL,
    first_url           TEXT,
    user_id             TEXT COLLATE "C",     -- from the latest identify call
    page_count          BIGINT NOT NULL,
    event_count         BIGINT NOT NULL,
    click_count         BIGINT NOT NULL,
    error_count         BIGINT NOT NULL,
    rage_click_count    BIGINT NOT NULL,
    dead_click_count    BIGINT NOT NULL,
    pending_click_count BIGINT NOT NULL,      -- clicks whose dead-click window is still open
    undecodable_batches BIGINT NOT NULL,      -- stored batches that did not decode (skipped)
    indexed_batches     BIGINT NOT NULL,      -- the next batch seq to index
    last_received_at_ms BIGINT NOT NULL,      -- sessions.last_received_at_ms when indexed
    state               TEXT NOT NULL         -- the accumulator (search::facts) as JSON
);
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
    session_id UUID NOT NULL,
    url        TEXT COLLATE "C" NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (session_id, url)
);
-- Prefix search runs as a range on these (search::url).
CREATE INDEX session_pages_url_idx ON session_pages (url, session_id);
CREATE INDEX session_pages_path_idx ON session_pages (path, session_id);

CREATE TABLE session_traits (
    session_id UUID NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (session_id, key)
);
CREATE INDEX session_traits_value_idx ON session_traits (key, value, session_id);

CREATE TABLE session_event_names (
    session_id UUID NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (session_id, name)
);
CREATE INDEX session_event_names_name_idx ON session_event_names (name, session_id);

-- The indexer finds new work among recently received sessions only, in the
-- order it walks them (so a step can stop at its limit without sorting).
CREATE INDEX sessions_last_received_idx ON sessions (last_received_at_ms, session_id);

-- The app role (0003) maintains the index: it is a projection, so unlike the log
-- tables it may update and delete here.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        RETURN;
    END IF;
    GRANT SELECT, INSERT, UPDATE, DELETE
        ON session_index, session_pages, session_traits, session_event_names
        TO affidavit_app;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant privileges on the session index to affidavit_app (insufficient privilege)';
END;
$$;
