/**
 * npm run bench -- --only redis-pause [--runs 3] [--seconds 10]   (PostgreSQL + Redis: needs DATABASE_URL)
 *   or directly: tsx scripts/bench/redis-pause.ts [--runs 3] [--seconds 10] [--connections 8]
 *                [--tiles 200] [--scale 1] [--no-pause] [--json FILE]
 *
 * Cached tiles while Redis stops answering. The service runs as in production (server/main.ts
 * in its own process, PostgreSQL in a scratch database seeded with the demo city, Redis of the
 * benchmark's own with the default REDIS_TIMEOUT_MS and REDIS_RETRY_MS); the tiles are those
 * of the tile benchmark (composites of every layer where incidents and cameras are, as admin,
 * gzip accepted), each asked for twice first so that Redis holds them. Then, each phase
 * `--seconds` of autocannon with `--connections` connections rotating through the tiles:
 *
 *  1. unpaused: cached tiles from Redis;
 *  2. pausing: Redis is paused (SIGSTOP: connections stay open, nothing answers) halfway
 *     through: the requests in flight then wait for the command timeout, then the breaker opens;
 *  3. paused: after the breaker opened (health says `degraded`), every tile from PostgreSQL.
 *     Target: p99 ≤ 1 s;
 *  4. resumed: after SIGCONT and health `ok` again, from Redis.
 *
 * `--no-pause` measures phase 1 alone (to compare cached-tile throughput with another build).
 * Reported figures are medians over the runs; every request must answer 200 or 204.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { migrate } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';
import type { TileId } from '../../server/tiles/coords.js';
import { startTsx, type Started } from '../lib/child.js';
import { fmt, machineLine, median, table } from './report.js';
import { ownRedis, type OwnRedis } from '../lib/own-redis.js';
import { scratchDb } from './scratch-db.js';
import { login, PASSWORD, pathOf, pickTiles } from './tiles.js';

export interface RedisPauseOptions {
  runs: number;
  seconds: number;
  connections: number;
  tiles: number;
  scale: number;
  /** Phase 1 only. */
  noPause?: boolean;
  databaseUrl?: string;
  /** Also write the rows as JSON to this file. */
  json?: string;
  progress?: (message: string) => void;
}

const PHASES = ['unpaused', 'pausing', 'paused', 'resumed'] as const;
type Phase = (typeof PHASES)[number];
const TARGET_P99_MS = 1000;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => Promise<boolean>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < 600; i++) {
    if (await cond().catch(() => false)) return performance.now() - t;
    await sleep(50);
  }
  throw new Error(`still not ${what} after 30 s`);
}

async function healthStatus(url: string): Promise<string> {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
  return ((await res.json()) as { status: string }).status;
}

async function load(url: string, paths: string[], token: string, connections: number, seconds: number, midway?: () => void): Promise<Load> {
  let i = 0;
  const timer = midway ? setTimeout(midway, (seconds * 1000) / 2) : undefined;
  try {
    const r = await autocannon({
      url, connections, duration: seconds, timeout: 30,
      headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' },
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
    });
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, failed: r.non2xx + r.errors + r.timeouts };
  } finally {
    clearTimeout(timer);
  }
}

interface RunResult {
  loads: Partial<Record<Phase, Load>>;
  /** Milliseconds from SIGSTOP until the breaker opened (its log line), and from SIGCONT until health said ok. */
  toOpen?: number;
  toClose?: number;
  /** The service's operator log lines about the cache and refusals. */
  logLines: string[];
}

