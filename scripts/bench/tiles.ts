/**
 * npm run bench:tiles [-- --runs 3] [--seconds 10] [--tiles 500] [--scale 4] [--db embedded|postgres|both] [--redis]
 * (also `npm run bench -- --only tiles`). PostgreSQL takes part when DATABASE_URL is set: the
 * benchmark creates and drops a scratch database on that server.
 *
 * Dataset: the demo city at --scale 4 (≈208,000 incidents; seeding it directly takes ~20 s on
 * PostgreSQL and ~50 s on PGlite here, faster than topping up scale 1), once per database: PGlite
 * in a temporary data folder, PostgreSQL in the scratch database.
 *
 * Tiles: --tiles distinct tiles z10–z16 where the data is: incidents and cameras in a fixed
 * pseudo-random order (md5 of their ids), zooms 10, 11, …, 16 in turn, the tile of each point
 * until enough distinct ones; the city covers only a few tiles at z10–z13, so most are z15–16.
 * Each tile is requested as the web map asks: every tiled layer in one composite tile, as admin,
 * gzip accepted, from the service running in its own process (tile-server.ts).
 *
 * Every run starts a fresh service (memory tile cache; with --redis, the PostgreSQL runs cache in a
 * Redis of the benchmark's own, empty at each run's start, as app instances do in production) and first asks for a few empty tiles
 * outside the city, which builds the cluster indexes (once per data version in the service) and
 * prepares the statements. Then:
 *  - uncached: the first request of each tile (a cache miss: rendered, gzipped, stored), one at a
 *    time; median and p95 per zoom, against (a) the floor: the same tile's per-layer ST_AsMVT
 *    queries (mvtQuery, unclustered, as a plain PostGIS tile server runs them), their Execution
 *    Time from EXPLAIN (ANALYZE, TIMING OFF) summed over the layers in zoom range. Planning, and
 *    the round trip, are not in the floor. The floor is always PostgreSQL's (PGlite has no
 *    ST_AsMVT). Below z15 the floor encodes every point while the service clusters, so there the
 *    ratio compares different work; the "service's SQL" column is what the service itself asks
 *    PostgreSQL for at that zoom (planning plus execution of its one composite statement).
 *  - cached: the second request of each tile, one at a time; then throughput with 8 and 64
 *    connections (autocannon, rotating through the tiles that have data) for --seconds each,
 *    against (b) the ceiling: the same gzipped bytes served from memory by bare Node http (no
 *    nginx on this machine), loaded alternately with the service. CPU per request of each
 *    server and the load generator's CPU are shown, since on a small machine the generator can
 *    be the limit of both.
 * Reported figures are medians over --runs runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Principal } from '../../server/auth/principal.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { seedDemo } from '../../server/demo/seed.js';
import { LAYERS } from '../../server/layers/registry.js';
import { tileAt, type TileId } from '../../server/tiles/coords.js';
import { clustered, mvtQuery, mvtSubquery } from '../../server/tiles/sql.js';
import { startTsx, type Started } from '../lib/child.js';
import { fmt, machineLine, median, table } from './report.js';
import { ownRedis } from '../lib/own-redis.js';
import { scratchDb } from './scratch-db.js';

export interface TileBenchOptions {
  runs: number;
  /** Duration of each throughput run. */
  seconds: number;
  tiles: number;
  scale: number;
  db: 'embedded' | 'postgres' | 'both';
  /** PostgreSQL runs cache tiles in Redis (redis-server started by the benchmark) instead of memory. */
  redis?: boolean;
  /** A PostgreSQL server for the scratch database; without it, embedded only and no floor. */
  databaseUrl?: string;
  /** Progress lines (to stderr by default). */
  progress?: (message: string) => void;
  /** The layers in each composite tile (default: every tiled layer, as the web map asks). */
  layers?: readonly string[];
  /** Where the tiles are taken: where incidents and cameras are (default), or over the basic statistical areas. */
  over?: 'data' | 'blocks';
}

type Kind = 'embedded' | 'postgres';

