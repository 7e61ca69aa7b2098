-- History rows written once per statement instead of once per row: the same rows (who, when,
-- the feature before and after, nothing for changes only in derived or bookkeeping columns),
-- built by one INSERT … SELECT from the statement's transition tables. An import of 100,000
-- features spent more than half its time in the per-row trigger of 006_history.sql.

CREATE FUNCTION record_history_per_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    EXECUTE format($f$
      INSERT INTO feature_history (layer_table, feature_id, version, action, actor, before, after)
      SELECT %L, n.id, n.version, 'create', coalesce(nullif(current_setting('app.actor', true), ''), current_user), NULL, to_jsonb(n)
        FROM new_rows n ORDER BY n.id$f$, TG_TABLE_NAME);
  ELSE
    EXECUTE format($f$
      INSERT INTO feature_history (layer_table, feature_id, version, action, actor, before, after)
      SELECT %L, n.id, n.version,
             CASE WHEN o.deleted_at IS NULL AND n.deleted_at IS NOT NULL THEN 'delete'
                  WHEN o.deleted_at IS NOT NULL AND n.deleted_at IS NULL THEN 'restore'
                  ELSE 'update' END,
             coalesce(nullif(current_setting('app.actor', true), ''), current_user), to_jsonb(o), to_jsonb(n)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE to_jsonb(o) - history_ignored_columns() <> to_jsonb(n) - history_ignored_columns()
       ORDER BY n.id$f$, TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END $$;

-- On every table that had the per-row trigger.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc f ON f.oid = g.tgfoid
            WHERE f.proname = 'record_history' AND NOT g.tgisinternal ORDER BY 1 LOOP
    EXECUTE format('DROP TRIGGER %1$s_history ON %1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_history_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement()', t);
    EXECUTE format('CREATE TRIGGER %1$s_history_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement()', t);
  END LOOP;
END $$;

DROP FUNCTION record_history();
