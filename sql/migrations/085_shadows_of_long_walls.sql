-- Building shadows that are right for walls of any length (issue 19). 009's shadow of an edge
-- was the quadrilateral between the edge and the edge pushed d metres further out along the
-- sight lines through its ends. Its far side is a straight chord between the pushed ends, and
-- when the edge spans a wide angle seen from the camera (a 100 m wall 3 m ahead spans 172°)
-- that chord passes close to the camera: the shadow of a long wall was a thin strip behind it
-- and the camera was counted as seeing over it (1,828 m² where 9 m² are visible).
--
-- Now the far side is an arc of points at a distance from the camera beyond both ends of the
-- edge and beyond the range, at most 30° apart, so every chord of it stays beyond the range
-- (a chord between points R away and 30° apart comes no closer than R cos 15° = 0.966 R): the
-- shadow of an edge is every point whose sight line from the camera crosses the edge, within
-- reach. A building's shadow is still the building and its edges' shadows.

-- The shadow of the edge a–z seen from o (EPSG:3826), reaching at least d metres from o
-- everywhere. The edge must not lie on a line through o (building_shadow leaves those out).
CREATE FUNCTION edge_shadow(o geometry, a geometry, z geometry, d float8) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  ox float8 := ST_X(o);
  oy float8 := ST_Y(o);
  ta float8 := atan2(ST_Y(a) - oy, ST_X(a) - ox);
  tz float8 := atan2(ST_Y(z) - oy, ST_X(z) - ox);
  -- The turn from z's sight line back to a's, the short way (an edge not through o spans < 180°).
  turn float8 := ta - tz;
  r float8 := d + greatest(ST_Distance(o, a), ST_Distance(o, z));
  n integer;
  pts geometry[];
  t float8;
BEGIN
  IF turn > pi() THEN turn := turn - 2 * pi(); ELSIF turn < -pi() THEN turn := turn + 2 * pi(); END IF;
  n := greatest(1, ceil(abs(turn) / radians(30))::integer);
  pts := ARRAY[a, z];
  FOR k IN 0 .. n LOOP
    t := tz + turn * k / n;
    pts := pts || ST_SetSRID(ST_MakePoint(ox + r * cos(t), oy + r * sin(t)), 3826);
  END LOOP;
  RETURN ST_MakePolygon(ST_MakeLine(pts || a));
END $$;

-- As in 009: the building and, for each of its edges, the edge's shadow; d is how far from o the
-- shadow reaches at least (callers pass twice the range).
CREATE OR REPLACE FUNCTION building_shadow(o geometry, b geometry, d float8) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ST_Collect(b, ST_Collect(edge_shadow(o, e.a, e.z, d)))
    FROM ST_DumpSegments(b) s, LATERAL (SELECT ST_StartPoint(s.geom) AS a, ST_EndPoint(s.geom) AS z) e
   -- An edge on a sight line casts no area of its own (and would make a degenerate ring).
   WHERE abs((ST_X(e.a) - ST_X(o)) * (ST_Y(e.z) - ST_Y(o)) - (ST_Y(e.a) - ST_Y(o)) * (ST_X(e.z) - ST_X(o))) > 1e-9
$$;

-- Coverage already stored was computed with the old shadows.
SELECT refresh_camera_coverage(array_agg(id)) FROM cameras WHERE EXISTS (SELECT 1 FROM buildings WHERE deleted_at IS NULL);
