import type { Principal } from '../../server/auth/principal.js';
import { actAs, type Db } from '../../server/db/db.js';
import { generateDemoCity } from '../../server/demo/city/generate.js';
import { loadDemoCity } from '../../server/demo/city/load.js';
import { readGround } from '../../server/demo/ground.js';
import { parsePeriod, taiwanToday, addDays } from '../../server/rollups/period.js';
import { resolveScope } from '../../server/rollups/scope.js';
import { downCameras, SECTIONS, type SectionContext } from '../../server/rollups/sections.js';
import { fmt, median, table, timeRuns } from './report.js';
import { onEachDatabase } from './scratch-db.js';

/**
 * 妥善率 (camera availability) at the size issue 16 names: 10,000 cameras over a year, each with
 * its status history (on average three changes in the year), by station for the bureau: the
 * roll-up's camera figures (the register counts and the time-based 妥善率 from history) and the
 * list of the cameras down longest, against the register counts alone (the snapshot 妥善率 the
 * roll-up had before: working ÷ total now) on the same cameras, in the same run.
 */

const ADMIN: Principal = { username: 'bench', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: null };
const TARGET_MS = 1000;

/** `cameras` cameras at the beats' inner points, in service for two years, with a year of status changes. */
async function loadCameras(db: Db, cameras: number): Promise<number> {
  return db.transaction(async (tx) => {
    await actAs(tx, 'bench');
    await tx.query(`SELECT set_config('app.bulk_load', 'on', true)`);
    await tx.query('SELECT setseed(0.16)');
    await tx.query(`
      INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, status, created_at, geom, beat_code, station_code, precinct_code)
      SELECT 'bench ' || i, 0, 90, 40, 'police', 'working', now() - interval '2 years',
             ST_PointOnSurface(b.geom), b.code, b.station_code, s.precinct_code
        FROM generate_series(1, $1) i
        CROSS JOIN LATERAL (SELECT code, station_code, geom FROM beats WHERE deleted_at IS NULL ORDER BY random() + i * 0 LIMIT 1) b
        JOIN stations s ON s.code = b.station_code`, [cameras]);
    // Each change flips between working and a fault (broken or offline), at a random moment of the year.
    await tx.query(`
      WITH moments AS (
        SELECT c.id, now() - random() * interval '365 days' AS at
          FROM cameras c CROSS JOIN LATERAL generate_series(1, (random() * 6 + c.id * 0)::int) k WHERE c.name LIKE 'bench %'
      ), ordered AS (
        SELECT id, at, row_number() OVER (PARTITION BY id ORDER BY at) AS n FROM moments
      ), flips AS (
        SELECT id, at, n, CASE WHEN n % 2 = 1 THEN (CASE WHEN random() < 0.8 THEN 'broken' ELSE 'offline' END) ELSE 'working' END AS became FROM ordered
      )
      INSERT INTO feature_history (layer_table, feature_id, version, action, actor, at, before, after)
      SELECT 'cameras', id, 1 + n::int, 'update', 'bench', at,
             jsonb_build_object('status', coalesce(lag(became) OVER (PARTITION BY id ORDER BY at), 'working')), jsonb_build_object('status', became)
        FROM flips ORDER BY id, at`);
    await tx.query(`
      UPDATE cameras c SET status = h.after ->> 'status'
        FROM (SELECT DISTINCT ON (feature_id) feature_id, after FROM feature_history WHERE layer_table = 'cameras' AND actor = 'bench'
               ORDER BY feature_id, at DESC) h
       WHERE c.id = h.feature_id`);
    const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE actor = 'bench'`);
    return rows[0]!.n;
  });
}

export async function availabilityBench(opts: { runs: number; cameras: number; databaseUrl?: string }): Promise<string> {
  const rows = await onEachDatabase(opts.databaseUrl, async (db, kind) => {
    await loadDemoCity(db, generateDemoCity({ seed: 1, scale: 0.01 }), readGround());
    const changes = await loadCameras(db, opts.cameras);
    if (kind === 'postgres') await db.exec('ANALYZE');
    const today = taiwanToday();
    const period = parsePeriod({ from: addDays(today, -364), to: today });
    const scope = await resolveScope(db, ADMIN, 'station', undefined);
    const ctx: SectionContext = { db, p: ADMIN, scope, period, overdueBefore: today, replaceAfterYears: 7 };
    const section = SECTIONS.find((s) => s.name === 'cameras')!;
    const withHistory = await timeRuns(opts.runs, async () => { await section.count(ctx); await downCameras(ctx); });
    const snapshot = await timeRuns(opts.runs, () => db.query(`SELECT station_code, count(*), count(*) FILTER (WHERE status = 'working')
      FROM cameras WHERE deleted_at IS NULL GROUP BY GROUPING SETS ((station_code), ())`));
    const total = (await section.count(ctx)).get('total')!;
    const ms = median(withHistory);
    return [kind, fmt(opts.cameras), fmt(changes), fmt(scope.units.length), withHistory.map((x) => fmt(x)).join(' / '), fmt(ms),
      `${fmt(median(snapshot), 1)} ms`, `${fmt(ms / median(snapshot), 1)}×`, `≤ ${fmt(TARGET_MS)} ms`, ms <= TARGET_MS ? 'met' : 'not met',
      `${fmt(Number(total.availability) * 100, 1)} %`];
  });
  return `妥善率 over a year (median of ${opts.runs} runs; by station, for the bureau)\n${table(
    ['database', 'cameras', 'status changes', 'stations', 'runs (ms)', 'median (ms)', 'register counts only', 'ratio', 'target', 'verdict', '妥善率'], rows)}`;
}
