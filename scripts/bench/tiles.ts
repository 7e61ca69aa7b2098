/**
 * npm run bench:tiles [-- --runs 3] [--seconds 10] [--tiles 500] [--scale 4] [--db embedded|postgres|both]
 *
 * The demo city at --scale 4 (≈208,000 incidents), a fixed list of tiles z10–z16 picked where
 * the data is, requested as the web map asks: all tiled layers in one composite tile, as admin,
 * gzip accepted. The service runs in its own process (tile-server.ts).
 *  - uncached: per-tile latency by zoom, against (a) the floor: the same tiles' ST_AsMVT queries
 *    (one per layer, unclustered, as a plain PostGIS tile server would run them), planning and
 *    execution timed inside PostgreSQL by EXPLAIN ANALYZE;
 *  - cached: latency, and throughput with 8 and 64 connections (autocannon), against (b) the
 *    ceiling: the same tiles pre-rendered and served from memory by bare Node http.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Principal } from '../../server/auth/principal.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { seedDemo } from '../../server/demo/seed.js';
import { LAYERS } from '../../server/layers/registry.js';
import { tileAt, type TileId } from '../../server/tiles/coords.js';
import { mvtQuery } from '../../server/tiles/sql.js';
import { startTsx, type Started } from '../lib/child.js';
import { fmt, machineLine, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    tiles: { type: 'string', default: '500' },
    scale: { type: 'string', default: '4' },
    db: { type: 'string', default: 'both' },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const PASSWORD = 'bench-password';
const ADMIN: Principal = { username: 'admin', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: null };
const TILED = LAYERS.filter((l) => l.tiles);
const COMPOSITE = TILED.map((l) => l.id).join(',');
const ZOOMS = [10, 11, 12, 13, 14, 15, 16];
const pathOf = (t: TileId) => `/tiles/${COMPOSITE}/${t.z}/${t.x}/${t.y}.mvt`;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/**
 * Tiles where the data is: the tiles of random incidents and cameras, zooms in turn, until
 * `count` distinct ones (the city spans only a few tiles at z10–z12, so most are z13–z16).
 */
async function pickTiles(db: Db, count: number): Promise<TileId[]> {
  await db.query('SELECT setseed(0.2026)');
  const { rows } = await db.query<{ lon: number; lat: number }>(`
    SELECT ST_X(geom) lon, ST_Y(geom) lat FROM (
      SELECT geom FROM incidents UNION ALL SELECT geom FROM cameras) p ORDER BY random() LIMIT ${count * 40}`);
  const seen = new Map<string, TileId>();
  for (let i = 0; i < rows.length && seen.size < count; i++) {
    const t = tileAt(rows[i]!.lon, rows[i]!.lat, ZOOMS[i % ZOOMS.length]!);
    seen.set(`${t.z}/${t.x}/${t.y}`, t);
  }
  return [...seen.values()];
}

