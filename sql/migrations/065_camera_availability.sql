-- Camera availability (妥善率) over a period: for each camera, the seconds of [p_from, p_to) it was
-- in service (created, not yet deleted) and, of those, the seconds in each status, read from its
-- history (feature_history, one row per change; the row's `after` holds the whole camera).
--
-- The status when the period (or the camera's service) starts is the one set by its last change
-- before then; a camera whose first recorded change comes later (in the period or after it) had
-- that change's `before` status until it; a camera with no history (loaded in bulk) has had its
-- present status throughout. A camera deleted and later restored was out of service between the
-- two (its history has both); a camera deleted now was in service until its deletion.
CREATE FUNCTION camera_availability(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (camera_id bigint, in_service_s double precision, working_s double precision, broken_s double precision, offline_s double precision)
LANGUAGE sql STABLE AS $$
  WITH served AS (
    SELECT c.id, greatest(p_from, c.created_at) AS s, least(p_to, coalesce(c.deleted_at, p_to)) AS e, c.status AS present
      FROM cameras c
     WHERE c.created_at < p_to AND coalesce(c.deleted_at, p_to) > p_from
  ), changes AS (
    -- A deletion is a change to '(deleted)' and a restoration one back: the time between is not in service.
    SELECT h.feature_id AS id, h.id AS hid, h.at,
           CASE WHEN h.action = 'restore' THEN '(deleted)' ELSE h.before ->> 'status' END AS was,
           CASE WHEN h.action = 'delete' THEN '(deleted)' ELSE h.after ->> 'status' END AS became
      FROM feature_history h JOIN served ON served.id = h.feature_id
     WHERE h.layer_table = 'cameras'
       AND (h.before IS NULL OR h.action IN ('delete', 'restore') OR h.before ->> 'status' IS DISTINCT FROM h.after ->> 'status')
  ), last_before AS (
    -- One sorted pass each (not a probe per camera): the last change up to the start, the first after it.
    SELECT DISTINCT ON (c.id) c.id, c.became FROM changes c JOIN served ON served.id = c.id
     WHERE c.at <= served.s ORDER BY c.id, c.at DESC, c.hid DESC
  ), first_after AS (
    SELECT DISTINCT ON (c.id) c.id, c.was, c.became FROM changes c JOIN served ON served.id = c.id
     WHERE c.at > served.s ORDER BY c.id, c.at, c.hid
  ), opening AS (
    SELECT served.id, served.s AS t, coalesce(lb.became, fa.was, fa.became, served.present) AS status
      FROM served LEFT JOIN last_before lb ON lb.id = served.id LEFT JOIN first_after fa ON fa.id = served.id
  ), steps AS (
    SELECT id, 0::bigint AS hid, t, status FROM opening
    UNION ALL
    SELECT c.id, c.hid, c.at, c.became FROM changes c JOIN served ON served.id = c.id WHERE c.at > served.s AND c.at < served.e
  ), spans AS (
    SELECT steps.id, steps.status,
           extract(epoch FROM lead(steps.t, 1, served.e) OVER (PARTITION BY steps.id ORDER BY steps.t, steps.hid) - steps.t)::float8 AS seconds
      FROM steps JOIN served ON served.id = steps.id
  )
  SELECT id, coalesce(sum(seconds) FILTER (WHERE status <> '(deleted)'), 0), coalesce(sum(seconds) FILTER (WHERE status = 'working'), 0),
         coalesce(sum(seconds) FILTER (WHERE status = 'broken'), 0), coalesce(sum(seconds) FILTER (WHERE status = 'offline'), 0)
    FROM spans GROUP BY id
    -- A camera deleted throughout the period (and restored since) did not serve in it.
   HAVING coalesce(sum(seconds) FILTER (WHERE status <> '(deleted)'), 0) > 0
$$;
