-- Affidavit storage schema (PostgreSQL). Same tables and columns as the SQLite
-- schema so tamper tests and fsck read both alike. u64 values are stored as
-- BIGINT and converted with checks in Rust.

CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,           -- JSON array of origins
    created_at_ms   BIGINT NOT NULL
);

-- The mutable head of each session's chain; not part of the log. Appends lock
-- this row, which serializes one session's writes and nothing else.
CREATE TABLE sessions (
    session_id          UUID PRIMARY KEY,
    project             TEXT NOT NULL REFERENCES projects (id),
    next_entry_seq      BIGINT NOT NULL,
    next_batch_seq      BIGINT NOT NULL,
    head_hash           BYTEA NOT NULL,
    started_at_ms       BIGINT NOT NULL,
    last_received_at_ms BIGINT NOT NULL,
    batch_count         BIGINT NOT NULL,
    payload_bytes       BIGINT NOT NULL
);
CREATE INDEX sessions_project_idx ON sessions (project, last_received_at_ms);

CREATE TABLE entries (
    session_id     UUID NOT NULL,
    session_seq    BIGINT NOT NULL,
    project        TEXT NOT NULL,
    kind           SMALLINT NOT NULL,
    batch_seq      BIGINT,
    received_at_ms BIGINT NOT NULL,
    entry_bytes    BYTEA NOT NULL,
    leaf_hash      BYTEA NOT NULL,
    PRIMARY KEY (session_id, session_seq)
);
CREATE UNIQUE INDEX entries_batch_idx ON entries (session_id, batch_seq) WHERE batch_seq IS NOT NULL;
CREATE INDEX entries_leaf_hash_idx ON entries (leaf_hash);

CREATE TABLE payloads (
    session_id  UUID NOT NULL,
    session_seq BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    PRIMARY KEY (session_id, session_seq)
);

-- Work queue of accepted entries not yet in the tree. `id` is queue order only,
-- never a log index: indices are assigned densely by the integrator.
CREATE TABLE integration_queue (
    id          BIGSERIAL PRIMARY KEY,
    session_id  UUID NOT NULL,
    session_seq BIGINT NOT NULL,
    leaf_hash   BYTEA NOT NULL,
    -- HMAC of leaf_hash with a key derived from the log signing key: only the
    -- server can make it, so the integrator refuses rows written around it.
    seal        BYTEA NOT NULL
);

-- Queued entries the integrator refused (bad seal): kept as evidence, never signed.
CREATE TABLE queue_rejections (
    id             BIGSERIAL PRIMARY KEY,
    session_id     UUID NOT NULL,
    session_seq    BIGINT NOT NULL,
    leaf_hash      BYTEA NOT NULL,
    seal           BYTEA NOT NULL,
    rejected_at_ms BIGINT NOT NULL
);

CREATE TABLE tree_leaves (
    log_index   BIGINT PRIMARY KEY,
    session_id  UUID NOT NULL,
    session_seq BIGINT NOT NULL,
    leaf_hash   BYTEA NOT NULL,
    UNIQUE (session_id, session_seq)
);

CREATE TABLE tree_nodes (
    level SMALLINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
    size          BIGINT PRIMARY KEY,
    root          BYTEA NOT NULL,
    note          TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE ingest_conflicts (
    id             BIGSERIAL PRIMARY KEY,
    session_id     UUID NOT NULL,
    seq            BIGINT NOT NULL,
    payload_hash   BYTEA NOT NULL,
    received_at_ms BIGINT NOT NULL,
    actor          TEXT NOT NULL
);
