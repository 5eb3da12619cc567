-- Affidavit storage schema (SQLite). Same tables and columns as the Postgres
-- schema so tamper tests and fsck read both alike. u64 values are stored as
-- INTEGER (i64) and converted with checks in Rust; session ids are 16-byte BLOBs.
-- STRICT tables refuse values of the wrong type instead of silently storing them.

CREATE TABLE projects (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,           -- JSON array of origins
    created_at_ms   INTEGER NOT NULL
) STRICT;

-- The mutable head of each session's chain; not part of the log.
CREATE TABLE sessions (
    session_id          BLOB PRIMARY KEY NOT NULL CHECK (length(session_id) = 16),
    project             TEXT NOT NULL REFERENCES projects (id),
    next_entry_seq      INTEGER NOT NULL,
    next_batch_seq      INTEGER NOT NULL,
    head_hash           BLOB NOT NULL,
    started_at_ms       INTEGER NOT NULL,
    last_received_at_ms INTEGER NOT NULL,
    batch_count         INTEGER NOT NULL,
    payload_bytes       INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_project_idx ON sessions (project, last_received_at_ms);

CREATE TABLE entries (
    session_id     BLOB NOT NULL CHECK (length(session_id) = 16),
    session_seq    INTEGER NOT NULL,
    project        TEXT NOT NULL,
    kind           INTEGER NOT NULL,
    batch_seq      INTEGER,
    received_at_ms INTEGER NOT NULL,
    entry_bytes    BLOB NOT NULL,
    leaf_hash      BLOB NOT NULL,
    PRIMARY KEY (session_id, session_seq)
) STRICT;
CREATE UNIQUE INDEX entries_batch_idx ON entries (session_id, batch_seq) WHERE batch_seq IS NOT NULL;
CREATE INDEX entries_leaf_hash_idx ON entries (leaf_hash);

CREATE TABLE payloads (
    session_id  BLOB NOT NULL,
    session_seq INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    PRIMARY KEY (session_id, session_seq)
) STRICT;

-- Work queue of accepted entries not yet in the tree. `id` is queue order only,
-- never a log index: indices are assigned densely by the integrator.
CREATE TABLE integration_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  BLOB NOT NULL,
    session_seq INTEGER NOT NULL,
    leaf_hash   BLOB NOT NULL,
    -- HMAC of leaf_hash with a key derived from the log signing key: only the
    -- server can make it, so the integrator refuses rows written around it.
    seal        BLOB NOT NULL
) STRICT;

-- Queued entries the integrator refused (bad seal): kept as evidence, never signed.
CREATE TABLE queue_rejections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id     BLOB NOT NULL,
    session_seq    INTEGER NOT NULL,
    leaf_hash      BLOB NOT NULL,
    seal           BLOB NOT NULL,
    rejected_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE tree_leaves (
    log_index   INTEGER PRIMARY KEY NOT NULL,
    session_id  BLOB NOT NULL,
    session_seq INTEGER NOT NULL,
    leaf_hash   BLOB NOT NULL,
    UNIQUE (session_id, session_seq)
) STRICT;

CREATE TABLE tree_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
    size          INTEGER PRIMARY KEY NOT NULL,
    root          BLOB NOT NULL,
    note          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE ingest_conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id     BLOB NOT NULL,
    seq            INTEGER NOT NULL,
    payload_hash   BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    actor          TEXT NOT NULL
) STRICT;
