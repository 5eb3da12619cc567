-- The role the server's pool runs as (PostgresOptions::app_role, applied with
-- SET ROLE on every pooled connection). It may read everything but only INSERT
-- into the log tables, so even with the append-only triggers dropped the app
-- itself cannot change history. Roles are cluster-wide: several databases (or
-- migrations running at once) may try to create it, and a connecting user
-- without CREATEROLE cannot; both are tolerated and reported with a NOTICE.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        CREATE ROLE affidavit_app NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        RAISE NOTICE 'role affidavit_app was created concurrently';
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create role affidavit_app (insufficient privilege); create it and rerun the grants of migration 0003';
END;
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app') THEN
        RETURN;
    END IF;
    REVOKE ALL ON entries, payloads, tree_leaves, tree_nodes, checkpoints, ingest_conflicts, queue_rejections
        FROM affidavit_app;
    GRANT SELECT, INSERT ON entries, payloads, tree_leaves, tree_nodes, checkpoints, ingest_conflicts, queue_rejections
        TO affidavit_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, integration_queue TO affidavit_app;
    GRANT SELECT, INSERT, UPDATE ON projects TO affidavit_app;
    GRANT USAGE ON SEQUENCE integration_queue_id_seq, ingest_conflicts_id_seq, queue_rejections_id_seq
        TO affidavit_app;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant privileges to affidavit_app (insufficient privilege)';
END;
$$;

-- The connecting user must be able to SET ROLE to it (a superuser always can).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'affidavit_app')
       AND NOT pg_has_role(current_user, 'affidavit_app', 'MEMBER') THEN
        EXECUTE format('GRANT affidavit_app TO %I', current_user);
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant affidavit_app to %; SET ROLE will fail until it is granted', current_user;
END;
$$;