async function run(o: RedisPauseOptions, env: NodeJS.ProcessEnv, redis: OwnRedis, tiles: TileId[], log: (m: string) => void): Promise<RunResult> {
  let server: Started | undefined;
  try {
    server = await startTsx(['server/main.ts'], {
      ...env, REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'no',
    }, /listening on (http:\/\/[\d.:]+)/);
    const url = server.match[1]!;
    await until('healthy', async () => (await healthStatus(url)) === 'ok');
    const token = await login(url);
    const paths = tiles.map(pathOf);
    log('warming the cache');
    for (let pass = 0; pass < 2; pass++) {
      for (const p of paths) {
        const res = await fetch(`${url}${p}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        if (res.status !== 200 && res.status !== 204) throw new Error(`${p}: ${res.status}`);
      }
    }
    const loads: RunResult['loads'] = {};
    log('unpaused');
    loads.unpaused = await load(url, paths, token, o.connections, o.seconds);
    let toOpen: number | undefined;
    let toClose: number | undefined;
    if (!o.noPause) {
      log('pausing Redis halfway');
      let pausedAt = 0;
      loads.pausing = await load(url, paths, token, o.connections, o.seconds, () => {
        pausedAt = Date.now();
        redis.pause();
      });
      await until('degraded', async () => (await healthStatus(url)) === 'degraded');
      const opened = /time=(\S+) level=warn event=breaker\.open/g;
      toOpen = Math.min(...[...server.output().matchAll(opened)].map((m) => Date.parse(m[1]!) - pausedAt).filter((ms) => ms >= 0));
      log('paused');
      loads.paused = await load(url, paths, token, o.connections, o.seconds);
      redis.resume();
      toClose = await until('healthy again', async () => (await healthStatus(url)) === 'ok');
      log('resumed');
      loads.resumed = await load(url, paths, token, o.connections, o.seconds);
    }
    const logLines = server.output().split('\n').filter((l) => /event=(breaker|cache|http\.503|db\.)/.test(l));
    return { loads, toOpen, toClose, logLines };
  } finally {
    redis.resume();
    await server?.stop();
  }
}

export async function redisPauseBench(o: RedisPauseOptions): Promise<string> {
  if (!o.databaseUrl) return 'bench redis-pause: needs DATABASE_URL (it measures PostgreSQL + Redis)';
  const started = performance.now();
  const log = o.progress ?? ((m: string) => console.error(`[bench:redis-pause ${((performance.now() - started) / 1000).toFixed(0)} s] ${m}`));
  const db = await scratchDb('postgres', o.databaseUrl);
  let redis: OwnRedis | undefined;
  try {
    log(`seeding PostgreSQL, scale ${o.scale}`);
    await migrate(db);
    await seedDemo(db, { password: PASSWORD, scale: o.scale });
    const tiles = await pickTiles(db, o.tiles);
    redis = await ownRedis();
    const runs: RunResult[] = [];
    for (let i = 0; i < o.runs; i++) {
      runs.push(await run(o, { DATABASE_URL: db.url }, redis, tiles, (m) => log(`run ${i + 1} of ${o.runs}: ${m}`)));
    }
    const phases = PHASES.filter((p) => runs[0]!.loads[p]);
    const m = (p: Phase, f: (l: Load) => number) => median(runs.map((r) => f(r.loads[p]!)));
    const rows = phases.map((p) => ({
      phase: p, rps: m(p, (l) => l.rps), p50: m(p, (l) => l.p50), p99: m(p, (l) => l.p99), max: m(p, (l) => l.max),
      failed: runs.reduce((n, r) => n + r.loads[p]!.failed, 0),
    }));
    const what: Record<Phase, string> = {
      unpaused: 'cached tiles from Redis',
      pausing: 'Redis paused halfway (SIGSTOP)',
      paused: 'breaker open: from PostgreSQL',
      resumed: 'after SIGCONT, health ok',
    };
    const lines = [
      `Tiles while Redis is paused, PostgreSQL + Redis, demo city at scale ${o.scale}: ${tiles.length} composite tiles (every layer, as admin),`,
      `${o.connections} connections, ${o.seconds} s per phase; REDIS_TIMEOUT_MS and REDIS_RETRY_MS at their defaults; median of ${o.runs} run${o.runs > 1 ? 's' : ''}`,
      table(['phase', 'what', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', `p99 ≤ ${fmt(TARGET_P99_MS)} ms`], rows.map((r) => [
        r.phase, what[r.phase], fmt(r.rps), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 1), r.failed,
        r.phase === 'paused' ? (r.p99 <= TARGET_P99_MS ? 'met' : 'not met') : '',
      ])),
    ];
    if (!o.noPause) {
      lines.push(`breaker opened ${fmt(median(runs.map((r) => r.toOpen!)))} ms after SIGSTOP (under load); closed, health ok, ${fmt(median(runs.map((r) => r.toClose!)))} ms after SIGCONT`);
      lines.push(`the service's log in the last run:\n${runs.at(-1)!.logLines.map((l) => `  ${l}`).join('\n')}`);
    }
    const json = JSON.stringify({ bench: 'redis-pause', machine: machineLine(), scale: o.scale, tiles: tiles.length, connections: o.connections, seconds: o.seconds, runs: o.runs, rows });
    if (o.json) await writeFile(o.json, `${json}\n`);
    lines.push(`json: ${json}`);
    lines.push(`whole benchmark: ${fmt((performance.now() - started) / 1000)} s`);
    return lines.join('\n');
  } finally {
    await redis?.stop();
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '8' },
      tiles: { type: 'string', default: '200' },
      scale: { type: 'string', default: '1' },
      'no-pause': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  console.log(machineLine());
  console.log(`\n${await redisPauseBench({
    runs: Number(values.runs), seconds: Number(values.seconds), connections: Number(values.connections), tiles: Number(values.tiles),
    scale: Number(values.scale), noPause: values['no-pause'], json: values.json, databaseUrl: process.env.DATABASE_URL,
  })}`);
}