/** The floor: every layer's ST_AsMVT query for the tile, planned and run inside PostgreSQL, summed. */
async function floorMs(client: pg.Client, t: TileId): Promise<number> {
  let total = 0;
  for (const layer of TILED) {
    if (t.z < layer.tiles!.minzoom || t.z > layer.tiles!.maxzoom) continue;
    const { sql, params } = mvtQuery(layer, ADMIN, t);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${sql}`, params);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    total += Number(/Planning Time: ([\d.]+) ms/.exec(plan)![1]) + Number(/Execution Time: ([\d.]+) ms/.exec(plan)![1]);
  }
  return total;
}

async function get(url: string, token: string): Promise<{ ms: number; body: Buffer; status: number }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' } });
  // fetch decompresses; the ceiling must send what the service sends, so keep the raw bytes.
  const body = Buffer.from(await res.arrayBuffer());
  return { ms: performance.now() - t, body, status: res.status };
}

async function load(url: string, paths: string[], token: string, connections: number): Promise<number> {
  let i = 0;
  const result = await autocannon({
    url, connections, duration: SECONDS,
    headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  if (result.non2xx > result.requests.total * 0.01) throw new Error(`${result.non2xx} of ${result.requests.total} requests failed`);
  return result.requests.average;
}

interface Measured {
  uncached: Map<number, number[]>;
  uncachedP95: Map<number, number[]>;
  floor: Map<number, number[]>;
  cached: number[];
  cachedP95: number[];
  throughput: Record<8 | 64, { ours: number[]; ceiling: number[] }>;
}

async function measure(env: NodeJS.ProcessEnv, tiles: TileId[], floorClient: pg.Client | undefined, m: Measured): Promise<void> {
  const start = (more: NodeJS.ProcessEnv) => startTsx(['scripts/bench/tile-server.ts'], { ...env, ...more }, /listening on (http:\/\/[\d.:]+)/);
  const paths = tiles.map(pathOf);
  let server: Started | undefined;
  try {
    // Uncached: every request renders.
    server = await start({ TILE_CACHE_MB: '0' });
    const url = server.match[1]!;
    const token = (await (await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json() as { token: string }).token;
    // One tile per zoom first: the cluster indexes are built once per data version, not per tile.
    for (const z of ZOOMS) await get(`${url}${pathOf(tiles.find((t) => t.z === z)!)}`, token);
    const byZoom = new Map<number, number[]>(ZOOMS.map((z) => [z, []]));
    for (const t of tiles) byZoom.get(t.z)!.push((await get(`${url}${pathOf(t)}`, token)).ms);
    for (const z of ZOOMS) {
      m.uncached.get(z)!.push(median(byZoom.get(z)!));
      m.uncachedP95.get(z)!.push(percentile(byZoom.get(z)!, 0.95));
    }
    if (floorClient) {
      const floors = new Map<number, number[]>(ZOOMS.map((z) => [z, []]));
      for (const t of tiles) floors.get(t.z)!.push(await floorMs(floorClient, t));
      for (const z of ZOOMS) m.floor.get(z)!.push(median(floors.get(z)!));
    }
    await server.stop();

    // Cached: warm every tile, keep their bytes for the ceiling, then time and load.
    server = await start({ TILE_CACHE_MB: '1024' });
    const cachedUrl = server.match[1]!;
    const cachedToken = (await (await fetch(`${cachedUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json() as { token: string }).token;
    const bodies: Record<string, string> = {};
    for (const p of paths) {
      const res = await fetch(`${cachedUrl}${p}`, { headers: { Authorization: `Bearer ${cachedToken}`, 'Accept-Encoding': 'gzip' } });
      // fetch hands over the MVT decompressed; the ceiling serves it gzipped, as the service does.
      if (res.status === 200) bodies[p] = gzipSync(Buffer.from(await res.arrayBuffer())).toString('base64');
    }
    const hits: number[] = [];
    for (const p of paths) hits.push((await get(`${cachedUrl}${p}`, cachedToken)).ms);
    m.cached.push(median(hits));
    m.cachedP95.push(percentile(hits, 0.95));
    const full = paths.filter((p) => bodies[p]);
    for (const c of [8, 64] as const) m.throughput[c].ours.push(await load(cachedUrl, full, cachedToken, c));
    await server.stop();

    const file = join(tmpdir(), `emap-static-tiles-${process.pid}.json`);
    await writeFile(file, JSON.stringify(bodies));
    server = await start({ STATIC_TILES: file });
    for (const c of [8, 64] as const) m.throughput[c].ceiling.push(await load(server.match[1]!, full, cachedToken, c));
    await server.stop();
    await rm(file, { force: true });
    server = undefined;
  } finally {
    await server?.stop();
  }
}

