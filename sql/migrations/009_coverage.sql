-- Camera coverage (監視覆蓋) as a derived layer, and building footprints that cut it.
--
-- Every camera has one camera_coverage row: the ground it sees, kept by the triggers below in
-- the same transaction as the camera or building edit that changes it, and tiled like the other
-- layers (tile-change notes and layer_versions as in 008_tiles.sql), so cached tiles of the
-- coverage are invalidated exactly. Sectors are built in TWD97 / TM2 zone 121 (EPSG:3826) metres.

-- Building footprints (2D). Minimal: a name and the number of storeys, both optional.
CREATE TABLE buildings (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name   text,
  levels integer CHECK (levels IS NULL OR levels BETWEEN 1 AND 200),
  geom   geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX buildings_geom ON buildings USING gist (geom);
-- Sight lines are tested in TWD97 metres; this index answers them.
CREATE INDEX buildings_geom_3826 ON buildings USING gist (ST_Transform(geom, 3826)) WHERE deleted_at IS NULL;

INSERT INTO unit_assigned_tables VALUES ('buildings');
CREATE TRIGGER buildings_units BEFORE INSERT OR UPDATE OF geom ON buildings
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
CREATE TRIGGER buildings_history AFTER INSERT OR UPDATE ON buildings
  FOR EACH ROW EXECUTE FUNCTION record_history();
CREATE TRIGGER buildings_no_delete BEFORE DELETE ON buildings
  FOR EACH ROW EXECUTE FUNCTION forbid_hard_delete();

-- The TWD97 grid bearing of true north at a point p (SRID 4326), in degrees, in (-180, 180]:
-- what to add to an azimuth measured clockwise from true north to get a TWD97 grid bearing.
-- It is the grid bearing of the meridian through p (a point 1e-5 degrees of latitude further
-- north lies on it), about -0.2 in 臺北, +0.3 in 臺南 and +1.1 on 金門.
CREATE FUNCTION true_north_grid_bearing(p geometry) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN a > 180 THEN a - 360 ELSE a END
    FROM (SELECT degrees(ST_Azimuth(ST_Transform(p, 3826),
                 ST_Transform(ST_SetSRID(ST_MakePoint(ST_X(p), ST_Y(p) + 1e-5), 4326), 3826))) AS a) s
$$;

-- The ground a camera at p (SRID 4326) sees in open country, as a polygon in EPSG:3826: the
-- circular sector of radius range_m (metres) about azimuth (degrees clockwise from true north)
-- spanning fov degrees, a full disc when fov is 360. The arc has a vertex at least every 2
-- degrees, so the polygon's area is within 0.02% of pi r^2 fov / 360.
CREATE FUNCTION camera_sector(p geometry, azimuth float8, fov float8, range_m float8) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  o geometry := ST_Transform(p, 3826);
  axis float8 := azimuth + true_north_grid_bearing(p);
  n integer := greatest(2, ceil(fov / 2.0)::integer);
  closed boolean := fov >= 360;
  pts geometry[] := '{}';
  a float8;
BEGIN
  IF NOT closed THEN pts := pts || o; END IF;
  FOR k IN 0 .. (CASE WHEN closed THEN n - 1 ELSE n END) LOOP
    a := radians(axis - fov / 2 + fov * k / n);
    pts := pts || ST_SetSRID(ST_MakePoint(ST_X(o) + range_m * sin(a), ST_Y(o) + range_m * cos(a)), 3826);
  END LOOP;
  RETURN ST_MakePolygon(ST_MakeLine(pts || pts[1]));
END $$;

-- Buildings (EPSG:3826) that can block a camera at o from seeing into `sector` (its sector, or
-- one sight line): those meeting it, except a building within 0.5 m of the camera, taken as the one it is mounted on
-- (looking out from its wall).
CREATE FUNCTION blocking_buildings(o geometry, sector geometry) RETURNS SETOF geometry
LANGUAGE sql STABLE STRICT AS $$
  SELECT ST_Transform(b.geom, 3826) FROM buildings b
   WHERE b.deleted_at IS NULL
     AND ST_Transform(b.geom, 3826) && sector
     AND ST_Intersects(ST_Transform(b.geom, 3826), sector)
     AND NOT ST_DWithin(ST_Transform(b.geom, 3826), o, 0.5)
$$;

-- Whether a building stands between a camera at o and a point p (both EPSG:3826), by the same
-- rule as camera_view: the straight sight line crosses a building the camera is not mounted on.
CREATE FUNCTION sight_blocked(o geometry, p geometry) RETURNS boolean
LANGUAGE sql STABLE STRICT AS $$
  SELECT EXISTS (SELECT 1 FROM blocking_buildings(o, ST_MakeLine(o, p)))
$$;

-- A point x moved d metres further from o along the ray from o through x (EPSG:3826).
CREATE FUNCTION pushed_out(o geometry, x geometry, d float8) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ST_SetSRID(ST_MakePoint(ST_X(x) + (ST_X(x) - ST_X(o)) * d / ST_Distance(o, x),
                                 ST_Y(x) + (ST_Y(x) - ST_Y(o)) * d / ST_Distance(o, x)), 3826)
$$;

-- The 2D shadow of building b seen from o (both EPSG:3826), reaching d metres beyond it: the
-- building and, for each of its edges, the quadrilateral between the edge and the edge pushed d
-- further out along the sight lines through its ends. A point lies in it exactly when the
-- straight sight line from o to it crosses the building.
CREATE FUNCTION building_shadow(o geometry, b geometry, d float8) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ST_Collect(b, ST_Collect(ST_MakePolygon(ST_MakeLine(ARRAY[e.a, e.z, pushed_out(o, e.z, d), pushed_out(o, e.a, d), e.a]))))
    FROM ST_DumpSegments(b) s, LATERAL (SELECT ST_StartPoint(s.geom) AS a, ST_EndPoint(s.geom) AS z) e
   -- An edge on a sight line casts no area of its own (and would make a degenerate ring).
   WHERE abs((ST_X(e.a) - ST_X(o)) * (ST_Y(e.z) - ST_Y(o)) - (ST_Y(e.a) - ST_Y(o)) * (ST_X(e.z) - ST_X(o))) > 1e-9
$$;

-- What a camera sees (SRID 4326 MultiPolygon): its sector less the shadows of the buildings in
-- the way. Without buildings in range it is the sector.
CREATE FUNCTION camera_view(p geometry, azimuth float8, fov float8, range_m float8) RETURNS geometry
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  o geometry := ST_Transform(p, 3826);
  sector geometry := camera_sector(p, azimuth, fov, range_m);
  shadow geometry;
BEGIN
  -- Most cameras have no building in range: answer them without the overlay query.
  IF EXISTS (SELECT 1 FROM blocking_buildings(o, sector)) THEN
    -- Overlay on a 1 mm grid: exact unions of many thin, overlapping quadrilaterals are where
    -- GEOS otherwise fails (TopologyException); a millimetre is far below what a camera resolves.
    SELECT ST_UnaryUnion(ST_Collect(building_shadow(o, g, 2 * range_m)), 0.001) INTO shadow
      FROM blocking_buildings(o, sector) g;
    sector := ST_CollectionExtract(ST_Difference(sector, shadow, 0.001), 3);
  END IF;
  RETURN ST_Multi(ST_Transform(sector, 4326));
END $$;

-- One coverage row per camera, its id the camera's. Properties the map and the access rules
-- need are copied from the camera; `camera_geom` is where the camera stands, so a community
-- account sees the coverage of exactly the cameras it sees (registry: areaColumn).
CREATE TABLE camera_coverage (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  camera_id   bigint NOT NULL REFERENCES cameras (id),
  status      text NOT NULL,
  owner_kind  text NOT NULL,
  is_public   boolean NOT NULL,
  area_m2     double precision NOT NULL,
  camera_geom geometry(Point, 4326) NOT NULL,
  geom        geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX camera_coverage_geom ON camera_coverage USING gist (geom);
CREATE INDEX camera_coverage_camera_geom ON camera_coverage USING gist (camera_geom);
CREATE INDEX camera_coverage_precinct ON camera_coverage (precinct_code);
CREATE TRIGGER camera_coverage_no_delete BEFORE DELETE ON camera_coverage
  FOR EACH ROW EXECUTE FUNCTION forbid_hard_delete();

-- Brings the coverage of these cameras up to date; a row whose content is unchanged is not
-- touched (no new version, no tile change).
CREATE FUNCTION refresh_camera_coverage(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO camera_coverage AS cc (id, camera_id, status, owner_kind, is_public, beat_code, station_code,
                                     precinct_code, deleted_at, camera_geom, geom, area_m2)
  SELECT c.id, c.id, c.status, c.owner_kind, c.is_public, c.beat_code, c.station_code, c.precinct_code,
         c.deleted_at, c.geom, v.geom, ST_Area(ST_Transform(v.geom, 3826))
    FROM cameras c CROSS JOIN LATERAL (SELECT camera_view(c.geom, c.azimuth, c.fov, c.range_m) AS geom) v
   WHERE c.id = ANY (ids)
  ON CONFLICT (id) DO UPDATE
     SET status = EXCLUDED.status, owner_kind = EXCLUDED.owner_kind, is_public = EXCLUDED.is_public,
         beat_code = EXCLUDED.beat_code, station_code = EXCLUDED.station_code, precinct_code = EXCLUDED.precinct_code,
         deleted_at = EXCLUDED.deleted_at, camera_geom = EXCLUDED.camera_geom, geom = EXCLUDED.geom,
         area_m2 = EXCLUDED.area_m2, version = cc.version + 1, updated_at = now()
   WHERE (cc.status, cc.owner_kind, cc.is_public, cc.beat_code, cc.station_code, cc.precinct_code, cc.deleted_at,
          cc.camera_geom, cc.geom)
         IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.owner_kind, EXCLUDED.is_public, EXCLUDED.beat_code,
          EXCLUDED.station_code, EXCLUDED.precinct_code, EXCLUDED.deleted_at, EXCLUDED.camera_geom, EXCLUDED.geom)
$$;

-- Statement-level, set-based: a bulk load of thousands of cameras costs one call, and a beat
-- redraw that re-assigns cameras passes their new units on.
CREATE FUNCTION cameras_refresh_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_camera_coverage(ARRAY(SELECT id FROM new_rows));
  ELSE
    PERFORM refresh_camera_coverage(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.geom, n.azimuth, n.fov, n.range_m, n.status, n.owner_kind, n.is_public, n.deleted_at,
              n.beat_code, n.station_code, n.precinct_code)
             IS DISTINCT FROM (o.geom, o.azimuth, o.fov, o.range_m, o.status, o.owner_kind, o.is_public, o.deleted_at,
              o.beat_code, o.station_code, o.precinct_code)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cameras_coverage_insert AFTER INSERT ON cameras REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cameras_refresh_coverage();
CREATE TRIGGER cameras_coverage_update AFTER UPDATE ON cameras REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cameras_refresh_coverage();

-- A building drawn, moved or deleted re-cuts the coverage of every live camera within range
-- of its old or new footprint. The 0.012 degree box (over 1,000 m, the longest range, up to
-- 馬祖's latitude) lets the camera index pick candidates before the exact test in metres.
CREATE FUNCTION buildings_refresh_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed geometry[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    changed := ARRAY(SELECT geom FROM new_rows);
  ELSE
    changed := ARRAY(
      SELECT g FROM new_rows n JOIN old_rows o ON o.id = n.id, LATERAL (VALUES (n.geom), (o.geom)) AS v(g)
       WHERE (n.geom, n.deleted_at) IS DISTINCT FROM (o.geom, o.deleted_at));
  END IF;
  PERFORM refresh_camera_coverage(ARRAY(
    SELECT DISTINCT c.id FROM cameras c, unnest(changed) AS b(geom)
     WHERE c.deleted_at IS NULL
       AND c.geom && ST_Expand(b.geom, 0.012)
       AND ST_DWithin(ST_Transform(c.geom, 3826), ST_Transform(b.geom, 3826), c.range_m)));
  RETURN NULL;
END $$;
CREATE TRIGGER buildings_coverage_insert AFTER INSERT ON buildings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_refresh_coverage();
CREATE TRIGGER buildings_coverage_update AFTER UPDATE ON buildings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION buildings_refresh_coverage();

-- Tiles of both layers, as 008_tiles.sql sets them up for the others: an index in the tiles'
-- projection, a version, and tile-change notes from every statement that changes them (the
-- coverage rows written by the triggers above included, in the same transaction).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buildings', 'camera_coverage'] LOOP
    EXECUTE format('CREATE INDEX %1$I ON %2$I USING gist (ST_Transform(geom, 3857)) WHERE deleted_at IS NULL',
                   t || '_geom_3857', t);
    INSERT INTO layer_versions (layer_table) VALUES (t);
    EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t || '_tiles_insert', t);
    EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_changes()', t || '_tiles_update', t);
  END LOOP;
END $$;

-- Cameras that exist already get their coverage now.
SELECT refresh_camera_coverage(ARRAY(SELECT id FROM cameras));
