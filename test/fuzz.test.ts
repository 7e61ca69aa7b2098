import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.js';
import type { Db } from '../server/db/db.js';
import type { Role } from '../server/layers/types.js';
import {
  describe as describeRequest, discoverParameters, listen, percentEncode, requestsFor, ROLES, routesOf, runsFor, send, stateOf, textValue,
  type Answer, type FuzzRequest, type ParameterNames, type Route,
} from './support/fuzz.js';
import { box, openWorld, type World } from './support/world.js';

/**
 * Property-based fuzzing of every route the service answers (read from its routers, so a new
 * route is covered without editing this file), as each role, with hostile and valid path
 * parameters, query strings, If-Match headers and bodies. For every request: no 5xx, an answer
 * within a generous guard (a hang fails, it is not timed), errors under /api, /ogc and /tiles
 * in JSON, and a refused write leaves every layer table, its versions and the history as they were.
 *
 * Seeded (FUZZ_SEED, default below) and bounded (FUZZ_RUNS per route, more for routes with many parameters), so a run is repeatable;
 * a failure names the seed and fast-check's shrunk request.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_214);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
/** A request that takes longer than this has hung; the slowest honest answer here takes well under a second. */
const GUARD_MS = 20_000;
const SERVICE_PATH = /^\/(api|ogc|tiles)(\/|$|\?)/;

/**
 * Routes are read from an app that is never started, on a database that refuses every query
 * (building an app reads the tile cache's epochs; that read fails quietly and nothing else asks).
 */
const NO_DATABASE = { query: () => Promise.reject(new Error('no database: routes only')) } as unknown as Db;
const ROUTES = routesOf(createApp({ db: NO_DATABASE }));
/** Signing out would end the session the rest of the run uses, so only the public does it here. */
const SESSION_ENDING = new Set(['post /api/logout']);

let w: World;
let server: Awaited<ReturnType<typeof listen>>;
/** The names each route takes, as it says itself (see discoverParameters). */
const parameters = new Map<Route, ParameterNames>();
const tally = { requests: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };

beforeAll(async () => {
  w = await openWorld();
  const admin = w.as('admin');
  const post = async (layer: string, body: object) => (await admin.post(`/api/layers/${layer}/features`).send(body).expect(201)).body.id as number;
  const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
  const place = await post('key-places', { type: 'Feature', geometry: point(120.203, 22.993), properties: { name: '鐵皮屋A', category: 'iron_sheet_house' } });
  await post('key-places', { type: 'Feature', geometry: point(120.225, 22.995), properties: { name: '空屋B', category: 'vacant_house' } });
  const team = await post('watch-teams', { type: 'Feature', geometry: null, properties: { name: '東門守望相助隊', precinct_code: 'P1' } });
  await post('cameras', { type: 'Feature', geometry: point(120.205, 22.995), properties: { name: '民族路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police', is_public: true } });
  await post('watch-blocks', { type: 'Feature', geometry: box(120.201, 22.991, 120.203, 22.993), properties: { name: '府前社區', adopter: '府前國小', adopter_kind: 'school', team_id: team } });
  await post('drone-surveys', { type: 'Feature', geometry: box(120.211, 22.991, 120.213, 22.993), properties: { name: '工業區', purpose: 'factory_check', target_place_ids: [place] } });
  await post('incidents', { type: 'Feature', geometry: point(120.202, 22.992), properties: { type: 'drugs', occurred_at: '2025-05-05T23:00:00+08:00' } });
  await w.as('officer').post('/api/layers/visits/features').send({ type: 'Feature', geometry: null, properties: { place_id: place, officer: '王警員', visited_at: '2025-06-01T10:00:00+08:00' } }).expect(201);
  server = await listen(w.app);
  for (const route of ROUTES) {
    if (SESSION_ENDING.has(`${route.method} ${route.path}`)) continue;
    try {
      parameters.set(route, await discoverParameters(server.port, route, w.tokens.admin));
    } catch (err) {
      throw new Error(`discovering the parameters of ${route.method} ${route.path}: ${(err as Error).message}`);
    }
  }
});

