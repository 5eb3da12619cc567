-- Each sealed session's data key, wrapped by the master key (decision 0016).
-- Not part of the log: destroying a key (erasure) is the one change to a
-- recording the design allows, and the log records it with a session_erased
-- entry committed in the same transaction. Sessions recorded before sealing
-- have no row and keep their payloads as received.
CREATE TABLE session_keys (
    session_id    UUID PRIMARY KEY,
    wrapped_key   BYTEA,             -- NULL once erased
    created_at_ms BIGINT NOT NULL,
    erased_at_ms  BIGINT
);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        RETURN;
    END IF;
    GRANT SELECT, INSERT, UPDATE ON session_keys TO affidavit_app;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant privileges to affidavit_app (insufficient privilege)';
END;
$$;
