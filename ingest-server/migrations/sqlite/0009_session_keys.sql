-- Each sealed session's data key, wrapped by the master key (decision 0016).
-- Not part of the log: destroying a key (erasure) is the one change to a
-- recording the design allows, and the log records it with a session_erased
-- entry committed in the same transaction. Sessions recorded before sealing
-- have no row and keep their payloads as received.
CREATE TABLE session_keys (
    session_id    BLOB PRIMARY KEY NOT NULL CHECK (length(session_id) = 16),
    wrapped_key   BLOB,              -- NULL once erased
    created_at_ms INTEGER NOT NULL,
    erased_at_ms  INTEGER
) STRICT;