afterAll(async () => {
  console.log(`fuzz (${process.env.DATABASE_URL ? 'postgres' : 'pglite'}, seed ${SEED}, ${RUNS} runs per route, ${ROUTES.length} routes): ` +
    `${tally.requests} requests: ${tally['2xx']} 2xx, ${tally['3xx']} 3xx, ${tally['4xx']} 4xx, ${tally['5xx']} 5xx`);
  await server?.close();
  await w?.close();
});

const tokenOf = (role: Role) => (role === 'public' ? undefined : w.tokens[role]);

/** Sends one request and checks what every answer must be; throws a description of what went wrong. */
async function check(r: FuzzRequest): Promise<Answer> {
  const writes = r.method !== 'GET' && r.method !== 'HEAD';
  const before = writes ? await stateOf(w.db) : '';
  let a: Answer;
  try {
    a = await send(server.port, r, tokenOf(r.role), GUARD_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${describeRequest(r)}`);
  }
  tally.requests++;
  tally[`${Math.min(5, Math.floor(a.status / 100))}xx` as keyof typeof tally]++;
  if (a.status >= 500) throw new Error(`server error: ${describeRequest(r, a)}`);
  // A HEAD answer has the headers of the GET answer and no body (RFC 9110 §9.3.2).
  if (a.status >= 400 && SERVICE_PATH.test(r.url)) {
    if (!/json/.test(a.type)) throw new Error(`error answer is not JSON: ${describeRequest(r, a)}`);
    if (r.method === 'HEAD') return a;
    const body = JSON.parse(a.body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') throw new Error(`error answer without code and message: ${describeRequest(r, a)}`);
  }
  if (writes && a.status >= 400) {
    const after = await stateOf(w.db);
    if (after !== before) throw new Error(`refused (${a.status}) but written: ${before} → ${after}: ${describeRequest(r, a)}`);
  }
  return a;
}

async function assertProperty(arb: fc.Arbitrary<FuzzRequest>, seed: number, runs = RUNS): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arb, async (r) => { await check(r); }), { seed, numRuns: runs });
  } catch (err) {
    const e = err as Error & { cause?: unknown };
    const why = e.cause instanceof Error ? `\n${e.cause.message}` : '';
    throw new Error(`fuzz failed with FUZZ_SEED=${SEED} (this property's seed ${seed}):\n${e.message}${why}`);
  }
}

describe('every route, as every role, with hostile input: no 5xx, no hang, nothing written on refusal', () => {
  it('finds the routes (the listing itself works)', () => {
    const names = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(expect.arrayContaining(['get /api/layers/:layer/features', 'patch /api/layers/:layer/features/:id',
      'post /api/import/:layer', 'get /tiles/:layers/:z/:x/:y.mvt', 'post /api/analysis/new-sites', 'get /ogc/collections/:collection/items']));
    expect(ROUTES.length).toBeGreaterThan(40);
  });

  it.each(ROUTES.map((route, i): [string, Route, number] => [`${route.method.toUpperCase()} ${route.path}`, route, i]))('%s', async (_name, route, i) => {
    const roles = SESSION_ENDING.has(`${route.method} ${route.path}`) ? (['public'] as const) : ROLES;
    const own = parameters.get(route) ?? {};
    await assertProperty(requestsFor(route, roles, own), SEED + i, runsFor(own, RUNS));
  });

  it('unknown paths under /api, /ogc and /tiles answer JSON', async () => {
    const path = fc.tuple(fc.constantFrom('/api', '/ogc', '/tiles', '/tiles/cameras/12/3426/1793', '/api/layers/cameras', '/ogc/collections/cameras'),
      fc.array(textValue.map(percentEncode), { minLength: 1, maxLength: 3 }), fc.constantFrom('', '.pbf', '.mvt', '.json', '.html', '/'))
      .map(([prefix, segments, ext]) => `${prefix}/${segments.join('/')}${ext}`);
    const arb = fc.record({ role: fc.constantFrom(...ROLES), method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), url: path, headers: fc.constant({}) });
    await assertProperty(arb, SEED - 1, RUNS * 4);
  });
});
