import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aimCameras, chooseSites, coveredWeight, type Option } from '../server/analysis/max-coverage.js';
import { seededRandom } from '../server/analysis/random.js';
import { box, openWorld, type World } from './support/world.js';

/**
 * Re-aim and new-site suggestions: the optimisers against exhaustive enumeration written here
 * (a different code path), and the endpoints on cameras and incidents placed by hand.
 */

/** Total weight of the union of the given point lists and the fixed points (plain Set). */
function union(weights: number[], fixed: number[], lists: readonly ArrayLike<number>[]): number {
  const seen = new Set(fixed);
  for (const l of lists) for (let i = 0; i < l.length; i++) seen.add(l[i]!);
  return [...seen].reduce((s, j) => s + weights[j]!, 0);
}

/** A random instance: `groups` cameras with `options` views each over `points` demand points. */
function instance(seed: number, groups: number, options: number, points: number) {
  const r = seededRandom(seed);
  const weights = Array.from({ length: points }, () => Math.round(1 + r() * 4));
  const fixed = Array.from({ length: 3 }, () => Math.floor(r() * points));
  // Each camera looks over a window of the points, so neighbours share some: one component.
  const span = Math.ceil(points / groups) * 2;
  const g = Array.from({ length: groups }, (_, k) => Array.from({ length: options }, () => {
    const from = Math.floor((k * points) / groups);
    return Int32Array.from(new Set(Array.from({ length: 2 + Math.floor(r() * 6) }, () => (from + Math.floor(r() * span)) % points)));
  }));
  return { weights, fixed, groups: g };
}

/** Best choice of one option per group, by trying every combination. */
function bruteAim(weights: number[], fixed: number[], groups: Option[][]): number {
  let best = 0;
  const pick: Option[] = [];
  const visit = (g: number) => {
    if (g === groups.length) {
      best = Math.max(best, union(weights, fixed, pick));
      return;
    }
    for (const o of groups[g]!) {
      pick.push(o);
      visit(g + 1);
      pick.pop();
    }
  };
  visit(0);
  return best;
}

describe('re-aim optimiser', () => {
  it('finds the optimum of small components, solved exhaustively, and never covers less than now', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const p = instance(seed, 4, 6, 40);
      const start = p.groups.map(() => 0);
      const s = aimCameras({ weights: Float64Array.from(p.weights), fixed: p.fixed, groups: p.groups }, start);
      expect(s.value, `seed ${seed}`).toBe(bruteAim(p.weights, p.fixed, p.groups));
      expect(s.value).toBe(union(p.weights, p.fixed, p.groups.map((o, g) => o[s.choice[g]!]!)));
      expect(s.value).toBeGreaterThanOrEqual(union(p.weights, p.fixed, p.groups.map((o) => o[0]!)));
    }
  });

  it('reaches at least 99 % of the optimum on components too large to enumerate (local search)', () => {
    // 7 cameras × 7 azimuths = 823,543 combinations, above the exhaustive limit of 200,000.
    const ratios: number[] = [];
    for (let seed = 100; seed < 108; seed++) {
      const p = instance(seed, 7, 7, 45);
      const s = aimCameras({ weights: Float64Array.from(p.weights), fixed: p.fixed, groups: p.groups }, p.groups.map(() => 0), seed);
      const best = bruteAim(p.weights, p.fixed, p.groups);
      expect(s.value).toBe(union(p.weights, p.fixed, p.groups.map((o, g) => o[s.choice[g]!]!)));
      ratios.push(s.value / best);
    }
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.99);
  });
});

