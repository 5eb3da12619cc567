-- People who use the viewer, and their login sessions. Not part of the log:
-- what they do to recordings is (replay_viewed, evidence_exported entries).

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'support')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms BIGINT NOT NULL
);

-- The cookie carries a random token; only its SHA-256 is stored, so a copy of
-- the database does not log anyone in.
CREATE TABLE login_sessions (
    token_hash    BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    user_name     TEXT NOT NULL REFERENCES users (name),
    csrf_token    TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX login_sessions_expiry_idx ON login_sessions (expires_at_ms);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        RETURN;
    END IF;
    GRANT SELECT, INSERT, UPDATE ON users TO affidavit_app;
    GRANT SELECT, INSERT, DELETE ON login_sessions TO affidavit_app;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant privileges to affidavit_app (insufficient privilege)';
END;
$$;
