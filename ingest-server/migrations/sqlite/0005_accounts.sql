-- People who use the viewer, and their login sessions. Not part of the log:
-- what they do to recordings is (replay_viewed, evidence_exported entries).

CREATE TABLE users (
    name          TEXT PRIMARY KEY NOT NULL,
    -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'support')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at_ms INTEGER NOT NULL
) STRICT;

-- The cookie carries a random token; only its SHA-256 is stored, so a copy of
-- the database does not log anyone in.
CREATE TABLE login_sessions (
    token_hash    BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
    user_name     TEXT NOT NULL REFERENCES users (name),
    csrf_token    TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX login_sessions_expiry_idx ON login_sessions (expires_at_ms);
