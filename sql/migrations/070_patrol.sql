-- 電子巡簽: patrol sign-in points (巡簽點: 巡邏箱, 村里長服務處, a building's 簽章表, …) that
-- planners keep, and the sign-ins officers make at them (server/patrol). A sign-in is written
-- only by the sign-in endpoint, after its checks; it carries the point's units, so the roll-ups
-- and access rules read it like the other records.
CREATE TABLE patrol_points (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name   text NOT NULL,
  kind   text NOT NULL,
  keeper text,
  notes  text,
  -- Part of the point's QR code (server/patrol/qr.ts): a new version voids the printed code.
  code_version integer NOT NULL DEFAULT 1 CHECK (code_version > 0),
  geom   geometry(Point, 4326) NOT NULL
);
CREATE INDEX patrol_points_precinct ON patrol_points (precinct_code);
INSERT INTO unit_assigned_tables VALUES ('patrol_points');
CREATE TRIGGER patrol_points_units BEFORE INSERT OR UPDATE OF geom ON patrol_points
  FOR EACH ROW EXECUTE FUNCTION assign_units_from_geom();
SELECT track_layer_table('patrol_points');

CREATE TABLE patrol_signins (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  point_id   bigint NOT NULL REFERENCES patrol_points (id),
  officer    text NOT NULL,
  signed_at  timestamptz NOT NULL,
  -- position: within the allowed distance of the point; qr: the point's code was scanned.
  method     text NOT NULL CHECK (method IN ('position', 'qr')),
  -- How far the officer's reported position was from the point, and the device's accuracy.
  distance_m double precision,
  accuracy_m double precision
);
CREATE INDEX patrol_signins_point ON patrol_signins (point_id, signed_at DESC);
CREATE INDEX patrol_signins_station ON patrol_signins (station_code, signed_at);

-- A sign-in's units are its point's, at the time it is made.
CREATE FUNCTION patrol_signins_units_from_point() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT p.beat_code, p.station_code, p.precinct_code INTO NEW.beat_code, NEW.station_code, NEW.precinct_code
    FROM patrol_points p WHERE p.id = NEW.point_id;
  RETURN NEW;
END $$;
CREATE TRIGGER patrol_signins_units BEFORE INSERT OR UPDATE OF point_id ON patrol_signins
  FOR EACH ROW EXECUTE FUNCTION patrol_signins_units_from_point();
CREATE TRIGGER patrol_signins_history_insert AFTER INSERT ON patrol_signins REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement();
CREATE TRIGGER patrol_signins_history_update AFTER UPDATE ON patrol_signins REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_history_per_statement();
CREATE TRIGGER patrol_signins_no_delete BEFORE DELETE ON patrol_signins FOR EACH ROW EXECUTE FUNCTION forbid_hard_delete();
