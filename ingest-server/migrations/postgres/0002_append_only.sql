-- Refuse UPDATE, DELETE and TRUNCATE on the log tables, for every role. The
-- triggers are ENABLE ALWAYS so they also fire under
-- session_replication_role = replica, which otherwise silences ordinary triggers.
-- A superuser can still drop them; the app role (0003) cannot, and the hash
-- chain, Merkle tree and signed checkpoints make any change evident regardless.

CREATE FUNCTION affidavit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['entries', 'payloads', 'tree_leaves', 'tree_nodes',
                             'checkpoints', 'ingest_conflicts', 'queue_rejections']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION affidavit_append_only()',
                       t || '_append_only_rows', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION affidavit_append_only()',
                       t || '_append_only_truncate', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', t, t || '_append_only_rows');
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', t, t || '_append_only_truncate');
    END LOOP;
END;
$$;
