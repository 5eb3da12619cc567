-- Per-project retention (decision 0016): sessions that started more than `days`
-- days ago are erased (their data keys destroyed, a session_erased entry
-- appended). A project without a row keeps its recordings. Not part of the log:
-- each change is an admin_action entry in the access log.
CREATE TABLE project_retention (
    project   TEXT PRIMARY KEY REFERENCES projects (id),
    days      BIGINT NOT NULL CHECK (days > 0),
    set_at_ms BIGINT NOT NULL
);
-- The reaper's walk: a project's sessions oldest first.
CREATE INDEX sessions_project_started_idx ON sessions (project, started_at_ms);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        RETURN;
    END IF;
    GRANT SELECT, INSERT, UPDATE, DELETE ON project_retention TO affidavit_app;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant privileges to affidavit_app (insufficient privilege)';
END;
$$;