describe('new-site optimiser', () => {
  /** The best k options of a pool by enumeration of every k-subset. */
  function bruteSites(weights: number[], fixed: number[], options: Option[], k: number): number {
    let best = 0;
    const pick: Option[] = [];
    const visit = (from: number) => {
      if (pick.length === k) {
        best = Math.max(best, union(weights, fixed, pick));
        return;
      }
      for (let i = from; i < options.length; i++) {
        pick.push(options[i]!);
        visit(i + 1);
        pick.pop();
      }
    };
    visit(0);
    return best;
  }

  it('keeps the (1 − 1/e) guarantee, is within 1 % of the optimum on average, and ranks its sites', () => {
    const ratios: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const r = seededRandom(seed);
      const p = instance(seed, 1, 18, 60);
      const options = p.groups[0]!.map((o) => Int32Array.from(new Set([...o, ...Array.from({ length: 4 }, () => Math.floor(r() * 60))])));
      const k = 2 + (seed % 3);
      const plan = chooseSites({ weights: Float64Array.from(p.weights), fixed: p.fixed, options }, k);
      const best = bruteSites(p.weights, p.fixed, options, k);
      const chosen = plan.chosen.map((i) => options[i]!);
      expect(plan.value).toBe(union(p.weights, p.fixed, chosen));
      expect(plan.value - union(p.weights, p.fixed, [])).toBeGreaterThanOrEqual((1 - 1 / Math.E) * (best - union(p.weights, p.fixed, [])) - 1e-9);
      ratios.push(plan.value / best);
      // Gains add up, each is what that site adds to those ranked before it, best first.
      expect(plan.before + plan.gains.reduce((s, g) => s + g, 0)).toBeCloseTo(plan.value, 9);
      plan.gains.forEach((g, i) => expect(g).toBe(union(p.weights, p.fixed, chosen.slice(0, i + 1)) - union(p.weights, p.fixed, chosen.slice(0, i))));
      expect(new Set(plan.chosen).size).toBe(plan.chosen.length);
    }
    expect(ratios.reduce((s, x) => s + x, 0) / ratios.length).toBeGreaterThan(0.99);
  });

  it('re-aim leaves a camera as it is when turning it adds nothing', () => {
    // Two cameras aimed at nothing could each turn to the one incident: one is enough, so only
    // one is asked to turn (the optimum is reached either way, and the other would climb for nothing).
    const groups = [[[0], []], [[0], []], [[0], []]].map((g) => g.map((o) => Int32Array.from(o)));
    const s = aimCameras({ weights: Float64Array.from([1]), fixed: [], groups }, [1, 1, 1]);
    expect(s.value).toBe(1);
    expect([...s.choice].filter((c) => c !== 1)).toHaveLength(1);
  });

  it('stops early when nothing is left to gain', () => {
    const plan = chooseSites({ weights: Float64Array.from([1, 1]), fixed: [0], options: [Int32Array.from([0]), Int32Array.from([1]), Int32Array.from([0, 1])] }, 3);
    expect(plan.gains).toEqual([1]);
    expect([plan.before, plan.value]).toEqual([1, 2]);
    expect(coveredWeight(Float64Array.from([1, 1]), [0], [Int32Array.from([1])])).toBe(2);
  });
});