export const PASSWORD = 'bench-password';
const ADMIN: Principal = { username: 'admin', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: null };
/** The layers asked for in each tile: set once per benchmark (tileBench). */
let TILED = LAYERS.filter((l) => l.tiles);
let COMPOSITE = TILED.map((l) => l.id).join(',');
const ZOOMS = [10, 11, 12, 13, 14, 15, 16];
const CONNECTIONS = [8, 64] as const;
/** Each service process exits by itself after this long. */
const SERVER_MAX_SECONDS = 900;
/** One tile request, even an uncached z10 on PGlite, answers well within this. */
const REQUEST_TIMEOUT_MS = 120_000;

export const pathOf = (t: TileId) => `/tiles/${COMPOSITE}/${t.z}/${t.x}/${t.y}.mvt`;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const inRange = (z: number) => TILED.filter((l) => z >= l.tiles!.minzoom && z <= l.tiles!.maxzoom);

/** Tiles where the data is (see the header), or over the block fabric; the same list for every database. */
export async function pickTiles(db: Db, count: number, over: 'data' | 'blocks' = 'data'): Promise<TileId[]> {
  const points = over === 'blocks'
    ? `SELECT code AS k, ST_PointOnSurface(geom) AS geom FROM blocks WHERE deleted_at IS NULL`
    : `SELECT 'i' || id AS k, geom FROM incidents WHERE deleted_at IS NULL
       UNION ALL SELECT 'c' || id, geom FROM cameras WHERE deleted_at IS NULL`;
  const { rows } = await db.query<{ lon: number; lat: number }>(`
    SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM (${points}) p ORDER BY md5(k) LIMIT ${count * 40}`);
  const seen = new Map<string, TileId>();
  for (let i = 0; i < rows.length && seen.size < count; i++) {
    const t = tileAt(rows[i]!.lon, rows[i]!.lat, ZOOMS[i % ZOOMS.length]!);
    seen.set(`${t.z}/${t.x}/${t.y}`, t);
  }
  return [...seen.values()].sort((a, b) => a.z - b.z || a.x - b.x || a.y - b.y);
}

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const l of TILED) counts[l.id] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${l.table} WHERE deleted_at IS NULL`)).rows[0]!.n;
  return counts;
}

async function explain(client: pg.Client, sql: string, params: unknown[]): Promise<{ planning: number; execution: number }> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${sql}`, params);
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  return { planning: Number(/Planning Time: ([\d.]+) ms/.exec(plan)![1]), execution: Number(/Execution Time: ([\d.]+) ms/.exec(plan)![1]) };
}

interface FloorTimes {
  /** Σ over the layers of their ST_AsMVT query's Execution Time. */
  execution: number;
  /** Σ of their Planning Time (not part of the floor, shown beside it). */
  planning: number;
  /** The service's own statement for the tile: its unclustered layers in one SELECT, planning + execution. */
  service: number;
}

async function floorOf(client: pg.Client, t: TileId): Promise<FloorTimes> {
  const out = { execution: 0, planning: 0, service: 0 };
  for (const layer of inRange(t.z)) {
    const { sql, params } = mvtQuery(layer, ADMIN, t);
    const e = await explain(client, sql, params);
    out.execution += e.execution;
    out.planning += e.planning;
  }
  // As TileRenderer sends it: clustered layers come from supercluster instead.
  const params: unknown[] = [];
  const columns = inRange(t.z).filter((l) => !clustered(l, t.z)).map((l, i) => `(${mvtSubquery(l, ADMIN, t, params)}) AS l${i}`);
  if (columns.length) {
    const e = await explain(client, `SELECT ${columns.join(', ')}`, params);
    out.service = e.planning + e.execution;
  }
  return out;
}

