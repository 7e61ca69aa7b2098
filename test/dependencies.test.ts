import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.js';
import { TileCache } from '../server/cache/tile-cache.js';
import { heavyOf, type Db } from '../server/db/db.js';
import { openPostgres } from '../server/db/postgres.js';
import { message } from '../server/http/messages.js';
import { logLine, type LogEvent } from '../server/log.js';
import { tileAt, type TileId } from '../server/tiles/coords.js';
import { startTsx } from '../scripts/lib/child.js';
import { ownRedis, type OwnRedis } from '../scripts/lib/own-redis.js';
import { binary, decodeTile } from './support/mvt.js';
import { pgliteTemplatePath, postgresTemplateName, withDatabase } from './support/template.js';
import { agents, openWorld, type World } from './support/world.js';

/**
 * Dependencies fail fast: a paused Redis (SIGSTOP, not killed: connections stay open and
 * nothing answers) costs tiles and writes at most one command timeout, health says which
 * dependency is degraded, and after Redis resumes no instance serves a tile older than the
 * last write; a PostgreSQL that is locked, full or silent gives 503 with Retry-After and a
 * Chinese message instead of a request that waits without end; SIGTERM lets requests finish.
 * No assertion is about speed: each test has the suite's timeout as its hang guard.
 */
let w: World;
const pgUrl = process.env.DATABASE_URL;
const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The test database's own URL (PostgreSQL only), for handles other than w.db. */
async function ownUrl(): Promise<string> {
  const { rows } = await w.db.query<{ name: string }>('SELECT current_database() AS name');
  return withDatabase(pgUrl!, rows[0]!.name);
}

