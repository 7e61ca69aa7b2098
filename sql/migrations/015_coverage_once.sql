-- Camera coverage (009) at a fraction of the cost per camera, the same ground. An import of
-- 100,000 cameras spent most of its time here (a 10,000-camera refresh took 2.6 s on PGlite;
-- now 1.0 s):
-- - a sector is its field of view's unit sector (a radius of 1 m about the origin, pointing
--   north) scaled, turned and moved into place by one ST_Affine, instead of being built vertex
--   by vertex: 5 instead of 75 µs. The unit sector is built once per field of view in a
--   refresh, and by the same rule as before, so the vertices are where they were;
-- - the area is measured on the sector in TWD97 metres, not after a round trip to WGS84;
-- - the refresh computed each view twice: PostgreSQL flattened the LATERAL subquery and put
--   camera_view(...) in each place that used its result. OFFSET 0 keeps such subqueries whole;
-- - the test for buildings in the way is an index probe from PL/pgSQL (14 µs), where SQL
--   functions that PostgreSQL could not inline made it two function calls (30 µs);
-- - a refresh joins its ids as a set: the primary key probed once per id.

-- The sector of a camera with field of view fov (degrees) and a range of 1 m, at the origin,
-- its axis on grid north (EPSG:3826); a full disc when fov is 360. The arc has a vertex at
-- least every 2 degrees, so the polygon's area is within 0.02% of pi r^2 fov / 360.
CREATE FUNCTION unit_sector(fov float8) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  n integer := greatest(2, ceil(fov / 2.0)::integer);
  closed boolean := fov >= 360;
  pts geometry[] := '{}';
  a float8;
BEGIN
  IF NOT closed THEN pts := pts || ST_SetSRID(ST_MakePoint(0, 0), 3826); END IF;
  FOR k IN 0 .. (CASE WHEN closed THEN n - 1 ELSE n END) LOOP
    a := radians(-fov / 2 + fov * k / n);
    pts := pts || ST_SetSRID(ST_MakePoint(sin(a), cos(a)), 3826);
  END LOOP;
  RETURN ST_MakePolygon(ST_MakeLine(pts || pts[1]));
END $$;

-- A unit sector placed for a camera at p (SRID 4326) looking at azimuth (degrees clockwise
-- from true north) with a range of range_m metres: scaled by range_m, turned clockwise by the
-- azimuth's grid bearing, moved to the camera (EPSG:3826). PL/pgSQL because it uses its
-- results twice: a SQL function that cannot be inlined costs some 100 µs a call on PGlite.
CREATE FUNCTION placed_sector(unit geometry, p geometry, azimuth float8, range_m float8) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  o geometry := ST_Transform(p, 3826);
  t float8 := radians(azimuth + true_north_grid_bearing(p));
BEGIN
  RETURN ST_Affine(unit, range_m * cos(t), range_m * sin(t), -range_m * sin(t), range_m * cos(t), ST_X(o), ST_Y(o));
END $$;

-- As in 009: the ground a camera at p sees in open country (EPSG:3826).
CREATE OR REPLACE FUNCTION camera_sector(p geometry, azimuth float8, fov float8, range_m float8) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT placed_sector(unit_sector(fov), p, azimuth, range_m)
$$;

-- As in 009, but not STRICT: PostgreSQL inlines no STRICT set-returning SQL function, so the
-- test for buildings in the way was a function call per camera, not an index probe.
CREATE OR REPLACE FUNCTION blocking_buildings(o geometry, sector geometry) RETURNS SETOF geometry
LANGUAGE sql STABLE AS $$
  SELECT ST_Transform(b.geom, 3826) FROM buildings b
   WHERE b.deleted_at IS NULL
     AND ST_Transform(b.geom, 3826) && sector
     AND ST_Intersects(ST_Transform(b.geom, 3826), sector)
     AND NOT ST_DWithin(ST_Transform(b.geom, 3826), o, 0.5)
$$;

-- A camera's sector (EPSG:3826) less the shadows of the buildings in the way, for a camera at
-- o (EPSG:3826) with range range_m; the rule of 009's camera_view. Without buildings in range
-- it is the sector. PL/pgSQL: PostgreSQL inlines no SQL function holding a subquery, and a SQL
-- function call costs several times a PL/pgSQL one on PGlite.
CREATE FUNCTION unblocked_view(sector geometry, o geometry, range_m float8) RETURNS geometry
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  shadow geometry;
BEGIN
  -- Most cameras have no building in range: answer them without the overlay query.
  IF NOT EXISTS (SELECT 1 FROM blocking_buildings(o, sector)) THEN RETURN sector; END IF;
  -- Overlay on a 1 mm grid: exact unions of many thin, overlapping quadrilaterals are where
  -- GEOS otherwise fails (TopologyException); a millimetre is far below what a camera resolves.
  SELECT ST_UnaryUnion(ST_Collect(building_shadow(o, g, 2 * range_m)), 0.001) INTO shadow
    FROM blocking_buildings(o, sector) g;
  RETURN ST_CollectionExtract(ST_Difference(sector, shadow, 0.001), 3);
END $$;

-- As in 009: what a camera sees (SRID 4326 MultiPolygon).
CREATE OR REPLACE FUNCTION camera_view(p geometry, azimuth float8, fov float8, range_m float8) RETURNS geometry
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  sector geometry := camera_sector(p, azimuth, fov, range_m);
  o geometry := ST_Transform(p, 3826);
BEGIN
  RETURN ST_Multi(ST_Transform(unblocked_view(sector, o, range_m), 4326));
END $$;

CREATE OR REPLACE FUNCTION refresh_camera_coverage(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  WITH cams AS MATERIALIZED (
         SELECT c.* FROM (SELECT DISTINCT id FROM unnest(ids) AS u(id)) u JOIN cameras c ON c.id = u.id),
       units AS MATERIALIZED (SELECT fov, unit_sector(fov) AS unit FROM (SELECT DISTINCT fov FROM cams) f)
  INSERT INTO camera_coverage AS cc (id, camera_id, status, owner_kind, is_public, beat_code, station_code,
                                     precinct_code, deleted_at, camera_geom, geom, area_m2)
  SELECT c.id, c.id, c.status, c.owner_kind, c.is_public, c.beat_code, c.station_code, c.precinct_code,
         c.deleted_at, c.geom, ST_Multi(ST_Transform(v.m, 4326)), ST_Area(v.m)
    FROM cams c JOIN units USING (fov)
         CROSS JOIN LATERAL (SELECT placed_sector(units.unit, c.geom, c.azimuth, c.range_m) AS s, ST_Transform(c.geom, 3826) AS o OFFSET 0) p
         CROSS JOIN LATERAL (SELECT unblocked_view(p.s, p.o, c.range_m) AS m OFFSET 0) v
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