describe('through the API', () => {
  let w: World;
  const ids: Record<string, number> = {};
  // Local metres around a point of B2 [120.21, 120.22] × [22.99, 23.00].
  const [lon0, lat0] = [120.2150, 22.9950];
  const at = (dx: number, dy: number): [number, number] => [lon0 + dx / (111_320 * Math.cos((lat0 * Math.PI) / 180)), lat0 + dy / 110_760];
  const MARCH = 'datetime=2026-03-01/2026-03-31';
  const Q1 = 'datetime=2026-01-01/2026-03-31';

  beforeAll(async () => {
    w = await openWorld();
    const camera = (name: string, [lon, lat]: [number, number], azimuth: number, more = '') => w.db.query<{ id: number }>(
      `INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, adjustable, status, geom)
       VALUES ($1, $2, 60, 50, 'police', true, ${more || 'true, \'working\''}, ST_SetSRID(ST_MakePoint($3, $4), 4326)) RETURNING id::int AS id`,
      [name, azimuth, lon, lat]).then((r) => (ids[name] = r.rows[0]!.id));
    // A looks west at nothing; six incidents lie 30 m east of it.
    await camera('A', at(0, 0), 270);
    // B cannot turn and sees four incidents 30 m north of (200, 0); C beside B looks at them too.
    await camera('B', at(200, 0), 0, `false, 'working'`);
    await camera('C', at(205, 0), 0);
    // D is broken: it is not re-aimed and sees nothing.
    await camera('D', at(5, 0), 270, `true, 'broken'`);
    const incidents = [
      ...Array.from({ length: 6 }, (_, k) => at(30, -3 + k)),       // east of A
      ...Array.from({ length: 4 }, (_, k) => at(200 + k, 30)),       // north of B and C
      ...Array.from({ length: 2 }, (_, k) => at(205 + k, -30)),      // south of C
    ];
    await w.db.exec(`INSERT INTO incidents (type, occurred_at, geom) VALUES ${incidents.map(([lon, lat]) =>
      `('scooter_theft', '2026-03-10T22:00+08', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`).join(', ')}`);
  });
  afterAll(async () => { await w?.close(); });

  it('re-aim: turns A to the incidents east of it, and C away from what B already sees', async () => {
    const res = await w.as('planner').get(`/api/analysis/reaim?beat=B2&${MARCH}&keyPlaceWeight=0`).expect(200);
    const byId = Object.fromEntries(res.body.features.map((f: { id: number; properties: object }) => [f.id, f.properties]));
    expect(Object.keys(byId).map(Number).sort((a, b) => a - b)).toEqual([ids.A, ids.C]); // B cannot turn, D is broken
    expect(byId[ids.A!]).toMatchObject({ currentAzimuth: 270, changed: true, gain: 6 });
    expect(byId[ids.A!].suggestedAzimuth).toBeGreaterThanOrEqual(60);
    expect(byId[ids.A!].suggestedAzimuth).toBeLessThanOrEqual(120);
    expect(byId[ids.C!]).toMatchObject({ currentAzimuth: 0, changed: true, gain: 2 });
    expect(byId[ids.C!].suggestedAzimuth).toBeGreaterThanOrEqual(150);
    expect(byId[ids.C!].suggestedAzimuth).toBeLessThanOrEqual(210);
    expect(byId[ids.C!].turn).toBeCloseTo(byId[ids.C!].suggestedAzimuth - (byId[ids.C!].suggestedAzimuth > 180 ? 360 : 0), 6);
    expect(res.body.analysis.totals).toMatchObject({ before: 4, after: 12, gain: 8 });
    expect(res.body.analysis.cameras).toEqual({ adjustable: 2, fixed: 1, changed: 2 });
    // Current and suggested views of each changed camera, to draw.
    expect(res.body.sectors.features.map((f: { properties: { view: string } }) => f.properties.view)).toEqual(['current', 'suggested', 'current', 'suggested']);
    expect(res.body.sectors.features[1].geometry.type).toBe('MultiPolygon');
  });

  it('re-aim: a coarser step still counts each incident once, and weights can be tuned', async () => {
    const res = await w.as('admin').post('/api/analysis/reaim').send({
      beat: 'B2', datetime: '2026-03-01/2026-03-31', step: 90, incidentWeight: 2, keyPlaceWeight: 0,
      points: [{ lon: at(-30, 0)[0], lat: at(-30, 0)[1], weight: 20 }],
    }).expect(200);
    // A now stays west, on the supplied point of weight 20 (over 6 incidents × 2).
    const a = res.body.features.find((f: { id: number }) => f.id === ids.A).properties;
    expect(a).toMatchObject({ suggestedAzimuth: 270, changed: false });
    expect(res.body.analysis.totals.after).toBe(20 + 2 * 4 + 2 * 2);
    expect(res.body.analysis.demand).toMatchObject({ incident: { count: 12, weight: 24 }, point: { count: 1, weight: 20 } });
  });


  it('new sites: the best site and azimuth for what existing cameras do not see, with the coverage curve', async () => {
    const sites = [at(60, 0), at(150, 30), at(205, -60)].map(([lon, lat]) => ({ lon, lat }));
    const res = await w.as('planner').post('/api/analysis/new-sites').send({
      beat: 'B2', datetime: '2026-03-01/2026-03-31', candidates: 'sites', sites, k: 2, keyPlaceWeight: 0, range_m: 50,
    }).expect(200);
    const [first, second] = res.body.features;
    // Site 0 (30 m east of the six) sees them looking west; site 2 sees the two looking north.
    expect(first.properties).toMatchObject({ rank: 1, site: 0, gain: 6, covered: 10 });
    expect(first.properties.azimuth).toBeGreaterThanOrEqual(240);
    expect(first.properties.azimuth).toBeLessThanOrEqual(300);
    expect(second.properties).toMatchObject({ rank: 2, site: 2, gain: 2, covered: 12 });
    expect(res.body.curve).toEqual([{ k: 0, covered: 4, share: 0.3333 }, { k: 1, covered: 10, share: 0.8333 }, { k: 2, covered: 12, share: 1 }]);
    expect(res.body.uncovered.features).toHaveLength(0);
    // A grid of candidates over the beat finds as much with two cameras.
    const grid = await w.as('planner').get(`/api/analysis/new-sites?beat=B2&${MARCH}&k=2&spacing=25&keyPlaceWeight=0`).expect(200);
    expect(grid.body.analysis.totals.after).toBe(12);
    expect(grid.body.analysis.candidates.grid).toBeGreaterThan(1000);
    const outside = await w.as('planner').post('/api/analysis/new-sites').send({ beat: 'B2', candidates: 'sites', sites: [{ lon: 120.205, lat: 22.995 }] }).expect(400);
    expect(outside.body.error.field).toBe('sites[0]');
    const abroad = await w.as('planner').post('/api/analysis/new-sites').send({ beat: 'B2', candidates: 'sites', sites: [{ lon: 118.13, lat: 24.54 }] }).expect(400);
    expect(abroad.body.error).toMatchObject({ code: 'position_outside_taiwan', field: 'sites[0]', message: expect.stringMatching(/^坐標 \(118\.13, 24\.54\) 不在臺灣及其離島/) });
  });

  it('the community plans in its own area only, on the published squares, without key places or a map of blind spots; the public must sign in', async () => {
    // The community area is [120.200, 120.205] × [22.990, 22.995]; six incidents lie in it, in one 200 m square.
    await w.db.exec(`INSERT INTO incidents (type, occurred_at, geom)
      SELECT 'drugs', '2026-03-12T23:00+08', ST_SetSRID(ST_MakePoint(120.2021 + i * 0.00002, 22.9921), 4326) FROM generate_series(1, 6) i`);
    const { rows: [square] } = await w.db.query<{ i: number; j: number }>(
      `SELECT floor(ST_X(m) / 200)::int i, floor(ST_Y(m) / 200)::int j FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(120.20216, 22.9921), 4326), 3826) m) t`);
    const published = (await w.as('community').get(`/api/analysis/hotspots?${Q1}`).expect(200)).body.features
      .find((f: { properties: { i: number; j: number } }) => f.properties.i === square!.i && f.properties.j === square!.j).properties.count;
    expect([5, 10]).toContain(published);
    const res = await w.as('community').get(`/api/analysis/new-sites?${Q1}&k=1&spacing=20`).expect(200);
    expect(res.body).not.toHaveProperty('uncovered');
    expect(res.body.analysis).toMatchObject({ aggregated: true, scope: { kind: 'default' }, disclosure: { quarters: ['2026Q1'] } });
    expect(res.body.analysis.scope.areaM2 / (514 * 553)).toBeCloseTo(1, 1);
    // The square's published count is spread over it: a camera sees the share of it in its view,
    // a tenth of an incident at a time, and the best one stands in that square.
    const site = res.body.features[0];
    expect(site.properties.gain).toBeGreaterThan(0);
    expect(site.properties.gain).toBeLessThan(published);
    expect(Math.round(site.properties.gain * 10)).toBeCloseTo(site.properties.gain * 10, 6);
    const { rows: [at] } = await w.db.query<{ i: number; j: number }>(
      `SELECT floor(ST_X(m) / 200)::int i, floor(ST_Y(m) / 200)::int j FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 3826) m) t`,
      site.geometry.coordinates);
    expect(Math.abs(at!.i - square!.i) + Math.abs(at!.j - square!.j)).toBeLessThanOrEqual(1);
    const [lon, lat] = site.geometry.coordinates;
    expect(lon).toBeGreaterThan(120.2); expect(lon).toBeLessThan(120.205);
    expect(lat).toBeGreaterThan(22.99); expect(lat).toBeLessThan(22.995);
    // A period that is not whole quarters, a half-life or a type are refused: below what is published.
    for (const q of [MARCH, `${Q1}&halfLifeDays=30`, `${Q1}&types=drugs`]) await w.as('community').get(`/api/analysis/new-sites?${q}`).expect(400);
    // Asked for a beat, it still gets its area only.
    const b2 = await w.as('community').get(`/api/analysis/new-sites?${Q1}&beat=B2`).expect(403);
    expect(b2.body.error).toMatchObject({ code: 'analysis_outside_area', message: expect.stringMatching(/不在你的社區範圍內/) });
    const kp = await w.as('community').get(`/api/analysis/reaim?${Q1}&keyPlaceWeight=2`).expect(403);
    expect(kp.body.error.field).toBe('keyPlaceWeight');
    for (const path of ['reaim', 'new-sites']) {
      const pub = await w.as('public').get(`/api/analysis/${path}?${Q1}`).expect(401);
      expect(pub.body.error).toMatchObject({ code: 'sign_in_required', message: expect.stringMatching(/^請先登入（POST \/api\/login）才能查詢(監視器轉向建議|新設監視器地點建議)。$/) });
    }
    // The community's re-aim sees only public cameras in its area (none here): nothing to turn.
    const re = await w.as('community').get(`/api/analysis/reaim?${Q1}`).expect(200);
    expect(re.body.features).toEqual([]);
  });

  it.each([
    ['reaim', 'step=0', 'step', 'analysis_parameter_invalid', /^「step」必須是 1 到 180 之間的數字（單位：度）。$/],
    ['reaim', 'halfLifeDays=0', 'halfLifeDays', 'analysis_parameter_invalid', /^「halfLifeDays」必須是 1 到 3650 之間的數字（單位：天）。$/],
    ['reaim', 'points=[{"lon":22.99,"lat":120.2}]', 'points[0]', 'position_swapped', /^坐標 \(22\.99, 120\.2\) 的經度與緯度寫反了/],
    ['reaim', 'points=[{"lon":120.2}]', 'points[0].lat', 'analysis_parameter_invalid', /^「points\[0\]\.lat」為必填，請提供這個參數。$/],
    ['reaim', 'points={"lon":120.2}', 'points', 'analysis_parameter_invalid', /^「points」必須是 \{"lon": 經度, "lat": 緯度, "weight": 權重\} 的陣列，最多 5,000 個點。$/],
    ['new-sites', 'k=0', 'k', 'analysis_parameter_invalid', /^「k」必須是 1 到 50 之間的整數。$/],
    ['new-sites', 'k=2.5', 'k', 'analysis_parameter_invalid', /^「k」必須是 1 到 50 之間的整數。$/],
    ['new-sites', 'candidates=sites', 'sites', 'new_sites_needs_sites', /需要 sites/],
    ['new-sites', 'candidates=most', 'candidates', 'analysis_parameter_invalid', /^「candidates」必須是下列其中之一：grid、sites、both。$/],
    ['new-sites', 'spacing=10&bbox=120.0,22.5,120.5,23.2', 'spacing', 'new_sites_grid_too_large', /請加大 spacing/],
    ['new-sites', 'sites=[{"lon":120.215,"lat":22.995,"azimuths":[400]}]', 'sites[0].azimuths[0]', 'analysis_parameter_invalid', /^「sites\[0\]\.azimuths\[0\]」必須是 0 以上、小於 360 的方位角（度）。$/],
    ['new-sites', 'sites=[{"lon":"x","lat":22.995}]', 'sites[0].lon', 'analysis_parameter_invalid', /^「sites\[0\]\.lon」必須是經度（度），例如 121\.3。$/],
  ])('%s refuses %s naming %s', async (path, query, field, code, message) => {
    const res = await w.as('admin').get(`/api/analysis/${path}?${query}`).expect(400);
    expect(res.body.error).toMatchObject({ field, code });
    expect(res.body.error.message).toMatch(message);
  });

  it('re-aim over a polygon scope works as over a beat', async () => {
    const res = await w.as('admin').post('/api/analysis/reaim').send({ polygon: box(120.21, 22.99, 120.22, 23.0), datetime: '2026-03-01/2026-03-31', keyPlaceWeight: 0 }).expect(200);
    expect(res.body.analysis.totals).toMatchObject({ before: 4, after: 12 });
  });
});
