-- Vector tiles: indexes in the tiles' projection, and a record of where each transaction
-- changed tiled rows so the app can drop exactly the cached tiles it touched.

-- Tile queries select by ST_Transform(geom, 3857) && <tile envelope>; these indexes answer that.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['precincts', 'stations', 'beats', 'key_places', 'cameras', 'watch_blocks',
                           'drone_surveys', 'incidents'] LOOP
    EXECUTE format('CREATE INDEX %1$I ON %2$I USING gist (ST_Transform(geom, 3857)) WHERE deleted_at IS NULL',
                   t || '_geom_3857', t);
  END LOOP;
END $$;

-- One row per changed row's bounding box (degrees), before and after the change. The writer
-- takes its own transaction's rows before committing; rows other writers leave (plain SQL
-- sessions) are swept after an hour.
CREATE TABLE tile_changes (
  txid bigint NOT NULL DEFAULT txid_current(),
  layer_table text NOT NULL,
  west float8 NOT NULL, south float8 NOT NULL, east float8 NOT NULL, north float8 NOT NULL,
  noted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tile_changes_txid ON tile_changes (txid);

-- A version per tiled table, advanced by every statement that changes it, in the changing
-- transaction: what is built from a whole table (cluster indexes) is current while the
-- version it was built at is the table's version now, on every app instance.
CREATE TABLE layer_versions (layer_table text PRIMARY KEY, version bigint NOT NULL DEFAULT 0);
INSERT INTO layer_versions (layer_table)
  SELECT unnest(ARRAY['precincts', 'stations', 'beats', 'key_places', 'cameras', 'watch_blocks', 'drone_surveys', 'incidents']);

-- Statement-level, so a beat redraw that re-assigns thousands of points costs one trigger call
-- per table. Bulk loads (app.bulk_load = on) start with an empty tile cache: their boxes are not
-- noted, only the version advanced.
CREATE FUNCTION note_tile_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE layer_versions SET version = version + 1 WHERE layer_table = TG_TABLE_NAME;
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO tile_changes (layer_table, west, south, east, north)
    SELECT TG_TABLE_NAME, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
      FROM old_rows WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom);
  END IF;
  INSERT INTO tile_changes (layer_table, west, south, east, north)
  SELECT TG_TABLE_NAME, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
    FROM new_rows WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom);
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['precincts', 'stations', 'beats', 'key_places', 'cameras', 'watch_blocks',
                           'drone_surveys', 'incidents'] LOOP
    EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t || '_tiles_insert', t);
    EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t || '_tiles_update', t);
  END LOOP;
END $$;

-- Takes the calling transaction's changes (and sweeps ones nobody took), for the writer to
-- invalidate after it commits.
CREATE FUNCTION take_tile_changes() RETURNS TABLE (layer_table text, west float8, south float8, east float8, north float8)
LANGUAGE sql AS $$
  WITH swept AS (DELETE FROM tile_changes c WHERE c.noted_at < now() - interval '1 hour' AND c.txid <> txid_current())
  DELETE FROM tile_changes c WHERE c.txid = txid_current()
  RETURNING c.layer_table, c.west, c.south, c.east, c.north
$$;
