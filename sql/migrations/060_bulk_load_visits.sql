-- A bulk load (app.bulk_load = on: the demo seed) sets each key place's last visit once, set-based,
-- after its visits (server/demo/city/load.ts); per visit, the trigger rewrote the place's row and
-- its index entries (1,845 visits: 0.6 s of the embedded first start). The WHEN clause keeps the
-- trigger from being called at all during such a load; its function (005) is unchanged.
DROP TRIGGER visits_last_visit ON visits;
CREATE TRIGGER visits_last_visit AFTER INSERT OR UPDATE OF place_id, visited_at, deleted_at ON visits
  FOR EACH ROW WHEN (current_setting('app.bulk_load', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION visits_refresh_last_visit();
