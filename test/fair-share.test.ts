import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.js';
import type { Db } from '../server/db/db.js';
import { inBackground } from '../server/db/priority.js';
import { spend } from '../server/limits/budgets.js';
import { RedisBuckets } from '../server/limits/redis-buckets.js';
import { MemoryBuckets } from '../server/limits/token-bucket.js';
import { tileAt } from '../server/tiles/coords.js';
import { csvText } from './support/files.js';
import { serve, testBuckets, type Served } from './support/serve.js';
import { openWorld, type World } from './support/world.js';

/**
 * Fair sharing (README "Limits and hardening"): per-client budgets for outsiders' searches and
 * analyses, outsiders' analysis answers kept until the data changes, at most N heavy jobs with a
 * bounded queue, and interactive reads (a cached tile, /api/health) answered while the database
 * is busy with heavy work. On embedded PGlite the last is what moving the database off the
 * request thread buys: before, a long statement stopped every answer until it ended.
 */
let w: World;
beforeAll(async () => {
  w = await openWorld();
  // Twenty incidents at one hour of one weekday in B1 in one quarter, so outsiders' hot hours
  // (published per station, weekday, hour and quarter, in multiples of 5) show 20.
  await w.db.exec(`INSERT INTO incidents (type, occurred_at, geom)
    SELECT 'theft', timestamptz '2026-01-05 21:10+08' + make_interval(days => 7 * (i % 10)),
           ST_SetSRID(ST_MakePoint(120.201 + i * 0.0001, 22.991), 4326) FROM generate_series(0, 19) i`);
});
afterAll(async () => {
  await w?.close();
});

/** A whole quarter that has ended: outsiders' figures are published per quarter. */
const PERIOD = 'datetime=2026-01-01/2026-03-31';
const TILE = (() => {
  const t = tileAt(120.205, 22.995, 14);
  return `/tiles/beats/${t.z}/${t.x}/${t.y}.mvt`;
})();
/** A promise's state, without waiting for it. */
const tracked = <T>(p: Promise<T>) => {
  const state = { settled: false, promise: p };
  void p.finally(() => { state.settled = true; }).catch(() => undefined);
  return state;
};
/** Waits until `test` holds; fails saying what it waited for rather than running into the test's timeout. */
const until = async (test: () => Promise<boolean>, what = 'the condition', ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A port nothing listens on now (the system's choice), for a server of the test's own. */
const freePort = () => new Promise<number>((resolve, reject) => {
  const probe = createServer().on('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});

describe('budgets per client', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(w.instance({ limits: { searchPerMinute: 5, analysisPerMinute: 3 }, buckets: await testBuckets() }).app);
  });
  afterAll(async () => s?.close());

  it('refuses an anonymous address that floods search with 429 and Retry-After, and not other addresses or police accounts', async () => {
    const search = (address: string, token?: string) => s.send('/api/search?q=%E6%B4%BE%E5%87%BA%E6%89%80', { address, token });
    const flood = await Promise.all(Array.from({ length: 20 }, () => search('198.51.100.20')));
    expect(flood.filter((r) => r.status === 200)).toHaveLength(5);
    const refused = flood.filter((r) => r.status === 429);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r.body.error).toMatchObject({ code: 'too_many_requests', message: expect.stringMatching(/^要求過於頻繁，請於 \d+ 秒後再試。$/) });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    expect((await search('198.51.100.21')).status).toBe(200);
    for (let i = 0; i < 8; i++) expect((await search('198.51.100.20', w.tokens.planner)).status).toBe(200);
  });

  it('refuses a caller again until its Retry-After without asking the buckets (a 429 flood costs no Redis round trip)', async () => {
    const buckets = new MemoryBuckets();
    let asked = 0;
    const counting = Object.assign(Object.create(buckets), { take: (...a: Parameters<MemoryBuckets['take']>) => { asked++; return buckets.take(...a); } });
    const gate = spend(counting, { name: 'search', perMinute: 2 }, (req) => (req as unknown as { key: string }).key);
    const pass = (key: string) => new Promise<number>((resolve) => gate({ key } as never, {} as never, (err?: unknown) => resolve((err as { status?: number } | undefined)?.status ?? 200)));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await pass('flooder'));
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    expect(asked).toBe(3);
    expect(await pass('another')).toBe(200);
  });

  it('gives a community account one budget wherever it signs in from', async () => {
    const statuses = [];
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6']) {
      statuses.push((await s.send('/api/search?q=B1', { address, token: w.tokens.community })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('refuses an anonymous address that floods analysis, and not another', async () => {
    const hotHours = (address: string) => s.send(`/api/analysis/hot-hours?${PERIOD}`, { address });
    const flood = await Promise.all(Array.from({ length: 10 }, () => hotHours('198.51.100.30')));
    expect(flood.map((r) => r.status).sort()).toEqual([...Array(3).fill(200), ...Array(7).fill(429)]);
    expect((await hotHours('198.51.100.31')).status).toBe(200);
    // The listing of endpoints is not an analysis.
    expect((await s.send('/api/analysis', { address: '198.51.100.30' })).status).toBe(200);
  });

  it('counts in this instance\'s memory while Redis is away, with one warning', async () => {
    const warnings: string[] = [];
    const buckets = new RedisBuckets('redis://127.0.0.1:9', 'away:', (m) => warnings.push(m));
    const away = await serve(w.instance({ limits: { searchPerMinute: 2 }, buckets }).app);
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await away.send('/api/search?q=B1', { address: '198.51.100.40' })).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(warnings).toEqual([expect.stringMatching(/^budgets: Redis unreachable/)]);
      expect((await away.send('/api/health')).body).toMatchObject({ budgets: 'redis', budgetsAvailable: false });
    } finally {
      await away.close();
      await buckets.close();
    }
  });

  it.runIf(process.env.REDIS_URL)('does not wait for a Redis that has stopped answering: counts locally meanwhile', async () => {
    // A Redis of this test's own, paused (SIGSTOP) so that it accepts nothing and answers nothing.
    // On a port the system found free (a random one could be taken, and then the test waited on
    // someone else's server until it timed out).
    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
    let exited = false;
    redis.on('exit', () => { exited = true; });
    // The buckets are made once it accepts connections: one that found it not yet listening
    // would try again only when next asked to count.
    const accepts = () => new Promise<boolean>((resolve) => {
      if (exited) throw new Error(`redis-server on port ${port} exited before it listened`);
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); }).on('error', () => resolve(false));
    });
    await until(accepts, `redis-server to listen on ${port}`);
    const warnings: string[] = [];
    const buckets = new RedisBuckets(`redis://127.0.0.1:${port}`, 'paused:', (m) => warnings.push(m));
    const budget = { name: 'search', perMinute: 2 };
    try {
      await until(async () => buckets.available, 'the buckets to reach Redis');
      warnings.length = 0; // connections refused while it was starting
      redis.kill('SIGSTOP');
      const taken = [];
      for (let i = 0; i < 3; i++) taken.push((await buckets.take(budget, 'client')).ok);
      expect(taken).toEqual([true, true, false]);
      expect(warnings).toEqual([expect.stringMatching(/budgets: Redis did not answer \(Command timed out\)/)]);
      expect(buckets.available).toBe(false);
    } finally {
      redis.kill('SIGCONT');
      redis.kill('SIGKILL');
      await buckets.close();
    }
  });
});

