-- A bulk load (app.bulk_load = on: the demo seed) gives every row its units itself. The per-row
-- triggers that would look them up are kept from being called at all during such a load by a
-- WHEN clause, as the visits trigger is (060): the sign-ins' trigger read the point's row for
-- each of 24,578 demo sign-ins, and assign_units_from_geom was entered once per copied row only
-- to return. The functions are unchanged; imports still pass app.units_given (013).
DROP TRIGGER patrol_signins_units ON patrol_signins;
CREATE TRIGGER patrol_signins_units BEFORE INSERT OR UPDATE OF point_id ON patrol_signins
  FOR EACH ROW WHEN (current_setting('app.bulk_load', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION patrol_signins_units_from_point();

DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tg.tgrelid::regclass::text FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
            WHERE p.proname = 'assign_units_from_geom' AND NOT tg.tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %1$I ON %2$I', t || '_units', t);
    EXECUTE format($f$CREATE TRIGGER %1$I BEFORE INSERT OR UPDATE OF geom ON %2$I
      FOR EACH ROW WHEN (current_setting('app.bulk_load', true) IS DISTINCT FROM 'on')
      EXECUTE FUNCTION assign_units_from_geom()$f$, t || '_units', t);
  END LOOP;
END $$;
