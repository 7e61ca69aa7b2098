-- A bulk load (app.bulk_load = on: the demo seed) sets each key place's last visit once, set-based,
-- after its visits (server/demo/city/load.ts); per visit, the trigger rewrote the place's row and
-- its index entries (1,845 visits: 0.6 s of the embedded first start).
CREATE OR REPLACE FUNCTION visits_refresh_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('app.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
  UPDATE key_places p
     SET last_visited_at = (SELECT max(v.visited_at) FROM visits v
                             WHERE v.place_id = p.id AND v.deleted_at IS NULL)
   WHERE p.id IN (NEW.place_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.place_id END);
  RETURN NULL;
END $$;
