import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYERS } from '../../server/layers/registry.js';
import { openWorld, PASSWORD, box, type World } from '../support/world.js';
import { CASES } from './cases.js';
import { httpTarget } from './http-target.js';
import { runCase, type Snapshot, type Target } from './runner.js';

/**
 * Every case of the hostile corpus (cases.ts) against the service with its default limits, on
 * the backend the suite runs on (PGlite; PostgreSQL + Redis with DATABASE_URL/REDIS_URL), over
 * a real HTTP connection. Each must get its answer, never a 5xx, leave the server answering
 * /api/health, and write nothing (rows, versions and history of every layer counted in the
 * database before and after), or only add rows where the case says so. The JSON body limit is
 * raised to 64 MB, so the feature API's own vertex limit is what refuses the largest shapes.
 */
let w: World;
let server: Server;
let target: Target;

/** Rows and versions of every layer's table, and the history, as the database holds them. */
async function snapshot(): Promise<Snapshot> {
  const tables = [...new Set(LAYERS.map((l) => l.table))];
  const { rows } = await w.db.query<{ t: string; rows: number; versions: number }>(
    [...tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS rows, coalesce(sum(version), 0)::int AS versions FROM ${t}`),
      `SELECT 'feature_history' AS t, count(*)::int, count(*)::int FROM feature_history`,
      `SELECT 'feature_sources' AS t, count(*)::int, count(*)::int FROM feature_sources`].join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, { rows: r.rows, versions: r.versions }]));
}

beforeAll(async () => {
  w = await openWorld({ bodyLimit: '64mb' });
  // Something to attack: a key place, a camera and a watch block besides the world's units.
  const add = (layer: string, feature: object) => w.as('admin').post(`/api/layers/${layer}/features`).send(feature).expect(201);
  await add('key-places', { type: 'Feature', properties: { name: '夜貓KTV', category: 'ktv', address: '府前路1號' }, geometry: { type: 'Point', coordinates: [120.203, 22.993] } });
  await add('key-places', { type: 'Feature', properties: { name: '鐵皮屋甲', category: 'iron_sheet_house' }, geometry: { type: 'Point', coordinates: [120.213, 22.996] } });
  await add('cameras', { type: 'Feature', properties: { name: '府前路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police' }, geometry: { type: 'Point', coordinates: [120.204, 22.994] } });
  await add('watch-blocks', { type: 'Feature', properties: { name: '府前區塊', adopter: '府前里', adopter_kind: 'community' }, geometry: box(120.201, 22.991, 120.203, 22.993) });
  server = createServer(w.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  target = await httpTarget(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, PASSWORD, snapshot);
}, 300_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await w?.close();
});

describe('the hostile corpus', () => {
  it('has cases with unique names, each with an answer', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of CASES) expect(c.expect.status === 200 || c.expect.code, c.name).toBeTruthy();
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.why}`, async () => {
      const outcome = await runCase(c, target);
      expect(outcome.problems, c.name).toEqual([]);
      expect(outcome).toMatchObject({ crashed: false, serverError: false, partialWrite: false });
    }, 180_000);
  }
});
