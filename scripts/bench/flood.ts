/**
 * npm run bench -- --only flood [--runs N] [--seconds S] [--scale S]
 *
 * Fair sharing under a flood (issue 14): cached-tile throughput and p99 latency of the service as
 * `npm start` runs it (server/main.ts in its own process, default limits), unloaded and while 20
 * anonymous clients flood it, on embedded PGlite and, when DATABASE_URL is set, on PostgreSQL
 * (with Redis when REDIS_URL is set: tile cache and budgets shared as in production).
 *
 *  - tiles: the public's composite tile (every layer the public may read) at z14–16 where the
 *    public cameras are, 200 of them, each asked for once first so that all are cached; then
 *    asked for in turn by 8 keep-alive connections for --seconds (autocannon), anonymously.
 *  - search + analysis flood: 20 connections from 20 addresses (X-Forwarded-For, believed from
 *    loopback), each request a search or an analysis (coverage union, hot spots, hot hours)
 *    with parameters varied so that no answer can be served from a cache, giving up on an
 *    answer after 2 s, by a separate process (flooder.ts) so that its load generator does not
 *    share the measuring one's event loop.
 *  - login flood: the same, every request a wrong password for `admin` or a made-up name.
 *
 * Targets: throughput under a flood ≥ 50 % of the unloaded figure, p99 ≤ 250 ms. Every run starts
 * the service afresh (and the flooders from fresh addresses), so no run inherits spent budgets;
 * figures are medians of --runs runs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PUBLIC } from '../../server/auth/principal.js';
import { DEFAULT_LIMITS } from '../../server/limits/limits.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { seedDemo } from '../../server/demo/seed.js';
import { canRead } from '../../server/layers/access.js';
import { LAYERS } from '../../server/layers/registry.js';
import { tileAt } from '../../server/tiles/coords.js';
import { startTsx } from '../lib/child.js';
import { fmt, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';

export interface FloodBenchOptions {
  runs: number;
  seconds: number;
  scale: number;
  databaseUrl?: string;
  redisUrl?: string;
  progress?: (message: string) => void;
}

type Load = 'unloaded' | 'search + analysis flood' | 'login flood';
const LOADS: Load[] = ['unloaded', 'search + analysis flood', 'login flood'];
const TILES = 200;
const TILE_CONNECTIONS = 8;
const FLOOD_CLIENTS = 20;
const PASSWORD = 'bench-password';
const PUBLIC_TILED = LAYERS.filter((l) => l.tiles && canRead(l, PUBLIC)).map((l) => l.id).join(',');

interface Measured {
  rps: number;
  p99: number;
  /** The flood's answers by status. */
  flood?: Record<string, number>;
}

/** The demo city in a database the service can be started on, and the environment that names it. */
async function prepare(kind: 'pglite' | 'postgres', o: FloodBenchOptions): Promise<{ env: NodeJS.ProcessEnv; db: Db; dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'emap-flood-'));
    const db = await openPglite({ dataDir: dir });
    await migrate(db);
    await seedDemo(db, { password: PASSWORD, scale: o.scale });
    return { env: { DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' }, db, dispose: async () => { await db.close(); await rm(dir, { recursive: true, force: true }); } };
  }
  const db = await scratchDb('postgres', o.databaseUrl);
  await migrate(db);
  await seedDemo(db, { password: PASSWORD, scale: o.scale });
  return { env: { DATABASE_URL: db.url, REDIS_URL: o.redisUrl ?? '' }, db, dispose: () => db.close() };
}

/** Public composite tiles where the public cameras are, z14–16, in a fixed order. */
async function tilePaths(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM cameras WHERE deleted_at IS NULL AND is_public ORDER BY md5(id::text) LIMIT ${TILES * 10}`);
  const paths = new Set<string>();
  for (let i = 0; i < rows.length && paths.size < TILES; i++) {
    const t = tileAt(rows[i]!.lon, rows[i]!.lat, 14 + (i % 3));
    paths.add(`/tiles/${PUBLIC_TILED}/${t.z}/${t.x}/${t.y}.mvt`);
  }
  return [...paths];
}

function flooder(url: string, kind: 'search-analysis' | 'login', seconds: number, prefix: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/flooder.ts', url, kind, String(seconds), String(FLOOD_CLIENTS), prefix],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    // Bounded: the flooder stops after `seconds`; this is the backstop.
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`flooder exited with ${code}: ${out}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { timeouts: number; statuses: Record<string, number> };
      resolve({ ...r.statuses, 'given up': r.timeouts });
    });
  });
}

