import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { actAs, type Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { generateDemoCity } from '../../server/demo/city/generate.js';
import { loadDemoCity } from '../../server/demo/city/load.js';
import { readGround } from '../../server/demo/ground.js';
import { fmt, median, table, timeRuns } from './report.js';
import { scratchDb } from './scratch-db.js';

/**
 * Beat assignment throughput: N random points (uniform over the beats' extent, fixed seed)
 * assigned with locate_beat, the same function the triggers and /api/locate use.
 * Datasets: the demo city's beats, and 臺南's basic statistical areas (../shared/data) as a
 * stand-in for a city with thousands of beats.
 */

const SHARED = fileURLToPath(new URL('../../../shared/data/tainan-statistical-areas/basic_areas_by_town/', import.meta.url));
/** Central 臺南: 東區, 南區, 北區, 安平區, 中西區, 安南區: 5,146 basic areas. */
const TAINAN_TOWNS = ['67000320', '67000330', '67000340', '67000360', '67000370', '67000350'];

async function loadTainanAreas(db: Db): Promise<number> {
  let n = 0;
  await db.transaction(async (tx) => {
    await actAs(tx, 'bench');
    await tx.query(`SELECT set_config('app.bulk_load', 'on', true)`);
    await tx.query(`INSERT INTO stations (code, name, precinct_code, geom)
      VALUES ('TN', '臺南', 'TN', ST_Multi(ST_MakeEnvelope(120.0, 22.8, 120.4, 23.2, 4326)))`);
    for (const town of TAINAN_TOWNS) {
      const { features } = JSON.parse(readFileSync(`${SHARED}${town}.json`, 'utf8')) as { features: unknown[] };
      await tx.query(
        `INSERT INTO beats (code, name, station_code, geom)
         SELECT a->'properties'->>'CODEBASE', a->'properties'->>'CODEBASE', 'TN',
                ST_Multi(ST_MakeValid(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(a->>'geometry'), 4326))))
           FROM jsonb_array_elements($1::jsonb) a`, [JSON.stringify(features)]);
      n += features.length;
    }
  });
  return n;
}

async function makePoints(db: Db, count: number): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS bench_points`);
  await db.query(`SELECT setseed(0.42)`);
  await db.exec(`CREATE TABLE bench_points AS
    SELECT ST_SetSRID(ST_MakePoint(e.xmin + random() * (e.xmax - e.xmin), e.ymin + random() * (e.ymax - e.ymin)), 4326) AS p
      FROM (SELECT ST_XMin(x) xmin, ST_XMax(x) xmax, ST_YMin(x) ymin, ST_YMax(x) ymax
              FROM (SELECT ST_Extent(geom)::geometry x FROM beats WHERE deleted_at IS NULL) s) e,
           generate_series(1, ${count})`);
}

async function assignAll(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(l.beat_code)::int AS n FROM bench_points b CROSS JOIN LATERAL locate_beat(b.p) l`);
  return rows[0]!.n;
}

type Dataset = 'demo' | 'tainan';


export async function beatAssignmentBench(opts: { points: number; runs: number; databaseUrl?: string }): Promise<string> {
  const rows: (string | number)[][] = [];
  const kinds: ('pglite' | 'postgres')[] = opts.databaseUrl ? ['postgres', 'pglite'] : ['pglite'];
  const datasets: Dataset[] = existsSync(SHARED) ? ['demo', 'tainan'] : ['demo'];
  const perSecond: Record<string, number> = {};
  for (const dataset of datasets) {
    for (const kind of kinds) {
      const db = await scratchDb(kind, opts.databaseUrl);
      try {
        await migrate(db);
        const beats = dataset === 'demo'
          ? (await loadDemoCity(db, generateDemoCity({ seed: 1, scale: 0.01 }), readGround())).counts.beats!
          : await loadTainanAreas(db);
        await makePoints(db, opts.points);
        if (kind === 'postgres') await db.exec('ANALYZE');
        let assigned = 0;
        const ms = await timeRuns(opts.runs, async () => { assigned = await assignAll(db); });
        const pps = opts.points / (median(ms) / 1000);
        perSecond[`${dataset}/${kind}`] = pps;
        rows.push([dataset === 'demo' ? 'demo city' : '臺南 basic areas', fmt(beats), kind, fmt(opts.points),
          fmt(assigned), ms.map((x) => fmt(x / 1000, 2)).join(' / '), fmt(pps),
          kind === 'pglite' && perSecond[`${dataset}/postgres`] ? `${fmt(pps / perSecond[`${dataset}/postgres`]!, 2)}×` : '—']);
      } finally {
        await db.close();
      }
    }
  }
  return `Beat assignment (locate_beat over ${fmt(opts.points)} random points; median of ${opts.runs} runs; reference: PostGIS)\n` +
    table(['beats', 'count', 'database', 'points', 'inside a beat', 'seconds per run', 'points/s (median)', 'vs PostGIS'], rows);
}