/** A keep-alive HTTP client that hands over the bytes as sent (no decompression). */
class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  constructor(readonly url: string, private readonly token: string) {}

  get(path: string): Promise<{ ms: number; status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const t = performance.now();
      const req = request(`${this.url}${path}`, { agent: this.agent, headers: { Authorization: `Bearer ${this.token}`, 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode!, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer to ${path} within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function serverCpuMs(url: string): Promise<number> {
  const res = await fetch(`${url}/__bench/cpu`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const { user, system } = (await res.json()) as { user: number; system: number };
  return (user + system) / 1000;
}

interface Load {
  rps: number;
  mbps: number;
  /** Server CPU time per request, µs. */
  cpuUs: number;
  /** Load generator's CPU, % of one core. */
  generatorCpu: number;
}

async function load(url: string, paths: string[], token: string, connections: number, seconds: number): Promise<Load> {
  let i = 0;
  const cpu0 = await serverCpuMs(url);
  const gen0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await autocannon({
    url, connections, duration: seconds,
    headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  const elapsed = performance.now() - t0;
  const gen = process.cpuUsage(gen0);
  const cpu = (await serverCpuMs(url)) - cpu0;
  const total = result.requests.total;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > total * 0.01) throw new Error(`${url}: ${failed} of ${total} requests failed`);
  return {
    rps: result.requests.average, mbps: result.throughput.average / 1e6, cpuUs: (cpu * 1000) / total,
    generatorCpu: ((gen.user + gen.system) / 1000 / elapsed) * 100,
  };
}

interface RunResult {
  uncached: Map<number, number[]>;
  cached: number[];
  bodies: Map<string, Buffer>;
  ours: Record<number, Load>;
  ceiling: Record<number, Load>;
}

const startServer = (env: NodeJS.ProcessEnv) =>
  startTsx(['scripts/bench/tile-server.ts'], { BENCH_MAX_SECONDS: String(SERVER_MAX_SECONDS), ...env }, /listening on (http:\/\/[\d.:]+)/);

/** Empty tiles far from the city, one per zoom: not in any tile list (the city is in Taiwan). */
const WARM_UP: TileId[] = ZOOMS.map((z) => ({ z, x: 0, y: 0 }));

async function run(env: NodeJS.ProcessEnv, tiles: TileId[], seconds: number, log: (m: string) => void): Promise<RunResult> {
  const servers: Started[] = [];
  let client: Client | undefined;
  let staticFile: string | undefined;
  try {
    const server = await startServer({ ...env, TILE_CACHE_MB: '1024' });
    servers.push(server);
    const url = server.match[1]!;
    const token = await login(url);
    client = new Client(url, token);
    for (let pass = 0; pass < 2; pass++) for (const t of WARM_UP) await client.get(pathOf(t));

    log('uncached pass');
    const uncached = new Map<number, number[]>(ZOOMS.map((z) => [z, []]));
    const bodies = new Map<string, Buffer>();
    for (const t of tiles) {
      const r = await client.get(pathOf(t));
      if (r.status !== 200 && r.status !== 204) throw new Error(`${pathOf(t)}: ${r.status} ${r.body.toString()}`);
      uncached.get(t.z)!.push(r.ms);
      if (r.status === 200) bodies.set(pathOf(t), r.body);
    }
    log('cached pass');
    const cached: number[] = [];
    for (const t of tiles) {
      const r = await client.get(pathOf(t));
      const first = bodies.get(pathOf(t));
      if (r.status !== (first ? 200 : 204) || (first && !first.equals(r.body))) throw new Error(`${pathOf(t)}: cached answer differs from the first`);
      cached.push(r.ms);
    }

    // The ceiling serves exactly the bytes the service sent.
    staticFile = join(tmpdir(), `emap-static-tiles-${process.pid}.json`);
    await writeFile(staticFile, JSON.stringify(Object.fromEntries([...bodies].map(([p, b]) => [p, b.toString('base64')]))));
    const ceilingServer = await startServer({ STATIC_TILES: staticFile });
    servers.push(ceilingServer);
    const full = [...bodies.keys()];
    const ours: Record<number, Load> = {};
    const ceiling: Record<number, Load> = {};
    for (const c of CONNECTIONS) {
      log(`throughput, ${c} connections`);
      ours[c] = await load(url, full, token, c, seconds);
      ceiling[c] = await load(ceilingServer.match[1]!, full, token, c, seconds);
    }
    return { uncached, cached, bodies, ours, ceiling };
  } finally {
    client?.close();
    for (const s of servers) await s.stop();
    if (staticFile) await rm(staticFile, { force: true });
  }
}

function report(kind: Kind, redis: boolean, tiles: TileId[], rows: Record<string, number>, runs: RunResult[], floors: Map<string, FloorTimes>[]): string {
  const tilesAt = (z: number) => tiles.filter((t) => t.z === z);
  const zooms = ZOOMS.filter((z) => tilesAt(z).length > 0);
  const bodies = runs[0]!.bodies;
  const bytes = [...bodies.values()].reduce((n, b) => n + b.length, 0);
  const lines = [
    `${kind === 'embedded' ? 'Embedded PGlite' : `PostgreSQL/PostGIS${redis ? ' + Redis' : ''}`}: ${Object.entries(rows).map(([k, n]) => `${fmt(n)} ${k}`).join(', ')}; tiles of ${COMPOSITE}`,
    `${tiles.length} tiles (${zooms.map((z) => `${tilesAt(z).length} at z${z}`).join(', ')}); ${bodies.size} with data, mean ${fmt(bytes / bodies.size / 1000, 1)} kB gzipped; median of ${runs.length} run${runs.length > 1 ? 's' : ''}`,
  ];
  const hasFloor = floors.length > 0;
  // Per zoom: the median over tiles within a run, then the median over runs.
  const floorAt = (z: number, f: (x: FloorTimes) => number) =>
    median(floors.map((run) => median(tilesAt(z).map((t) => f(run.get(`${t.z}/${t.x}/${t.y}`)!)))));
  const header = ['zoom', 'tiles', 'uncached median ms', 'p95 ms', '(a) floor ms', 'ours ÷ floor', '≤ 1.2 × floor + 1 ms', 'floor planning ms'];
  if (kind === 'postgres') header.push("service's SQL in PG ms");
  lines.push(table(header, zooms.map((z) => {
    const ours = median(runs.map((r) => median(r.uncached.get(z)!)));
    const p95 = median(runs.map((r) => percentile(r.uncached.get(z)!, 0.95)));
    const floor = hasFloor ? floorAt(z, (f) => f.execution) : NaN;
    const row: (string | number)[] = [z, tilesAt(z).length, fmt(ours, 1), fmt(p95, 1)];
    if (hasFloor) {
      row.push(fmt(floor, 1), `${fmt(ours / floor, 2)}×`, ours <= floor * 1.2 + 1 ? 'met' : 'not met', fmt(floorAt(z, (f) => f.planning), 1));
    } else {
      row.push('n/a', 'n/a', 'n/a', 'n/a');
    }
    if (kind === 'postgres') row.push(hasFloor ? fmt(floorAt(z, (f) => f.service), 1) : 'n/a');
    return row;
  })));
  lines.push(`cached, one request at a time: median ${fmt(median(runs.map((r) => median(r.cached))), 2)} ms, p95 ${fmt(median(runs.map((r) => percentile(r.cached, 0.95))), 2)} ms`);
  lines.push(table(
    ['connections', 'cached req/s', 'MB/s', 'server CPU µs/req', '(b) ceiling req/s', 'ceiling CPU µs/req', 'ours ÷ ceiling', '≥ 0.4',
      'ceiling ÷ ours CPU/req', 'load generator CPU ours / ceiling'],
    CONNECTIONS.map((c) => {
      const m = (side: 'ours' | 'ceiling', f: (l: Load) => number) => median(runs.map((r) => f(r[side][c]!)));
      const ratio = median(runs.map((r) => r.ours[c]!.rps / r.ceiling[c]!.rps));
      const cpuRatio = median(runs.map((r) => r.ceiling[c]!.cpuUs / r.ours[c]!.cpuUs));
      return [c, fmt(m('ours', (l) => l.rps)), fmt(m('ours', (l) => l.mbps), 1), fmt(m('ours', (l) => l.cpuUs)), fmt(m('ceiling', (l) => l.rps)),
        fmt(m('ceiling', (l) => l.cpuUs)), fmt(ratio, 2), ratio >= 0.4 ? 'met' : 'not met', fmt(cpuRatio, 2),
        `${fmt(m('ours', (l) => l.generatorCpu))}% / ${fmt(m('ceiling', (l) => l.generatorCpu))}%`];
    })));
  return lines.join('\n');
}

export async function tileBench(o: TileBenchOptions): Promise<string> {
  const started = performance.now();
  TILED = LAYERS.filter((l) => l.tiles && (!o.layers || o.layers.includes(l.id)));
  COMPOSITE = TILED.map((l) => l.id).join(',');
  const over = o.over ?? 'data';
  const log = o.progress ?? ((m: string) => console.error(`[bench:tiles ${((performance.now() - started) / 1000).toFixed(0)} s] ${m}`));
  const kinds = (o.db === 'both' ? ['embedded', 'postgres'] as const : [o.db]).filter((k) => k === 'embedded' || o.databaseUrl);
  if (kinds.length === 0) return 'bench:tiles: --db postgres needs DATABASE_URL';
  const out: string[] = [];
  // The PostgreSQL database serves the postgres runs and the floor of both.
  const seeded = o.databaseUrl ? await scratchDb('postgres', o.databaseUrl) : undefined;
  const dirs: string[] = [];
  let floorClient: pg.Client | undefined;
  try {
    const datasets = new Map<Kind, { env: NodeJS.ProcessEnv; rows: Record<string, number> }>();
    let tiles: TileId[] | undefined;
    if (seeded) {
      log(`seeding PostgreSQL, scale ${o.scale}`);
      await migrate(seeded);
      await seedDemo(seeded, { password: PASSWORD, scale: o.scale });
      tiles = await pickTiles(seeded, o.tiles, over);
      datasets.set('postgres', { env: { DATABASE_URL: seeded.url, REDIS_URL: '' }, rows: await rowCounts(seeded) });
      floorClient = new pg.Client({ connectionString: seeded.url });
      await floorClient.connect();
      await floorClient.query(`SET TIME ZONE 'Asia/Taipei'`);
    }
    if (kinds.includes('embedded')) {
      log(`seeding PGlite, scale ${o.scale}`);
      const dir = await mkdtemp(join(tmpdir(), 'emap-bench-tiles-'));
      dirs.push(dir);
      const db = await openPglite({ dataDir: dir });
      try {
        await migrate(db);
        await seedDemo(db, { password: PASSWORD, scale: o.scale });
        tiles ??= await pickTiles(db, o.tiles, over);
        datasets.set('embedded', { env: { DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' }, rows: await rowCounts(db) });
      } finally {
        await db.close();
      }
    }
    if (tiles!.length < o.tiles) log(`only ${tiles!.length} distinct tiles have data`);

    const floors: Map<string, FloorTimes>[] = [];
    if (floorClient) {
      for (let i = 0; i < o.runs; i++) {
        log(`floor, run ${i + 1} of ${o.runs}`);
        const floor = new Map<string, FloorTimes>();
        for (const t of tiles!) floor.set(`${t.z}/${t.x}/${t.y}`, await floorOf(floorClient, t));
        floors.push(floor);
      }
    }

    for (const kind of kinds) {
      const { env, rows } = datasets.get(kind)!;
      const redis = kind === 'postgres' && o.redis === true;
      const runs: RunResult[] = [];
      for (let i = 0; i < o.runs; i++) {
        const cache = redis ? await ownRedis() : undefined;
        try {
          runs.push(await run({ ...env, ...(cache ? { REDIS_URL: cache.url } : {}) }, tiles!, o.seconds, (m) => log(`${kind}, run ${i + 1} of ${o.runs}: ${m}`)));
        } finally {
          await cache?.stop();
        }
      }
      out.push(report(kind, redis, tiles!, rows, runs, floors));
    }
  } finally {
    await floorClient?.end();
    await seeded?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
  out.push([
    '(a) floor: Σ over the layers in zoom range of Execution Time of EXPLAIN (ANALYZE, TIMING OFF) of their unclustered ST_AsMVT query, in PostgreSQL, for both tables;',
    '    below z15 it encodes every point, while the service serves clusters. (b) ceiling: bare Node http serving the same gzipped bytes from memory.',
    '    When the load generator, not the server, is the limit (its CPU near 100%), "ceiling ÷ ours CPU/req" estimates the throughput ratio',
    '    a server with a core of its own would reach.',
    `whole benchmark: ${fmt((performance.now() - started) / 1000)} s`,
  ].join('\n'));
  return out.join('\n\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      tiles: { type: 'string', default: '500' },
      scale: { type: 'string', default: '4' },
      db: { type: 'string', default: 'both' },
      redis: { type: 'boolean', default: false },
    },
  });
  if (!['embedded', 'postgres', 'both'].includes(values.db)) throw new Error('--db is embedded, postgres or both');
  console.log(machineLine());
  console.log(`\n${await tileBench({
    runs: Number(values.runs), seconds: Number(values.seconds), tiles: Number(values.tiles), scale: Number(values.scale),
    db: values.db as TileBenchOptions['db'], redis: values.redis, databaseUrl: process.env.DATABASE_URL,
  })}`);
}
