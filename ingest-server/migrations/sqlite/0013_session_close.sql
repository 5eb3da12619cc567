-- A session's chain ends with a session_closed entry once it has been idle for
-- sessions.close_after_idle_ms: no batch may follow it (the bundle's "session
-- close" check). closed_at_ms is set in the transaction that appends the entry.
ALTER TABLE sessions ADD COLUMN closed_at_ms INTEGER;
-- The closer's walk: open sessions, least recently written first.
CREATE INDEX sessions_open_idle_idx ON sessions (last_received_at_ms) WHERE closed_at_ms IS NULL;
