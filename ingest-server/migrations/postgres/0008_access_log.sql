-- The access log: a chain of its own (session id nil) for access that concerns
-- no one recording — sign-ins, refused requests, admin actions. Its entries name
-- this reserved project, which no write key can reach: the key is random and
-- never shown, project ids users create cannot contain ':', and ingest refuses
-- the id outright.
INSERT INTO projects (id, name, write_key, allowed_origins, created_at_ms)
VALUES ('affidavit:access', 'Access log',
        'affidavit:access:' || encode(sha256((random()::text || clock_timestamp()::text)::bytea), 'hex'),
        '[]', 0);

-- The global audit view reads access entries (everything but batches and
-- session openings) newest first, across all chains.
CREATE INDEX entries_access_idx ON entries (received_at_ms) WHERE kind NOT IN (1, 2);