function report(name: string, tiles: TileId[], rows: Record<string, number>, m: Measured, hasFloor: boolean): string {
  const med = (xs: number[]) => median(xs);
  const lines = [`${name}: ${Object.entries(rows).map(([k, n]) => `${fmt(n)} ${k}`).join(', ')}; ${tiles.length} tiles; median of ${RUNS} runs`];
  lines.push(table(['zoom', 'tiles', 'uncached median ms', 'p95 ms', 'floor: ST_AsMVT in PostgreSQL ms', 'ours ÷ floor', 'within 1.2× + 1 ms'], ZOOMS.map((z) => {
    const ours = med(m.uncached.get(z)!);
    const floor = hasFloor ? med(m.floor.get(z)!) : NaN;
    return [z, tiles.filter((t) => t.z === z).length, fmt(ours, 1), fmt(med(m.uncachedP95.get(z)!), 1), hasFloor ? fmt(floor, 1) : 'n/a',
      hasFloor ? `${fmt(ours / floor, 2)}×` : 'n/a', hasFloor ? (ours <= floor * 1.2 + 1 ? 'yes' : 'no') : 'n/a'];
  })));
  lines.push(`cached: latency median ${fmt(med(m.cached), 2)} ms, p95 ${fmt(med(m.cachedP95), 2)} ms (one request at a time)`);
  lines.push(table(['connections', 'cached req/s', 'ceiling: bare Node static req/s', 'ours ÷ ceiling', '≥ 0.4'], ([8, 64] as const).map((c) => {
    const ours = med(m.throughput[c].ours);
    const ceiling = med(m.throughput[c].ceiling);
    return [c, fmt(ours), fmt(ceiling), `${fmt(ours / ceiling, 2)}`, ours / ceiling >= 0.4 ? 'yes' : 'no'];
  })));
  return lines.join('\n');
}

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const l of TILED) counts[l.id] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${l.table}`)).rows[0]!.n;
  return counts;
}

const fresh = (): Measured => ({
  uncached: new Map(ZOOMS.map((z) => [z, []])), uncachedP95: new Map(ZOOMS.map((z) => [z, []])),
  floor: new Map(ZOOMS.map((z) => [z, []])), cached: [], cachedP95: [],
  throughput: { 8: { ours: [], ceiling: [] }, 64: { ours: [], ceiling: [] } },
});

console.log(machineLine());
const serverUrl = process.env.DATABASE_URL;
const kinds = (values.db === 'both' ? ['embedded', 'postgres'] : [values.db]).filter((k) => k === 'embedded' || serverUrl);
const seeded = serverUrl ? await scratchDb('postgres', serverUrl) : undefined;
try {
  // The PostgreSQL database serves the floor for both and the postgres run itself.
  let floorClient: pg.Client | undefined;
  if (seeded) {
    await migrate(seeded);
    await seedDemo(seeded, { password: PASSWORD, scale: Number(values.scale) });
    floorClient = new pg.Client({ connectionString: seeded.url });
    await floorClient.connect();
    await floorClient.query(`SET TIME ZONE 'Asia/Taipei'`);
  }
  for (const kind of kinds) {
    const m = fresh();
    let env: NodeJS.ProcessEnv;
    let dir: string | undefined;
    let db: Db;
    if (kind === 'embedded') {
      dir = await mkdtemp(join(tmpdir(), 'emap-bench-tiles-'));
      db = await openPglite({ dataDir: dir });
      await migrate(db);
      await seedDemo(db, { password: PASSWORD, scale: Number(values.scale) });
      env = { DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' };
    } else {
      db = seeded!;
      env = { DATABASE_URL: seeded!.url, REDIS_URL: '' };
    }
    const tiles = await pickTiles(db, Number(values.tiles));
    const rows = await rowCounts(db);
    if (kind === 'embedded') await db.close();
    for (let run = 0; run < RUNS; run++) await measure(env, tiles, floorClient, m);
    console.log(`\n${report(kind === 'embedded' ? 'Embedded PGlite' : 'PostgreSQL/PostGIS', tiles, rows, m, floorClient !== undefined)}`);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  await floorClient?.end();
} finally {
  await seeded?.close();
}