describe('outsiders\' analysis answers', () => {
  const total = async (role: 'public' | 'admin') => (await w.as(role).get(`/api/analysis/hot-hours?${PERIOD}`).expect(200)).body.total as number;
  /** Incidents written without the triggers, so no table version moves: the change is invisible to the cache. */
  const quietlyAdd = (n: number) => w.db.transaction(async (tx) => {
    await tx.query(`SET LOCAL session_replication_role = replica`);
    await tx.query(`INSERT INTO incidents (type, occurred_at, geom, beat_code, station_code, precinct_code)
      SELECT 'theft', timestamptz '2026-03-03 21:10+08', ST_SetSRID(ST_MakePoint(120.2015, 22.9915), 4326), 'B1', 'S1', 'P1' FROM generate_series(1, $1)`, [n]);
  });

  it('are kept until a table they read changes, and computed afresh after', async () => {
    const first = await total('public');
    expect(first).toBeGreaterThanOrEqual(20);
    await quietlyAdd(5);
    // Police answers are always computed; the public's is the kept one.
    expect(await total('admin')).toBe(first + 5);
    expect(await total('public')).toBe(first);
    // Any change to incidents advances their version (as every write through the service does).
    await w.db.query(`UPDATE layer_versions SET version = version + 1 WHERE layer_table = 'incidents'`);
    expect(await total('public')).toBe(first + 5);
  });

  it('differ by their parameters and by who asks', async () => {
    const all = (await w.as('public').get(`/api/analysis/hot-hours?${PERIOD}`).expect(200)).body.total;
    const before = (await w.as('public').get('/api/analysis/hot-hours?datetime=2025-10-01/2025-12-31').expect(200)).body.total;
    expect(before).not.toBe(all);
    const mine = await w.as('community').get(`/api/analysis/hot-hours?${PERIOD}`).expect(200);
    expect(mine.body.scope).not.toEqual((await w.as('public').get(`/api/analysis/hot-hours?${PERIOD}`)).body.scope);
  });
});