async function tileLoad(url: string, paths: string[], seconds: number): Promise<{ rps: number; p99: number }> {
  let i = 0;
  const r = await autocannon({
    url, connections: TILE_CONNECTIONS, duration: seconds, headers: { 'Accept-Encoding': 'gzip' },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  const ok = (r.statusCodeStats?.['200']?.count ?? 0) + (r.statusCodeStats?.['204']?.count ?? 0);
  if (ok < r.requests.total * 0.99) throw new Error(`tiles answered ${JSON.stringify(r.statusCodeStats)}`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

/** The machine's 1-minute load average when each run began: on a shared machine, the context of its figures. */
const loads: string[] = [];

async function oneRun(kind: 'pglite' | 'postgres', env: NodeJS.ProcessEnv, paths: string[], run: number, o: FloodBenchOptions): Promise<Record<Load, Measured>> {
  loads.push(fmt(loadavg()[0]!, 1));
  const service = await startTsx(['server/main.ts'], { ...env, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'no' }, /listening on (http:\/\/[\d.]+:\d+)/);
  const url = service.match[1]!;
  try {
    for (const p of paths) {
      const res = await fetch(`${url}${p}`);
      if (res.status !== 200 && res.status !== 204) throw new Error(`tile ${p}: ${res.status}`);
      await res.arrayBuffer();
    }
    const out = {} as Record<Load, Measured>;
    o.progress?.(`${kind} run ${run + 1}: unloaded`);
    out.unloaded = await tileLoad(url, paths, o.seconds);
    o.progress?.(`${kind} run ${run + 1}: search + analysis flood`);
    const [a, floodA] = await Promise.all([tileLoad(url, paths, o.seconds), flooder(url, 'search-analysis', o.seconds, `10.${run}.1`)]);
    out['search + analysis flood'] = { ...a, flood: floodA };
    o.progress?.(`${kind} run ${run + 1}: login flood`);
    const [l, floodL] = await Promise.all([tileLoad(url, paths, o.seconds), flooder(url, 'login', o.seconds, `10.${run}.2`)]);
    out['login flood'] = { ...l, flood: floodL };
    return out;
  } finally {
    await service.stop();
  }
}

export async function floodBench(o: FloodBenchOptions): Promise<string> {
  const kinds: ('pglite' | 'postgres')[] = o.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  const rows: (string | number)[][] = [];
  for (const kind of kinds) {
    o.progress?.(`${kind}: seeding the demo city (scale ${o.scale})`);
    const { env, db, dispose } = await prepare(kind, o);
    try {
      const paths = await tilePaths(db);
      // The service opens the embedded database itself: the benchmark lets go of it.
      if (kind === 'pglite') await db.close();
      const runs: Record<Load, Measured>[] = [];
      for (let r = 0; r < o.runs; r++) runs.push(await oneRun(kind, env, paths, r, o));
      const base = median(runs.map((r) => r.unloaded.rps));
      const backend = kind === 'pglite' ? 'embedded PGlite' : `PostgreSQL${o.redisUrl ? ' + Redis' : ''}`;
      for (const load of LOADS) {
        const rps = median(runs.map((r) => r[load].rps));
        const p99 = median(runs.map((r) => r[load].p99));
        const flood = runs.map((r) => r[load].flood).filter((f) => f !== undefined);
        const answers = flood.length ? Object.keys(Object.assign({}, ...flood)).sort().map((code) => `${code}: ${fmt(median(flood.map((f) => f[code] ?? 0)))}`).join(', ') : '';
        const met = load === 'unloaded' ? '' : rps >= base / 2 && p99 <= 250 ? 'met' : 'NOT met';
        rows.push([backend, load, fmt(rps), fmt(p99), load === 'unloaded' ? '—' : `${fmt((100 * rps) / base)} %`, met,
          runs.map((r) => fmt(r[load].rps)).join(' / '), answers]);
      }
    } finally {
      await dispose();
    }
  }
  return `Cached public tiles (${TILES} z14–16 composite tiles, ${TILE_CONNECTIONS} connections, ${o.seconds} s) unloaded and while ${FLOOD_CLIENTS} anonymous clients flood the service; median of ${o.runs} runs\n` +
    `limits (defaults on this machine): heavy jobs ${DEFAULT_LIMITS.heavyJobs} (+${DEFAULT_LIMITS.heavyQueue} queued), search ${DEFAULT_LIMITS.searchPerMinute}/min, analysis ${DEFAULT_LIMITS.analysisPerMinute}/min, sign-in ${DEFAULT_LIMITS.loginPerMinute}/min per address, one password check at a time\n` +
    `load average (1 min) of the machine when each run began: ${loads.join(', ')} (${availableParallelism()} cores)\n` +
    table(['database', 'load', 'tiles req/s', 'p99 ms', 'vs unloaded', '≥ 50 %, p99 ≤ 250 ms', 'req/s per run', 'flood answers (median count by status)'], rows);
}
