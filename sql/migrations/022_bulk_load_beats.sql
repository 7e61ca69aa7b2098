-- A bulk load (app.bulk_load = on: the demo seed) writes every row with its units already
-- derived, so a beat it inserts has nothing to re-assign; looking would cost a dynamic query per
-- unit-assigned table for every beat (a city of 1,141 beats: 44 s on PGlite).
CREATE OR REPLACE FUNCTION beats_reassign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM reassign_units_within(NEW.geom);
  ELSE
    -- A union, not ST_Collect: the old and new shapes overlap, and GEOS (3.11 on Debian's
    -- PostGIS) refuses to test points against a collection of overlapping polygons.
    PERFORM reassign_units_within(ST_Union(OLD.geom, NEW.geom));
  END IF;
  RETURN NULL;
END $$;
