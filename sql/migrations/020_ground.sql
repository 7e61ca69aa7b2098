-- The ground people orient by: 縣市, 鄉鎮市區 and 村里 boundaries, the basic statistical areas
-- (最小統計區: their outlines follow streets in built-up areas, so they are the offline block
-- fabric), and police-unit points with their addresses and phones. Reference layers like the
-- others: soft-deleted with history, tiled with exact invalidation, imported from the MOI files
-- by the bureau. Names are kept beside codes as the MOI files carry them, so each file imports
-- on its own.

CREATE TABLE counties (
  LIKE feature_base INCLUDING ALL,
  code text NOT NULL,
  name text NOT NULL,
  geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX counties_code ON counties (code) WHERE deleted_at IS NULL;

CREATE TABLE towns (
  LIKE feature_base INCLUDING ALL,
  code        text NOT NULL,
  name        text NOT NULL,
  county_code text,
  county_name text,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX towns_code ON towns (code) WHERE deleted_at IS NULL;

CREATE TABLE villages (
  LIKE feature_base INCLUDING ALL,
  code        text NOT NULL,
  name        text NOT NULL,
  town_code   text,
  town_name   text,
  county_name text,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX villages_code ON villages (code) WHERE deleted_at IS NULL;
-- 「成功里」 finds every 成功里: names are looked up whole and by their start.
CREATE INDEX villages_name ON villages (name text_pattern_ops) WHERE deleted_at IS NULL;

CREATE TABLE blocks (
  LIKE feature_base INCLUDING ALL,
  code         text NOT NULL,
  code1        text,
  code2        text,
  town_code    text,
  village_code text,
  geom         geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX blocks_code ON blocks (code) WHERE deleted_at IS NULL;

CREATE TABLE police_units (
  LIKE feature_base INCLUDING ALL,
  name      text NOT NULL,
  kind      text NOT NULL,
  -- The precinct or station this unit is the seat of, when it is one.
  unit_code text,
  address   text,
  phone     text,
  geom      geometry(Point, 4326) NOT NULL
);
CREATE INDEX police_units_unit ON police_units (unit_code) WHERE deleted_at IS NULL;

-- Makes a table a layer like the others: history per statement (012, 016), no hard delete,
-- an index in the tiles' projection, a version and tile-change notes (008). Later layers call it
-- instead of repeating the triggers.
CREATE FUNCTION track_layer_table(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE INDEX %1$I ON %2$I USING gist (geom) WHERE deleted_at IS NULL', t || '_geom', t);
  EXECUTE format('CREATE INDEX %1$I ON %2$I USING gist (ST_Transform(geom, 3857)) WHERE deleted_at IS NULL', t || '_geom_3857', t);
  EXECUTE format('CREATE TRIGGER %1$s_history_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement()', t);
  EXECUTE format('CREATE TRIGGER %1$s_history_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement()', t);
  EXECUTE format('CREATE TRIGGER %1$s_no_delete BEFORE DELETE ON %1$I FOR EACH ROW EXECUTE FUNCTION forbid_hard_delete()', t);
  INSERT INTO layer_versions (layer_table) VALUES (t);
  EXECUTE format('CREATE TRIGGER %1$s_tiles_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t);
  EXECUTE format('CREATE TRIGGER %1$s_tiles_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t);
END $$;

SELECT track_layer_table(t) FROM unnest(ARRAY['counties', 'towns', 'villages', 'blocks', 'police_units']) AS t;

-- The 村里 a point lies in: on a shared edge, the lowest code (as locate_beat rules for beats).
CREATE FUNCTION locate_village(p geometry)
RETURNS TABLE (code text, name text, town_name text, county_name text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT v.code, v.name, v.town_name, v.county_name
    FROM villages v
   WHERE v.deleted_at IS NULL AND v.geom && p AND ST_Covers(v.geom, p)
   ORDER BY v.code
   LIMIT 1
$$;