const until = async (what: string, cond: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still not ${what} after 20 s`);
};

/** An app instance with a Redis cache of its own log; on PostgreSQL with a database handle of its own, as another process has. */
function instance(redisUrl: string, prefix: string, events: string[], db: Db = w.db) {
  const log: LogEvent = (level, event, fields) => events.push(logLine(level, event, fields));
  const cache = TileCache.redis(redisUrl, { prefix, timeoutMs: 200, retryMs: 300, log });
  const app = createApp({ db, tileCache: cache });
  return { app, cache, as: agents(app, w.tokens), health: () => request(app).get('/api/health') };
}

type Instance = ReturnType<typeof instance>;

async function cameraName(on: Instance, t: TileId, id: number): Promise<unknown> {
  const res = await on.as('admin').get(`/tiles/cameras/${t.z}/${t.x}/${t.y}.mvt`).buffer(true).parse(binary).expect(200);
  return decodeTile(res.body as Buffer).cameras!.find((f) => f.id === id)!.properties.name;
}

/** Renames behind the app's back (plain SQL: no tile is dropped), to tell a cached tile from a fresh one. */
const renameQuietly = (id: number, name: string) => w.db.query('UPDATE cameras SET name = $2 WHERE id = $1', [id, name]);

async function rename(on: Instance, id: number, name: string): Promise<void> {
  const { rows } = await w.db.query<{ version: number }>('SELECT version FROM cameras WHERE id = $1', [id]);
  await on.as('admin').patch(`/api/layers/cameras/features/${id}`).set('If-Match', `"${rows[0]!.version}"`)
    .send({ properties: { name } }).expect(200);
}

/**
 * Two app instances on one database and a Redis of the test's own (on PostgreSQL, B has a
 * database handle of its own, as another process has), once both use the cache.
 */
async function twoInstances(fn: (x: { redis: OwnRedis; a: Instance; b: Instance; eventsA: string[] }) => Promise<void>): Promise<void> {
  const redis = await ownRedis();
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  const eventsA: string[] = [];
  const otherDb = pgUrl ? openPostgres(await ownUrl()) : w.db;
  const a = instance(redis.url, prefix, eventsA);
  const b = instance(redis.url, prefix, [], otherDb);
  try {
    await until('using the cache', () => a.cache.usable && b.cache.usable);
    await fn({ redis, a, b, eventsA });
  } finally {
    await Promise.all([a.cache.close(), b.cache.close()]);
    if (otherDb !== w.db) await otherDb.close();
    await redis.stop();
  }
}

let camera: { id: number; t: TileId };

beforeAll(async () => {
  w = await openWorld();
  const created = await w.as('admin').post('/api/layers/cameras/features').send({
    type: 'Feature', geometry: { type: 'Point', coordinates: [120.2052, 22.9951] },
    properties: { name: '原名', azimuth: 90, fov: 60, range_m: 30, owner_kind: 'police' },
  }).expect(201);
  camera = { id: created.body.id, t: tileAt(120.2052, 22.9951, 17) };
});
afterAll(async () => { await w?.close(); });

describe.runIf(hasRedis)('Redis paused (SIGSTOP)', () => {
  it('tiles and writes answer from the database, health says degraded then ok, and after it resumes neither instance serves a tile older than the write', async () => {
    const { id, t } = camera;
    await twoInstances(async ({ redis, a, b, eventsA }) => {
      await rename(a, id, '暫停前');
      expect(await cameraName(a, t, id)).toBe('暫停前');
      expect(await cameraName(b, t, id)).toBe('暫停前');
      // Cached in the shared Redis now: a quiet rename does not show on either.
      await renameQuietly(id, '暗中改名');
      expect(await cameraName(a, t, id)).toBe('暫停前');
      expect(await cameraName(b, t, id)).toBe('暫停前');
      expect((await a.health().expect(200)).body).toMatchObject({ status: 'ok', cacheAvailable: true, checks: { cache: { status: 'ok' } } });

      redis.pause();
      // A's next tile waits for one command timeout, then comes from the database (so it shows the quiet rename).
      expect(await cameraName(a, t, id)).toBe('暗中改名');
      expect(eventsA.filter((l) => /level=warn event=breaker\.open dependency=redis reason="no answer within 200 ms" retry_ms=300/.test(l))).toHaveLength(1);
      const degraded = await a.health().expect(200);
      expect(degraded.body).toMatchObject({
        status: 'degraded', db: w.db.kind, cache: 'redis', cacheAvailable: false, degraded: ['cache'],
        checks: { db: { status: 'ok' }, cache: { status: 'bypassed', reason: 'no answer within 200 ms' } },
      });
      // Writes answer while Redis is paused, and A's tiles show them at once.
      await rename(a, id, '暫停時改名');
      expect(await cameraName(a, t, id)).toBe('暫停時改名');
      await w.as('admin').post('/api/layers/incidents/features').send({
        type: 'Feature', geometry: { type: 'Point', coordinates: [120.2053, 22.9952] }, properties: { type: 'drugs', occurred_at: '2026-01-02T03:04:05+08:00' },
      }).expect(201);

      redis.resume();
      // B never noticed the pause (it asked Redis nothing meanwhile) and Redis still holds the
      // tile as it was before the write: B must not serve it.
      expect(await cameraName(b, t, id)).toBe('暫停時改名');
      await until('healthy again', async () => (await a.health()).body.status === 'ok');
      expect(eventsA.some((l) => /level=info event=breaker\.closed dependency=redis open_ms=\d+/.test(l))).toBe(true);
      expect(await cameraName(a, t, id)).toBe('暫停時改名');
      // And both cache again: a quiet rename does not show.
      await renameQuietly(id, '又暗中改名');
      expect(await cameraName(a, t, id)).toBe('暫停時改名');
      expect(await cameraName(b, t, id)).toBe('暫停時改名');
      await rename(a, id, '原名');
    });
  });

  it('a write made just as Redis stops answering, before anything noticed, answers, and both instances show it during and after the pause', async () => {
    const { id, t } = camera;
    await twoInstances(async ({ redis, a, b }) => {
      expect(await cameraName(a, t, id)).toBe('原名');
      expect(await cameraName(b, t, id)).toBe('原名');
      redis.pause();
      // A's breaker is closed: the write's answer does not wait for the invalidation Redis does not take.
      await rename(a, id, '停頓中改名');
      expect(await cameraName(b, t, id)).toBe('停頓中改名');
      expect(await cameraName(a, t, id)).toBe('停頓中改名');
      redis.resume();
      await until('healthy again', async () => (await a.health()).body.status === 'ok' && (await b.health()).body.status === 'ok');
      expect(await cameraName(a, t, id)).toBe('停頓中改名');
      expect(await cameraName(b, t, id)).toBe('停頓中改名');
      await rename(a, id, '原名');
    });
  });
});

describe.runIf(hasRedis && pgUrl)('cache epochs across processes (PostgreSQL)', () => {
  it('an operator\'s flush in SQL reaches every instance, even one whose listening connection was cut', async () => {
    const redis = await ownRedis();
    const url = await ownUrl();
    const otherDb = openPostgres(url);
    const b = instance(redis.url, `test-${randomBytes(4).toString('hex')}:`, [], otherDb);
    const { id, t } = camera;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await until('using the cache', () => b.cache.usable);
      expect(await cameraName(b, t, id)).toBe('原名');
      await renameQuietly(id, '改了沒清');
      expect(await cameraName(b, t, id)).toBe('原名');
      // Cut B's LISTEN connection, and flush while it is away: the notification is lost.
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
      expect(cut.rowCount).toBeGreaterThan(0);
      await until('bypassing the cache (epochs may be missed)', () => !b.cache.usable);
      await admin.query('UPDATE tile_cache_epochs SET epoch = epoch + 1');
      // Once listening again, B reads the epochs afresh.
      await until('using the cache again', () => b.cache.usable);
      expect(await cameraName(b, t, id)).toBe('改了沒清');
      await admin.query(`UPDATE cameras SET name = '原名' WHERE id = $1`, [id]);
      await admin.query('UPDATE tile_cache_epochs SET epoch = epoch + 1');
      await until('flushed', async () => (await cameraName(b, t, id)) === '原名');
    } finally {
      await admin.end();
      await b.cache.close();
      await otherDb.close();
      await redis.stop();
    }
  });
});

describe('a database that does not answer', () => {
  it('accepting connections but never answering: 503 with Retry-After and a Chinese message, health 503', async () => {
    // A black hole: it accepts TCP connections and never says a word, as a paused server would.
    const sockets: Socket[] = [];
    const hole = createTcpServer((s) => void sockets.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => hole.once('listening', r));
    const port = (hole.address() as { port: number }).port;
    const silent = openPostgres(`postgres://emap@127.0.0.1:${port}/emap`, { acquireTimeoutMs: 300 });
    const app = createApp({ db: silent });
    try {
      const res = await request(app).get('/api/layers/beats/features').expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error.message).toBe(message(res.body.error.code, { seconds: 5 }));
      expect(['database_unavailable', 'database_busy']).toContain(res.body.error.code);
      const tile = await request(app).get('/tiles/beats/14/13662/7116.mvt').expect(503);
      expect(tile.headers['retry-after']).toBe('5');
      const health = await request(app).get('/api/health').expect(503);
      expect(health.body).toMatchObject({ status: 'unavailable', checks: { db: { status: 'unavailable' } } });
    } finally {
      await silent.close();
      for (const s of sockets) s.destroy();
      hole.close();
    }
  });

  it.runIf(pgUrl)('a statement past PG_STATEMENT_TIMEOUT_MS (here: waiting on a lock) is cancelled: 503 database_busy; heavy work has its own, longer limit', async () => {
    const url = await ownUrl();
    const db = openPostgres(url, { statementTimeoutMs: 300, heavyStatementTimeoutMs: 60_000 });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      const app = createApp({ db });
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cameras IN ACCESS EXCLUSIVE MODE');
      const res = await agents(app, w.tokens)('admin').get('/api/layers/cameras/features?limit=1').expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error).toMatchObject({ code: 'database_busy', message: message('database_busy', { seconds: 5 }) });
      await locker.query('ROLLBACK');
      await agents(app, w.tokens)('admin').get('/api/layers/cameras/features?limit=1').expect(200);

      expect((await db.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout).toBe('300ms');
      expect((await heavyOf(db).query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout).toBe('1min');
      // The limit lasts only as long as the heavy statement's own transaction: the pool's connections keep theirs.
      await expect(db.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
      await heavyOf(db).query('SELECT pg_sleep(1)');
      await expect(db.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
    } finally {
      await locker.end();
      await db.close();
    }
  });

  it.runIf(pgUrl)('no connection free within PG_ACQUIRE_TIMEOUT_MS: 503 database_busy instead of a queue without end', async () => {
    const db = openPostgres(await ownUrl(), { max: 1, acquireTimeoutMs: 200 });
    let release = () => {};
    const held = db.transaction(() => new Promise<void>((r) => { release = r; }));
    try {
      const app = createApp({ db });
      const res = await agents(app, w.tokens)('admin').get('/api/layers/cameras/features?limit=1').expect(503);
      expect(res.body.error.code).toBe('database_busy');
      release();
      await held;
      await agents(app, w.tokens)('admin').get('/api/layers/cameras/features?limit=1').expect(200);
    } finally {
      release();
      await db.close();
    }
  });
});

