import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../server/analysis/random.js';
import { openWorld, type World } from './support/world.js';

/**
 * The near-repeat calculation (issue 19): burglaries planted in station S1's beats, each followed
 * within 60 m and 1–5 days by another, among violence spread at random over the same months. Pair
 * counts are checked against a brute-force count of every pair made here, and the Knox test
 * against what was planted: the first band (0–100 m, 0–7 days) stands out for the burglaries,
 * not for the violence.
 */
let w: World;
const random = seededRandom(19);
/** Somewhere in S1 ([120.20, 120.22] × [22.99, 23.00]), a day of 2025 (as ms), at 20:00 Taiwan time. */
const somewhere = () => [120.2005 + random() * 0.019, 22.9905 + random() * 0.009] as const;
const someDay = () => Date.UTC(2025, 0, 1, 12) + Math.floor(random() * 360) * 86_400_000;

beforeAll(async () => {
  w = await openWorld();
  const rows: [string, number, number, number][] = [];
  for (let k = 0; k < 30; k++) {
    const [lon, lat] = somewhere();
    const t = someDay();
    rows.push(['residential_burglary', lon, lat, t]);
    // The repeat: 20–60 m away (0.0002–0.0006° of longitude here), 1–5 days later.
    rows.push(['residential_burglary', lon + 0.0002 + random() * 0.0004, lat, t + (1 + Math.floor(random() * 5)) * 86_400_000]);
  }
  for (let k = 0; k < 150; k++) {
    const [lon, lat] = somewhere();
    rows.push(['violence', lon, lat, someDay()]);
  }
  await w.db.query(`SELECT set_config('app.actor', 'fixture', false)`);
  await w.db.query(`INSERT INTO incidents (type, occurred_at, geom)
    SELECT u.type, to_timestamp(u.t / 1000.0), ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)
      FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[]) AS u(type, lon, lat, t)`,
  [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])]);
  await w.db.query(`SELECT set_config('app.actor', '', false)`);
});
afterAll(async () => { await w?.close(); });

const PERIOD = 'datetime=2025-01-01/2025-12-31&station=S1';
const run = (types: string, extra = '') => w.as('planner').get(`/api/analysis/near-repeat?${PERIOD}&types=${types}${extra}`);

describe('the near-repeat calculation', () => {
  it('counts every pair by distance and days apart as a brute-force count does', async () => {
    const { body } = await run('residential_burglary').expect(200);
    expect(body).toMatchObject({ incidents: 60, iterations: 99 });
    expect(body.distanceBands).toEqual([{ from: 0, to: 100 }, { from: 100, to: 200 }, { from: 200, to: 300 }, { from: 300, to: 400 }]);
    expect(body.timeBands).toEqual([{ from: 0, to: 7 }, { from: 7, to: 14 }, { from: 14, to: 21 }, { from: 21, to: 28 }]);
    const { rows } = await w.db.query<{ x: number; y: number; t: number }>(
      `SELECT ST_X(ST_Transform(geom, 3826)) x, ST_Y(ST_Transform(geom, 3826)) y, extract(epoch FROM occurred_at) * 1000 t FROM incidents WHERE type = 'residential_burglary'`);
    const brute = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const d = Math.hypot(rows[i]!.x - rows[j]!.x, rows[i]!.y - rows[j]!.y);
        const days = Math.abs(Number(rows[i]!.t) - Number(rows[j]!.t)) / 86_400_000;
        if (d > 400 || days >= 28) continue;
        brute[Math.max(0, Math.ceil(d / 100) - 1)]![Math.floor(days / 7)]! += 1;
      }
    }
    expect(body.cells.map((r: { observed: number }[]) => r.map((c) => c.observed))).toEqual(brute);
    // The thirty planted repeats are in the first band (with any chance pairs).
    expect(brute[0]![0]).toBeGreaterThanOrEqual(30);
  });

  it('finds the planted near-repeats significant, and none in violence spread at random', async () => {
    const burglary = (await run('residential_burglary').expect(200)).body;
    const first = burglary.cells[0][0];
    expect(first.significant).toBe(true);
    expect(first.p).toBeLessThanOrEqual(0.05);
    expect(first.ratio).toBeGreaterThan(5);
    expect(burglary.summary).toMatch(/^近重複現象：案件發生後 0–7 天內、0–100 公尺內，再發生案件的配對是隨機情況的 [\d.]+ 倍（p = [\d.]+）。$/);
    const violence = (await run('violence').expect(200)).body;
    expect(violence.incidents).toBe(150);
    expect(violence.cells[0][0].significant).toBe(false);
    // The same request answers the same: the permutations come from a fixed sequence.
    expect((await run('residential_burglary').expect(200)).body.cells).toEqual(burglary.cells);
  });

  it('takes other bands, refuses bad ones in words, and is the police\'s only', async () => {
    const wide = (await run('residential_burglary', '&distanceBand=50&distanceBands=2&timeBand=3&timeBands=2&iterations=19').expect(200)).body;
    expect(wide.distanceBands).toEqual([{ from: 0, to: 50 }, { from: 50, to: 100 }]);
    expect(wide.iterations).toBe(19);
    // With 19 permutations the smallest p is 1/20.
    expect(wide.cells.flat().every((c: { p: number }) => c.p >= 0.05)).toBe(true);
    for (const bad of ['&timeBand=0', '&iterations=5', '&distanceBand=5000', '&distanceBands=11']) {
      const res = await run('residential_burglary', bad).expect(400);
      expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    await w.as('community').get(`/api/analysis/near-repeat?${PERIOD}`).expect(404);
    await w.as('public').get(`/api/analysis/near-repeat?${PERIOD}`).expect(404);
    // No incidents: an answer with nothing in it, not an error.
    const none = (await w.as('planner').get('/api/analysis/near-repeat?datetime=2020-01-01/2020-01-31&station=S1').expect(200)).body;
    expect(none).toMatchObject({ incidents: 0, pairs: 0 });
    expect(none.summary).toMatch(/^沒有明顯的近重複現象/);
  });
});

