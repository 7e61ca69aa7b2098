import type { Db } from '../../server/db/db.js';
import { fmt, median, table, timeRuns } from './report.js';
import { onEachDatabase } from './scratch-db.js';

/**
 * Camera coverage among buildings at the size issue 19 names: 1,000 cameras among 10,000
 * buildings (rectangles of 8–25 m, about 1,100 to the km², as in a dense 桃園 district), each
 * camera's view its sector less the shadows of the buildings in it (sql/migrations/085). The
 * reference, measured in the same run on the same cameras, is their sectors alone (what the
 * refresh costs without a building in the way).
 */
const TARGET_MS = 5000;
/** A corner of the ground in TWD97 TM2 metres (中壢): buildings and cameras within 3 km of it. */
const [X0, Y0, SIDE] = [272_000, 2_763_000, 3000];

async function load(db: Db, buildings: number, cameras: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('app.actor', 'bench', true), set_config('app.bulk_load', 'on', true), setseed(0.19)`);
    await tx.query(`
      INSERT INTO buildings (geom)
      SELECT ST_Multi(ST_Transform(ST_MakeEnvelope(x, y, x + 8 + random() * 17, y + 8 + random() * 17, 3826), 4326))
        FROM (SELECT $1 + random() * $3 AS x, $2 + random() * $3 AS y FROM generate_series(1, $4)) s`, [X0, Y0, SIDE, buildings]);
    await tx.query(`
      INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, geom)
      SELECT 'bench ' || i, floor(random() * 360), 60 + floor(random() * 61), 30 + floor(random() * 31), 'police',
             ST_Transform(ST_SetSRID(ST_MakePoint($1 + random() * $3, $2 + random() * $3), 3826), 4326)
        FROM generate_series(1, $4) i`, [X0, Y0, SIDE, cameras]);
  });
}

export async function visibilityBench(opts: { runs: number; databaseUrl?: string }): Promise<string> {
  const [buildings, cameras] = [10_000, 1_000];
  const rows = await onEachDatabase(opts.databaseUrl, async (db, kind) => {
    await load(db, buildings, cameras);
    if (kind === 'postgres') await db.exec('ANALYZE');
    const { rows: [shape] } = await db.query<{ blocked: number; per: number }>(`
      SELECT avg((n > 0)::int)::float8 AS blocked, avg(n)::float8 AS per FROM (
        SELECT (SELECT count(*) FROM blocking_buildings(ST_Transform(c.geom, 3826), camera_sector(c.geom, c.azimuth, c.fov, c.range_m)))::int AS n
          FROM cameras c) s`);
    const views = await timeRuns(opts.runs, () => db.query(`SELECT refresh_camera_coverage(array_agg(id)) FROM cameras`));
    const sectors = await timeRuns(opts.runs, () => db.query(`SELECT sum(ST_Area(camera_sector(geom, azimuth, fov, range_m))) FROM cameras`));
    const ms = median(views);
    return [kind, fmt(cameras), fmt(buildings), `${fmt(shape!.blocked * 100)} %`, fmt(shape!.per, 1), views.map((x) => fmt(x)).join(' / '), fmt(ms),
      `${fmt(median(sectors))} ms`, `${fmt(ms / median(sectors), 1)}×`, `≤ ${fmt(TARGET_MS)} ms`, ms <= TARGET_MS ? 'met' : 'not met'];
  });
  return `Camera views among buildings (median of ${opts.runs} runs; every camera's view computed again)\n${table(
    ['database', 'cameras', 'buildings', 'cameras with buildings in view', 'buildings per view', 'runs (ms)', 'median (ms)', 'sectors alone', 'ratio', 'target', 'verdict'], rows)}`;
}