describe('heavy jobs', () => {
  it('runs at most HEAVY_JOBS at once, queues HEAVY_QUEUE more, and refuses the rest with 503 and Retry-After', async () => {
    const s = await serve(w.instance({ limits: { heavyJobs: 2, heavyQueue: 1 } }).app);
    const jobs = () => s.send('/api/health').then((r) => r.body.heavyJobs as { running: number; waiting: number });
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // An export of the cameras cannot read them while this transaction holds their table (on
    // PGlite: while it holds the database).
    const holding = w.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE cameras IN ACCESS EXCLUSIVE MODE');
      locked();
      await new Promise<void>((r) => (release = r));
    });
    try {
      await isLocked;
      const exports = [s.send('/api/export/cameras?format=csv'), s.send('/api/export/cameras?format=geojson')];
      await until(async () => (await jobs()).running === 2);
      exports.push(s.send('/api/export/cameras?format=kml'));
      await until(async () => (await jobs()).waiting === 1);
      const refused = await s.send('/api/rollups');
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: 'service_busy', message: expect.stringMatching(/^系統忙碌中，請於 \d+ 秒後再試。$/) });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await jobs()).toEqual({ running: 2, waiting: 1, limit: 2, queue: 1 });
      release();
      await holding;
      expect((await Promise.all(exports)).map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await jobs()).toEqual({ running: 0, waiting: 0, limit: 2, queue: 1 });
    } finally {
      release?.();
      await holding;
      await s.close();
    }
  });
});

describe('interactive reads while the database works', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(w.app);
    // Cached from now on.
    expect((await s.send(TILE)).status).toBe(200);
  });
  afterAll(async () => s?.close());

  it('answers a cached tile and /api/health while one long statement runs', async () => {
    const statement = tracked(inBackground(() => w.db.query('SELECT pg_sleep(4)')));
    const tile = await s.send(TILE);
    const health = await s.send('/api/health');
    expect(statement.settled).toBe(false);
    expect(tile.status).toBe(200);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    await statement.promise;
  });

  it('answers a cached tile and /api/health while a large dry-run import is being written', async () => {
    const header = ['名稱', '方向', '視角', '距離', '設置單位', '狀態', '經度', '緯度'];
    const rows = Array.from({ length: 12_000 }, (_, i) => [`路口F${i}`, 90, 60, 40, '警察機關', '正常', 120.2001 + (i % 190) * 0.0001, 22.991 + (i % 50) * 0.0001]);
    let writing!: () => void;
    const isWriting = new Promise<void>((r) => (writing = r));
    const report = tracked(fetch(`${s.url}/api/import/cameras?dryRun=true`, {
      method: 'POST', body: csvText([header, ...rows]),
      headers: { Authorization: `Bearer ${w.tokens.admin}`, 'Content-Type': 'text/csv', Accept: 'application/x-ndjson' },
    }).then(async (res) => {
      let text = '';
      for await (const chunk of res.body!) {
        text += Buffer.from(chunk).toString();
        if (text.includes('"phase":"write"')) writing();
      }
      writing(); // an import that never wrote fails below, with its answer
      return text;
    }));
    await isWriting;
    const tile = await s.send(TILE);
    const health = await s.send('/api/health');
    expect(report.settled, await Promise.race([report.promise, 'still importing'])).toBe(false);
    expect([tile.status, health.status]).toEqual([200, 200]);
    expect(await report.promise).toMatch(/"type":"report","status":200/);
  });

  it('answers a cached tile and /api/health while an analysis computes', async () => {
    // 30,000 incidents in B1, written without triggers (they would take most of this test).
    await w.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      await tx.query(`INSERT INTO incidents (type, occurred_at, geom, beat_code, station_code, precinct_code)
        SELECT 'theft', timestamptz '2026-01-01 00:00+08' + make_interval(mins => i * 13),
               ST_SetSRID(ST_MakePoint(120.2 + random() * 0.01, 22.99 + random() * 0.01), 4326), 'B1', 'S1', 'P1'
          FROM generate_series(1, 30000) i`);
    });
    // The app's database, watched: the tile is asked for once the analysis has read what it
    // needs and is computing (no statement in flight), not while the database is busy.
    // On PostgreSQL analyses read through the handle for heavy work, so that one is watched too.
    let inFlight = 0;
    let asked = 0;
    const watch = (db: Db): Db => ({
      ...db,
      query: async (sql, params, opts) => {
        asked++;
        inFlight++;
        try {
          return await db.query(sql, params, opts);
        } finally {
          inFlight--;
        }
      },
      ...(db.heavy ? { heavy: watch(db.heavy) } : {}),
    });
    const app = await serve(createApp({ db: watch(w.db) }));
    try {
      expect((await app.send(TILE)).status).toBe(200);
      const before = asked;
      const analysis = tracked(app.send(`/api/analysis/density?bbox=120.2,22.99,120.21,23.0&cellSize=8&bandwidth=300&${PERIOD}`, { token: w.tokens.admin }));
      await until(async () => asked > before + 1 && inFlight === 0);
      const tile = await app.send(TILE);
      const health = await app.send('/api/health');
      expect(analysis.settled).toBe(false);
      expect([tile.status, health.status]).toEqual([200, 200]);
      expect((await analysis.promise).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
