-- Every write to a layer leaves a history row: who, when, the row before and after.
-- The actor is set per transaction with set_config('app.actor', ..., true) by the API.
CREATE TABLE feature_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  layer_table text NOT NULL,
  feature_id  bigint NOT NULL,
  version     integer NOT NULL,
  action      text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
  actor       text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  before      jsonb,
  after       jsonb NOT NULL
);
CREATE INDEX feature_history_feature ON feature_history (layer_table, feature_id, id);

-- Operations on many rows at once (seeding, imports) and sign-ins are audited here; their rows
-- are written with app.bulk_load = 'on' so that history is not flooded with one row per feature.
CREATE TABLE audit_log (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- Columns that are derived or bookkeeping: a change in only these is not an edit.
CREATE FUNCTION history_ignored_columns() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['beat_code', 'station_code', 'precinct_code', 'last_visited_at',
               'updated_at', 'updated_by', 'version']
$$;

CREATE FUNCTION record_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_row jsonb;
  after_row  jsonb;
  act        text := 'create';
BEGIN
  -- Checked before anything is built: a bulk load pays almost nothing per row here.
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  after_row := to_jsonb(NEW);
  IF TG_OP = 'UPDATE' THEN
    before_row := to_jsonb(OLD);
    IF before_row - history_ignored_columns() = after_row - history_ignored_columns() THEN
      RETURN NULL;
    END IF;
    act := CASE
      WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete'
      WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'restore'
      ELSE 'update' END;
  END IF;
  INSERT INTO feature_history (layer_table, feature_id, version, action, actor, before, after)
  VALUES (TG_TABLE_NAME, NEW.id, NEW.version, act,
          coalesce(nullif(current_setting('app.actor', true), ''), current_user),
          before_row, after_row);
  RETURN NULL;
END $$;

-- Deleting keeps history: rows are soft-deleted through deleted_at, never removed.
CREATE FUNCTION forbid_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are soft-deleted (set deleted_at); hard DELETE is refused', TG_TABLE_NAME;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bureaus', 'precincts', 'stations', 'beats', 'key_places', 'visits',
                           'cameras', 'watch_teams', 'watch_blocks', 'drone_surveys', 'incidents'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_history AFTER INSERT OR UPDATE ON %1$I
                    FOR EACH ROW EXECUTE FUNCTION record_history()', t);
    EXECUTE format('CREATE TRIGGER %1$s_no_delete BEFORE DELETE ON %1$I
                    FOR EACH ROW EXECUTE FUNCTION forbid_hard_delete()', t);
  END LOOP;
END $$;
