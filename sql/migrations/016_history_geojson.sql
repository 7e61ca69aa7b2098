-- History rows (012) with their geometry written by ST_AsGeoJSON instead of to_jsonb(row).
-- to_jsonb turns a geometry into JSON through PostGIS's cast, which looks the SRID up in
-- spatial_ref_sys for a `crs` member on every call: 65 of the 80 µs that to_jsonb(camera) took
-- on PGlite, and a statement that changed features paid it twice per row (four times for an
-- update, whose before and after were built again to compare them). The rows keep their shape:
-- the same keys, the geometry as the same GeoJSON at the cast's 15 decimals, without the `crs`
-- member (the history API dropped it anyway; rows written before keep theirs).

-- SQL for a jsonb object of the row `alias` of table rel, keyed by column as to_jsonb(alias)
-- would be. jsonb_build_object takes at most 100 arguments, so columns go 40 to an object.
CREATE FUNCTION history_row_json_sql(rel regclass, alias text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT string_agg(format('jsonb_build_object(%s)', pairs), ' || ')
    FROM (SELECT string_agg(format('%L, %s', a.attname,
                   CASE WHEN a.atttypid = 'geometry'::regtype THEN format('ST_AsGeoJSON(%I.%I, 15)::jsonb', alias, a.attname)
                        ELSE format('to_jsonb(%I.%I)', alias, a.attname) END), ', ' ORDER BY a.attnum) AS pairs
            FROM (SELECT a.*, row_number() OVER (ORDER BY a.attnum) AS k
                    FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped) a
           GROUP BY (a.k - 1) / 40) chunks
$$;

CREATE OR REPLACE FUNCTION record_history_per_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    EXECUTE format($f$
      INSERT INTO feature_history (layer_table, feature_id, version, action, actor, before, after)
      SELECT %L, n.id, n.version, 'create', coalesce(nullif(current_setting('app.actor', true), ''), current_user), NULL, %s
        FROM new_rows n ORDER BY n.id$f$, TG_TABLE_NAME, history_row_json_sql(TG_RELID, 'n'));
  ELSE
    -- OFFSET 0: each row's JSON is built once, not again wherever the outer query uses it.
    EXECUTE format($f$
      INSERT INTO feature_history (layer_table, feature_id, version, action, actor, before, after)
      SELECT %L, j.id, j.version,
             CASE WHEN j.was_deleted IS NULL AND j.is_deleted IS NOT NULL THEN 'delete'
                  WHEN j.was_deleted IS NOT NULL AND j.is_deleted IS NULL THEN 'restore'
                  ELSE 'update' END,
             coalesce(nullif(current_setting('app.actor', true), ''), current_user), j.before, j.after
        FROM (SELECT n.id, n.version, o.deleted_at AS was_deleted, n.deleted_at AS is_deleted, %s AS before, %s AS after
                FROM new_rows n JOIN old_rows o ON o.id = n.id OFFSET 0) j
       WHERE j.before - history_ignored_columns() <> j.after - history_ignored_columns()
       ORDER BY j.id$f$, TG_TABLE_NAME, history_row_json_sql(TG_RELID, 'o'), history_row_json_sql(TG_RELID, 'n'));
  END IF;
  RETURN NULL;
END $$;