describe('near-repeat warnings for a briefing', () => {
  it('warns of the last days\' thefts near the beat when the station\'s thefts repeat near and soon, and of nothing else', async () => {
    // The last 300 days: scooter thefts in S1, each followed within 60 m and 1–5 days by another.
    const day = 86_400_000;
    const rows: [number, number, number][] = [];
    for (let k = 0; k < 30; k++) {
      const [lon, lat] = somewhere();
      const t = Date.now() - (20 + Math.floor(random() * 280)) * day;
      rows.push([lon, lat, t], [lon + 0.0003, lat, t + (1 + Math.floor(random() * 5)) * day]);
    }
    rows.push([120.205, 22.995, Date.now() - 2 * day]); // in B1, two days ago: warned of
    rows.push([120.206, 22.996, Date.now() - 40 * day]); // in B1, forty days ago: over
    rows.push([120.225, 22.995, Date.now() - 2 * day]); // in B3, far from B1: not B1's
    await w.db.query(`SELECT set_config('app.actor', 'fixture', false)`);
    const { rows: ids } = await w.db.query<{ id: number }>(`INSERT INTO incidents (type, occurred_at, geom)
      SELECT 'scooter_theft', to_timestamp(u.t / 1000.0), ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)
        FROM unnest($1::float8[], $2::float8[], $3::float8[]) AS u(lon, lat, t) RETURNING id::int AS id`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
    await w.db.query(`SELECT set_config('app.actor', '', false)`);
    const recent = ids.at(-3)!.id;
    const { body } = await w.as('officer').get('/api/analysis/near-repeat/warnings?beat=B1').expect(200);
    expect(body.warning).toMatchObject({ radiusM: 100, days: 7 });
    expect(body.warning.p).toBeLessThanOrEqual(0.05);
    expect(body.incidents.map((i: { id: number }) => i.id)).toEqual([recent]);
    expect(Date.parse(body.incidents[0].until) - Date.parse(body.incidents[0].occurredAt)).toBe(7 * day);
    expect(body.summary).toMatch(/^近重複被害警示：.*案件後未來 7 天內、100 公尺內請加強巡邏。$/);
    // Violence does not repeat here: no warning, and the answer says so.
    const none = (await w.as('officer').get('/api/analysis/near-repeat/warnings?beat=B1&types=violence').expect(200)).body;
    expect(none).toMatchObject({ warning: null, incidents: [] });
    await w.as('officer').get('/api/analysis/near-repeat/warnings?beat=B9').expect(400);
    await w.as('community').get('/api/analysis/near-repeat/warnings?beat=B1').expect(404);
  });
});