describe('shutting down', () => {
  it('while stopping, health answers 503 "stopping" and every answer closes its connection', async () => {
    const app = createApp({ db: w.db });
    app.lifecycle.stopping = true;
    const health = await request(app).get('/api/health').expect(503);
    expect(health.body).toMatchObject({ status: 'stopping', db: w.db.kind });
    expect(health.headers['retry-after']).toBe('5');
    expect(health.headers.connection).toBe('close');
  });

  it('SIGTERM: no new connections, the request in flight is answered, the process exits 0 and says so', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emap-shutdown-'));
    let scratch: string | undefined;
    const admin = pgUrl ? new pg.Client({ connectionString: pgUrl }) : undefined;
    // The migrated template, so the service starts warm.
    if (!pgUrl) execFileSync('tar', ['-xzf', pgliteTemplatePath(), '-C', dataDir]);
    if (admin) {
      await admin.connect();
      scratch = `emap_shutdown_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${scratch} TEMPLATE ${postgresTemplateName()}`);
    }
    const server = await startTsx(['server/main.ts'], {
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: scratch ? withDatabase(pgUrl!, scratch) : '', REDIS_URL: '',
      SEED_DEMO: 'no', SHUTDOWN_TIMEOUT_MS: '30000',
    }, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
    try {
      const port = Number(server.match[1]);
      // A sign-in whose body is still being sent: in flight when the signal comes. Its
      // `Expect: 100-continue` makes the server say when it has taken the request.
      const answered = new Promise<number>((resolve, reject) => {
        const req = httpRequest({
          port, host: '127.0.0.1', method: 'POST', path: '/api/login',
          headers: { 'Content-Type': 'application/json', Expect: '100-continue' },
        }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
        req.on('error', reject);
        req.on('continue', () => {
          server.child.kill('SIGTERM');
          until('shutting down', () => /event=shutdown\.begin signal=SIGTERM in_flight=1/.test(server.output())).then(async () => {
            // No new connection is taken once shutting down.
            await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
            req.end('{"username":"nobody","password":"wrong password"}');
          }).catch(reject);
        });
        req.flushHeaders();
      });
      // The server's output is the message of any failure below.
      expect(await answered.catch((err: Error) => err.message), server.output()).toBe(401);
      // The one signal is enough (a second would stop it at once).
      const code = server.child.exitCode ?? await new Promise((r) => server.child.once('exit', r));
      expect(code, server.output()).toBe(0);
      expect(server.output()).toMatch(/level=info event=shutdown\.done ms=\d+/);
      expect(server.output()).not.toMatch(/shutdown\.deadline/);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (admin) {
        await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
        await admin.end();
      }
    }
  });
});

