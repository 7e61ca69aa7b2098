-- Every feature knows the beat, station and precinct it lies in.
--
-- Rule for points on a boundary shared by several beats: ST_Covers counts the boundary as part
-- of each beat, and of all the beats that cover the point the one with the lowest code wins.
-- Polygons are assigned by ST_PointOnSurface, a point guaranteed to lie inside them.

CREATE FUNCTION locate_beat(p geometry)
RETURNS TABLE (beat_code text, station_code text, precinct_code text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT b.code, b.station_code, b.precinct_code
  FROM beats b
  WHERE b.deleted_at IS NULL AND b.geom && p AND ST_Covers(b.geom, p)
  ORDER BY b.code
  LIMIT 1
$$;

-- Layers whose rows carry unit_assignment columns derived from their own geometry.
CREATE TABLE unit_assigned_tables (table_name text PRIMARY KEY);
INSERT INTO unit_assigned_tables VALUES
  ('key_places'), ('cameras'), ('watch_blocks'), ('drone_surveys'), ('incidents');

-- Bulk loads (app.bulk_load = on) insert rows with their units already derived by
-- locate_beat in the same statement, faster than this trigger row by row.
CREATE FUNCTION assign_units_from_geom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NEW; END IF;
  SELECT l.beat_code, l.station_code, l.precinct_code
    INTO NEW.beat_code, NEW.station_code, NEW.precinct_code
    FROM locate_beat(ST_PointOnSurface(NEW.geom)) l;
  RETURN NEW;
END $$;

CREATE TRIGGER key_places_units BEFORE INSERT OR UPDATE OF geom ON key_places
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
CREATE TRIGGER cameras_units BEFORE INSERT OR UPDATE OF geom ON cameras
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
CREATE TRIGGER watch_blocks_units BEFORE INSERT OR UPDATE OF geom ON watch_blocks
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
CREATE TRIGGER drone_surveys_units BEFORE INSERT OR UPDATE OF geom ON drone_surveys
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
CREATE TRIGGER incidents_units BEFORE INSERT OR UPDATE OF geom ON incidents
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();

-- Re-derive the units of every assigned feature inside an area (after beats are redrawn).
-- Returns how many features changed beat.
CREATE FUNCTION reassign_units_within(area geometry) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t text;
  changed integer := 0;
  n integer;
BEGIN
  IF area IS NULL OR ST_IsEmpty(area) THEN RETURN 0; END IF;
  FOR t IN SELECT table_name FROM unit_assigned_tables ORDER BY table_name LOOP
    EXECUTE format($f$
      UPDATE %1$I f
         SET beat_code = u.beat_code, station_code = u.station_code, precinct_code = u.precinct_code
        FROM (SELECT x.id, l.beat_code, l.station_code, l.precinct_code
                FROM %1$I x
                LEFT JOIN LATERAL locate_beat(ST_PointOnSurface(x.geom)) l ON true
               WHERE x.geom && $1 AND ST_Intersects(ST_PointOnSurface(x.geom), $1)) u
       WHERE f.id = u.id
         AND (f.beat_code, f.station_code, f.precinct_code)
             IS DISTINCT FROM (u.beat_code, u.station_code, u.precinct_code)$f$, t)
      USING area;
    GET DIAGNOSTICS n = ROW_COUNT;
    changed := changed + n;
  END LOOP;
  RETURN changed;
END $$;

-- A beat's precinct is its station's.
CREATE FUNCTION beat_precinct_from_station() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT s.precinct_code INTO NEW.precinct_code
    FROM stations s WHERE s.code = NEW.station_code AND s.deleted_at IS NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER beats_precinct BEFORE INSERT OR UPDATE OF station_code, precinct_code ON beats
  FOR EACH ROW EXECUTE FUNCTION beat_precinct_from_station();

-- Redrawing, re-coding, re-parenting or deleting a beat re-assigns everything under its old
-- and new shape, in the same transaction as the edit.
CREATE FUNCTION beats_reassign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM reassign_units_within(NEW.geom);
  ELSE
    -- A union, not ST_Collect: the old and new shapes overlap, and GEOS (3.11 on Debian's
    -- PostGIS) refuses to test points against a collection of overlapping polygons.
    PERFORM reassign_units_within(ST_Union(OLD.geom, NEW.geom));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER beats_reassign AFTER INSERT OR UPDATE OF geom, code, station_code, precinct_code, deleted_at
  ON beats FOR EACH ROW EXECUTE FUNCTION beats_reassign();

-- Stations pass their code and precinct down to their beats.
CREATE FUNCTION stations_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.code IS DISTINCT FROM OLD.code THEN
    UPDATE beats SET station_code = NEW.code WHERE station_code = OLD.code AND deleted_at IS NULL;
  END IF;
  IF NEW.precinct_code IS DISTINCT FROM OLD.precinct_code THEN
    UPDATE beats SET precinct_code = NEW.precinct_code WHERE station_code = NEW.code AND deleted_at IS NULL;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER stations_cascade AFTER UPDATE OF code, precinct_code ON stations
  FOR EACH ROW EXECUTE FUNCTION stations_cascade();

-- Visits take the units of the place visited; places remember their latest visit.
CREATE FUNCTION visits_units_from_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT p.beat_code, p.station_code, p.precinct_code
    INTO NEW.beat_code, NEW.station_code, NEW.precinct_code
    FROM key_places p WHERE p.id = NEW.place_id;
  RETURN NEW;
END $$;
CREATE TRIGGER visits_units BEFORE INSERT OR UPDATE OF place_id ON visits
  FOR EACH ROW EXECUTE FUNCTION visits_units_from_place();

CREATE FUNCTION key_places_units_to_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE visits SET beat_code = NEW.beat_code, station_code = NEW.station_code, precinct_code = NEW.precinct_code
   WHERE place_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER key_places_units_to_visits AFTER UPDATE OF beat_code, station_code, precinct_code ON key_places
  FOR EACH ROW WHEN ((OLD.beat_code, OLD.station_code, OLD.precinct_code)
                     IS DISTINCT FROM (NEW.beat_code, NEW.station_code, NEW.precinct_code))
  EXECUTE FUNCTION key_places_units_to_visits();

CREATE FUNCTION visits_refresh_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE key_places p
     SET last_visited_at = (SELECT max(v.visited_at) FROM visits v
                             WHERE v.place_id = p.id AND v.deleted_at IS NULL)
   WHERE p.id IN (NEW.place_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.place_id END);
  RETURN NULL;
END $$;
CREATE TRIGGER visits_last_visit AFTER INSERT OR UPDATE OF place_id, visited_at, deleted_at ON visits
  FOR EACH ROW EXECUTE FUNCTION visits_refresh_last_visit();
