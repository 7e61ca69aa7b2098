import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsx, type Started } from '../scripts/lib/child.js';
import { withDatabase } from './support/template.js';

/**
 * The service as a user starts it (`npm start`, i.e. server/main.ts in its own process): the
 * first start creates, migrates and seeds the database, a later start reuses it. Embedded by
 * default; with DATABASE_URL set, against a new database on that server (SEED_DEMO=yes).
 */
const PASSWORD = 'startup-test-password';
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
const serverUrl = process.env.DATABASE_URL;
/**
 * A first start creates the database and loads the ground of the demo (13,652 basic areas):
 * on a loaded two-core machine that can take longer than the default test timeout. Not a speed
 * check (that is `npm run bench -- --only startup`), only room for the start to finish.
 */
const START_TIMEOUT_MS = 300_000;

let dataDir: string;
let databaseUrl = '';
let scratchDb: string | undefined;

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'emap-startup-'));
  if (serverUrl) {
    scratchDb = `emap_startup_${randomBytes(4).toString('hex')}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${scratchDb}`));
    databaseUrl = withDatabase(serverUrl, scratchDb);
  }
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  if (scratchDb) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${scratchDb} WITH (FORCE)`));
});

const start = (env: NodeJS.ProcessEnv = {}): Promise<Started> => startTsx(['server/main.ts'], {
  PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: '',
  SEED_DEMO: serverUrl ? 'yes' : 'auto', DEMO_SCALE: '0.05', DEMO_PASSWORD: PASSWORD, ...env,
}, LISTENING);

async function signIn(url: string, username: string): Promise<string> {
  const res = await request(url).post('/api/login').send({ username, password: PASSWORD }).expect(200);
  return res.body.token as string;
}

describe(`npm start on ${serverUrl ? 'PostgreSQL' : 'embedded PGlite'}`, () => {
  let cameraCount = 0;
  let edited: { id: number; name: string } | undefined;

  it('creates, migrates and seeds on first start, then serves the demo accounts', async () => {
    const server = await start();
    try {
      const url = server.match[1]!;
      expect(server.output()).toMatch(/applied 001_postgis/);
      expect(server.output()).toMatch(/demo city seeded in [\d.]+ s: .*\d+ beats/);
      expect(server.output()).toContain('password: (DEMO_PASSWORD)');
      expect(server.output()).not.toContain(PASSWORD);

      const health = await request(url).get('/api/health').expect(200);
      expect(health.body).toMatchObject({ status: 'ok', db: serverUrl ? 'postgres' : 'pglite' });
      const token = await signIn(url, 'planner');
      const cams = await request(url).get('/api/layers/cameras/features?limit=1').set('Authorization', `Bearer ${token}`).expect(200);
      cameraCount = cams.body.numberMatched;
      expect(cameraCount).toBeGreaterThan(10);
      const first = cams.body.features[0];
      edited = { id: first.id, name: `${first.properties.name}（已更名）` };
      await request(url).patch(`/api/layers/cameras/features/${edited.id}`).set('Authorization', `Bearer ${token}`)
        .set('If-Match', `"${first.properties.version}"`).send({ properties: { name: edited.name } }).expect(200);
      // The officer's beat exists and is where the demo account says it is.
      const me = await request(url).get('/api/me').set('Authorization', `Bearer ${await signIn(url, 'officer')}`).expect(200);
      expect(me.body).toMatchObject({ role: 'officer', beatCode: 'P01S01B01' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toMatch(/event=shutdown\.begin signal=SIGTERM .*\n.*event=shutdown\.done/);
  }, START_TIMEOUT_MS);

  it('reuses the database on the next start: no migration, no second seed, edits kept', async () => {
    const server = await start();
    try {
      const url = server.match[1]!;
      expect(server.output()).toMatch(/schema up to date/);
      expect(server.output()).not.toMatch(/seeded/);
      const token = await signIn(url, 'planner');
      const cams = await request(url).get('/api/layers/cameras/features?limit=1').set('Authorization', `Bearer ${token}`).expect(200);
      expect(cams.body.numberMatched).toBe(cameraCount);
      const camera = await request(url).get(`/api/layers/cameras/features/${edited!.id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(camera.body.properties.name).toBe(edited!.name);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, START_TIMEOUT_MS);

  it('refuses a bad setting with the reason and exit code 1', async () => {
    await expect(start({ DEMO_SCALE: '-1', PORT: 'eighty' })).rejects.toThrow(/exited with 1[\s\S]*PORT[\s\S]*DEMO_SCALE must be above 0/);
  });
});
