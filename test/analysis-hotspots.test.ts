import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCentre, cellOf, type GridShape } from '../server/analysis/grid.js';
import { openDemoWorld, type DemoWorld } from './support/demo-world.js';
import { box, openWorld, type World } from './support/world.js';

/**
 * Hot spots (grid counts, Gi*, bins), kernel density, hot hours and the beat ranking through
 * the API: on the demo city, whose planted hot spots Gi* must find, and on the small test
 * world, where every incident is placed by hand.
 */
const YEAR = 'datetime=2025-11-01/2026-10-31';
type Cell = { properties: Record<string, number | boolean>; geometry: { coordinates: number[][][] } };

describe('on the demo city', () => {
  let w: DemoWorld;
  beforeAll(async () => { w = await openDemoWorld(0.1); });
  afterAll(async () => { await w?.close(); });

  /** Metres between two WGS84 points (geodesic, turf). */
  const metres = (a: number[], b: number[]) => turf.distance(turf.point(a), turf.point(b), { units: 'meters' });
  const centroid = (c: Cell) => turf.centroid(turf.polygon(c.geometry.coordinates)).geometry.coordinates;

  it.each(['square', 'hexagon'] as const)('Gi* finds every planted hot spot on a %s grid, at 99 percent with FDR correction', async (grid) => {
    // Over the planted spots and 2 km around them (150 m cells over all of 桃園 would be too many).
    const lons = w.city.hotSpots.map((h) => h.centre[0]);
    const lats = w.city.hotSpots.map((h) => h.centre[1]);
    const box = [Math.min(...lons) - 0.02, Math.min(...lats) - 0.02, Math.max(...lons) + 0.02, Math.max(...lats) + 0.02];
    const res = await w.as('admin').get(`/api/analysis/hotspots?grid=${grid}&cellSize=150&bbox=${box.join(',')}&${YEAR}`).expect(200);
    const cells = res.body.features as Cell[];
    const total = (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE occurred_at >= '2025-11-01T00:00+08' AND occurred_at < '2026-11-01T00:00+08'
      AND ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))`, box)).rows[0]!.n;
    expect(cells.reduce((s, c) => s + Number(c.properties.count), 0)).toBe(total);
    expect(res.body.analysis.incidents).toBe(total);
    for (const hot of w.city.hotSpots) {
      const home = cells.find((c) => turf.booleanPointInPolygon(turf.point(hot.centre), turf.polygon(c.geometry.coordinates)))!;
      expect(home.properties.binFdr, hot.name).toBe(3);
      expect(home.properties.z).toBeGreaterThan(2.58);
    }
    // And the hottest cells are the planted ones: incidents are denser in built-up blocks everywhere
    // (so town centres may be hot too), but the cells with the highest z lie near a planted centre.
    const hottest = cells.filter((c) => c.properties.binFdr === 3).sort((a, b) => Number(b.properties.z) - Number(a.properties.z))
      .slice(0, 3 * w.city.hotSpots.length);
    const near = hottest.filter((c) => w.city.hotSpots.some((h) => metres(centroid(c), h.centre) < 3 * h.sigmaM + 300));
    expect(near.length / hottest.length).toBeGreaterThan(0.9);
    // FDR never adds significance.
    expect(res.body.analysis.binsFdr['3']).toBeLessThanOrEqual(res.body.analysis.bins['3']);
  });

  it('the public\'s Gi*, on the published 200 m squares, still finds every planted hot spot', async () => {
    // Over the planted spots and 2 km around them (200 m squares over the whole of 桃園 are too many for one answer).
    const lons = w.city.hotSpots.map((h) => h.centre[0]);
    const lats = w.city.hotSpots.map((h) => h.centre[1]);
    const box = [Math.min(...lons) - 0.02, Math.min(...lats) - 0.02, Math.max(...lons) + 0.02, Math.max(...lats) + 0.02];
    const res = await w.as('public').get(`/api/analysis/hotspots?datetime=2025-10-01/2026-09-30&bbox=${box.join(',')}`).expect(200);
    expect(res.body.analysis.disclosure.quarters).toEqual(['2025Q4', '2026Q1', '2026Q2', '2026Q3']);
    const cells = res.body.features as Cell[];
    for (const hot of w.city.hotSpots) {
      const home = cells.find((c) => turf.booleanPointInPolygon(turf.point(hot.centre), turf.polygon(c.geometry.coordinates)))!;
      expect(home.properties.binFdr, hot.name).toBeGreaterThanOrEqual(2);
    }
    const hot = cells.filter((c) => Number(c.properties.binFdr) >= 2);
    const near = hot.filter((c) => w.city.hotSpots.some((h) => metres(centroid(c), h.centre) < 3 * h.sigmaM + 300));
    expect(near.length / hot.length).toBeGreaterThan(0.9);
  });

  it.each(['square', 'hexagon'] as const)('puts each point in the %s cell PostGIS says holds it, and centres cells where PostGIS does', async (grid: GridShape) => {
    const fn = grid === 'square' ? 'ST_SquareGrid' : 'ST_HexagonGrid';
    const { rows } = await w.db.query<{ x: number; y: number; i: number; j: number; cx: number; cy: number }>(
      `SELECT ST_X(p) x, ST_Y(p) y, c.i, c.j, ST_X(ST_Centroid(c.geom)) cx, ST_Y(ST_Centroid(c.geom)) cy
         FROM (SELECT ST_Transform(geom, 3826) p FROM incidents ORDER BY id LIMIT 400) s,
              LATERAL ${fn}(120, ST_Expand(s.p, 1)) c
        WHERE ST_Intersects(c.geom, s.p)`);
    expect(rows.length).toBe(400); // no point on an edge, so each in one cell
    for (const r of rows) {
      expect(cellOf(grid, 120, r.x, r.y)).toEqual([r.i, r.j]);
      const [cx, cy] = cellCentre(grid, 120, r.i, r.j);
      expect(cx).toBeCloseTo(r.cx, 6);
      expect(cy).toBeCloseTo(r.cy, 6);
    }
  });

  it('kernel density integrates to the number of incidents, and peaks at a planted hot spot', async () => {
    const res = await w.as('admin').get(`/api/analysis/density?cellSize=250&bandwidth=500&${YEAR}`).expect(200);
    const a = res.body.analysis;
    expect(Math.abs(a.totalExpected - a.incidents) / a.incidents).toBeLessThan(0.005);
    const cells = res.body.features as Cell[];
    // Densities are per km², expected counts per cell: the two agree through the cell's area.
    for (const c of cells.slice(0, 50)) expect(Number(c.properties.expected)).toBeCloseTo(Number(c.properties.density) * 0.0625, 4);
    const peak = cells.reduce((m, c) => (Number(c.properties.density) > Number(m.properties.density) ? c : m));
    expect(Number(peak.properties.density)).toBeCloseTo(a.maxDensity, 2);
    expect(Math.min(...w.city.hotSpots.map((h) => metres(centroid(peak), h.centre)))).toBeLessThan(400);
  });

  it('hot hours: the fraud withdrawals come in banking hours on weekdays, Monday first', async () => {
    const res = await w.as('admin').get(`/api/analysis/hot-hours?types=fraud_withdrawal&${YEAR}`).expect(200);
    const m = res.body.matrix as number[][];
    expect(m).toHaveLength(7);
    expect(m.every((row) => row.length === 24)).toBe(true);
    expect(res.body).toMatchObject({ weekStart: 'monday', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], timeZone: 'Asia/Taipei' });
    const total = m.flat().reduce((s, n) => s + n, 0);
    expect(res.body.total).toBe(total);
    const { rows } = await w.db.query<{ n: number }>(`SELECT count(*)::int n FROM incidents WHERE type = 'fraud_withdrawal'
      AND occurred_at >= '2025-11-01T00:00+08' AND occurred_at < '2026-11-01T00:00+08'`);
    expect(total).toBe(rows[0]!.n);
    const banking = m.slice(0, 5).reduce((s, row) => s + row.slice(10, 15).reduce((a, b) => a + b, 0), 0);
    expect(banking / total).toBeGreaterThan(0.6);
    expect(res.body.peak.hour).toBeGreaterThanOrEqual(10);
    expect(res.body.peak.hour).toBeLessThanOrEqual(14);
    expect(['mon', 'tue', 'wed', 'thu', 'fri']).toContain(res.body.peak.day);
    // Weekends are quiet for them (a quarter of a weekday's odds).
    expect(res.body.byDay[5] + res.body.byDay[6]).toBeLessThan(res.body.byDay[0]);
  });

  it('ranks the planner\'s beats by count, with rate per km² and change against the 28 days before', async () => {
    const res = await w.as('planner').get('/api/analysis/beats?datetime=2026-10-04/2026-10-31').expect(200);
    const beats = res.body.features as { geometry: object; properties: Record<string, number | string> }[];
    const { rows } = await w.db.query<{ code: string; n: number; prev: number }>(
      `SELECT b.code, count(*) FILTER (WHERE i.occurred_at >= '2026-10-04T00:00+08' AND i.occurred_at < '2026-11-01T00:00+08')::int n,
              count(*) FILTER (WHERE i.occurred_at >= '2026-09-06T00:00+08' AND i.occurred_at < '2026-10-04T00:00+08')::int prev
         FROM beats b LEFT JOIN incidents i ON i.beat_code = b.code WHERE b.precinct_code = 'P01' GROUP BY b.code`);
    expect(beats.map((b) => b.properties.code).sort()).toEqual(rows.map((r) => r.code).sort());
    expect(res.body.analysis.previousPeriod).toEqual({ from: '2026-09-05T16:00:00.000Z', to: '2026-10-03T16:00:00.000Z' });
    for (const b of beats) {
      const r = rows.find((x) => x.code === b.properties.code)!;
      expect([b.properties.count, b.properties.previousCount, b.properties.change]).toEqual([r.n, r.prev, r.n - r.prev]);
      const km2 = turf.area(b.geometry as turf.AllGeoJSON) / 1e6;
      // Rounded to 0.0001 km² (100 m²); turf's sphere (of the equator's radius) makes areas here
      // about 0.2 % larger than TM2 on the ellipsoid does.
      expect(Math.abs(Number(b.properties.areaKm2) - km2)).toBeLessThan(0.0001 + 0.003 * km2);
      expect(Number(b.properties.ratePerKm2)).toBeCloseTo(r.n / Number(b.properties.areaKm2), 1);
    }
    const counts = beats.map((b) => Number(b.properties.count));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(beats.map((b) => b.properties.rank)).toEqual(beats.map((_, i) => i + 1));
  });
});

describe('on the small test world', () => {
  let w: World;
  // Incidents placed by hand (lon, lat, Taiwan time, type). B1 is [120.20, 120.21] × [22.99, 23.00].
  const cluster = (lon: number, lat: number, n: number, at: string, type = 'drugs') =>
    Array.from({ length: n }, (_, k) => [lon + (k % 3) * 0.0001, lat + Math.floor(k / 3) * 0.0001, at, type] as const);
  const planted = [
    ...cluster(120.2012, 22.9912, 5, '2026-03-02T21:30:00+08:00'),               // Monday 21h, in the community area
    ...cluster(120.2037, 22.9937, 2, '2026-03-01T16:30:00Z', 'scooter_theft'),   // Monday 00:30 in Taipei (Sunday in UTC)
    ...cluster(120.2151, 22.9951, 4, '2026-03-07T09:15:00+08:00', 'car_theft'),  // Saturday, B2
    ...cluster(120.2251, 22.9951, 3, '2026-03-04T13:00:00+08:00'),               // Wednesday, B3 (P2)
  ];

  beforeAll(async () => {
    w = await openWorld();
    const values = planted.map(([lon, lat, at, type]) => `('${type}', '${at}', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`);
    await w.db.exec(`INSERT INTO incidents (type, occurred_at, geom) VALUES ${values.join(', ')}`);
  });
  afterAll(async () => { await w?.close(); });
  const MARCH = 'datetime=2026-03-01/2026-03-31';

  it('counts by hour and day in Taiwan time, and filters by type, hours and days', async () => {
    const res = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}`).expect(200);
    const m = res.body.matrix as number[][];
    expect(m[0]![21]).toBe(5);
    expect(m[0]![0]).toBe(2); // 16:30 UTC on Sunday is 00:30 on Monday in 臺南
    expect(m[5]![9]).toBe(4);
    expect(m[2]![13]).toBe(3);
    expect(res.body.total).toBe(14);
    const hours = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&hour=21-1`).expect(200);
    expect(hours.body.total).toBe(7);
    const days = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&weekday=sat,3`).expect(200);
    expect(days.body.total).toBe(7);
    const range = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&weekday=7-3`).expect(200);
    expect(range.body.total).toBe(10); // Sunday to Wednesday, wrapping: Monday's 7 and Wednesday's 3
    const types = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&types=car_theft,scooter_theft`).expect(200);
    expect(types.body.total).toBe(6);
    const beat = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&beat=B2`).expect(200);
    expect(beat.body.total).toBe(4);
    const polygon = encodeURIComponent(JSON.stringify(box(120.2, 22.99, 120.205, 22.995)));
    const area = await w.as('admin').get(`/api/analysis/hot-hours?${MARCH}&polygon=${polygon}`).expect(200);
    expect(area.body.total).toBe(7);
    const before = await w.as('admin').get('/api/analysis/hot-hours?datetime=2026-03-01/2026-03-03').expect(200);
    expect(before.body.total).toBe(7); // the 7th of March is outside
  });

  it('the planner analyses its precinct only, and a scope outside it is refused', async () => {
    const res = await w.as('planner').get(`/api/analysis/hotspots?${MARCH}&cellSize=100`).expect(200);
    expect(res.body.analysis.incidents).toBe(11); // P2's three are not the planner's
    expect(res.body.analysis.scope.kind).toBe('default');
    const bbox = await w.as('planner').get(`/api/analysis/hot-hours?${MARCH}&bbox=120.2,22.99,120.23,23`).expect(200);
    expect(bbox.body.total).toBe(11);
    // The small world's precinct has too few 500 m cells for Gi* to be trusted: said in Chinese, with what to do.
    const coarse = await w.as('planner').get(`/api/analysis/hotspots?${MARCH}&cellSize=500&band=500`).expect(200);
    expect(coarse.body.analysis.cells).toBeLessThan(30);
    expect(coarse.body.analysis.warnings[0]).toBe(`範圍內只有 ${coarse.body.analysis.cells} 格：熱點統計（Gi*）在 30 格以上才可靠，請改用較小的網格或較大的範圍。`);
    const outside = await w.as('planner').get(`/api/analysis/hotspots?${MARCH}&beat=B3`).expect(403);
    expect(outside.body.error).toMatchObject({ code: 'analysis_outside_precinct', field: 'beat', message: '這個警勤區不在你的分局（P1）轄區內；請選擇轄區內的範圍。' });
  });

  const Q1 = 'datetime=2026-01-01/2026-03-31';
  /** The true count of each 200 m square (TWD97) in the first quarter, and in how many beats its incidents lie. */
  const squares = async () => new Map((await w.db.query<{ k: string; n: number; beats: number }>(
    `SELECT floor(ST_X(m) / 200) || ',' || floor(ST_Y(m) / 200) AS k, count(*)::int AS n, count(DISTINCT beat_code)::int AS beats
       FROM incidents, LATERAL (SELECT ST_Transform(geom, 3826) AS m) t
      WHERE occurred_at >= '2026-01-01T00:00+08' AND occurred_at < '2026-04-01T00:00+08' GROUP BY 1`)).rows.map((r) => [r.k, r]));

  it('the community and the public get the published table only: 200 m squares, whole quarters, counts rounded to 5', async () => {
    const truth = await squares();
    for (const role of ['community', 'public'] as const) {
      const res = await w.as(role).get(`/api/analysis/hotspots?${Q1}&bbox=120.2,22.99,120.23,23`).expect(200);
      expect(res.body.analysis).toMatchObject({
        aggregated: true, grid: 'square', cellSize: 200,
        disclosure: { grid: { shape: 'square', cellSize: 200 }, quarters: ['2026Q1'], rounding: { method: 'random', base: 5 } },
      });
      const cells = res.body.features as Cell[];
      // Each square is published whole: a multiple of 5 within 4 of the true count of each beat's part of it.
      for (const c of cells) {
        const t = truth.get(`${c.properties.i},${c.properties.j}`) ?? { n: 0, beats: 0 };
        expect(Number(c.properties.count) % 5).toBe(0);
        expect(Math.abs(Number(c.properties.count) - t.n)).toBeLessThanOrEqual(4 * t.beats);
      }
      expect(cells.filter((c) => Number(c.properties.count) > 0).length).toBeGreaterThan(0);
      expect(res.body.analysis.incidents).toBe(cells.reduce((s, c) => s + Number(c.properties.count), 0));
      expect(cells.every((c) => !('z' in c.properties) && !('p' in c.properties) && !('suppressed' in c.properties))).toBe(true);
      expect(cells.every((c) => 'bin' in c.properties && 'binFdr' in c.properties)).toBe(true);
      // Asked through another scope, a square is the same figure.
      const beat = await w.as(role).get(`/api/analysis/hotspots?${Q1}&beat=B1`).expect(200);
      for (const c of beat.body.features as Cell[]) {
        expect(c.properties.count).toBe(cells.find((x) => x.properties.i === c.properties.i && x.properties.j === c.properties.j)!.properties.count);
      }
      // Hours are published per station: the beat's station, whole.
      const hours = await w.as(role).get(`/api/analysis/hot-hours?${Q1}&beat=B1`).expect(200);
      expect(hours.body.scope.stations).toEqual(['S1']);
      expect(hours.body.matrix[0][21]).toBe(5); // five on a Monday at 21h: a multiple of 5 stays as it is
      expect([0, 5]).toContain(hours.body.matrix[0][0]); // two: rounded down or up
      expect(hours.body.matrix[1][0]).toBe(0);
      expect(hours.body.total).toBe((hours.body.matrix as number[][]).flat().reduce((a, b) => a + b, 0));
      const density = await w.as(role).get(`/api/analysis/density?${Q1}&bbox=120.2,22.99,120.23,23&bandwidth=300&cellSize=50`).expect(200);
      expect(density.body.analysis.incidents).toBe(res.body.analysis.incidents);
      expect(Math.abs(density.body.analysis.totalExpected / density.body.analysis.incidents - 1)).toBeLessThan(0.01);
      const body = JSON.stringify([res.body, hours.body, density.body]);
      expect(body).not.toMatch(/"(z|p|description|suppressed)":|"type":"(drugs|scooter_theft|car_theft)"/);
    }
    // The admin, asking the same, gets every count.
    const admin = await w.as('admin').get(`/api/analysis/hotspots?${MARCH}&cellSize=100&bbox=120.2,22.99,120.23,23`).expect(200);
    expect((admin.body.features as Cell[]).filter((c) => Number(c.properties.count) > 0).map((c) => c.properties.count).sort()).toEqual([2, 3, 4, 5]);
  });

  it.each([
    ['hotspots', 'cellSize=100', 'cellSize', 'public_statistics_grid', /固定的 200 公尺方格/],
    ['hotspots', 'grid=hexagon', 'grid', 'public_statistics_grid', /grid=square/],
    ['hotspots', 'datetime=2026-03-01/2026-03-31', 'datetime', 'public_statistics_period', /完整的季為單位.*例如 \d{4}-\d{2}-01\/\d{4}-\d{2}-\d{2}/],
    ['beats', 'datetime=2026-01-02/2026-03-31', 'datetime', 'public_statistics_period', /完整的季/],
    ['hot-hours', `datetime=${new Date().getFullYear()}-01-01/..`, 'datetime', 'public_statistics_period', /每季結束後才公開/],
    ['hot-hours', 'datetime=2021-01-01/2026-03-31', 'datetime', 'public_statistics_period_too_long', /最多查詢 20 季/],
    ['hot-hours', 'types=drugs', 'types', 'public_statistics_filter', /不分案類、時段或星期/],
    ['hotspots', 'hour=21-1', 'hour', 'public_statistics_filter', /參數 hour/],
    ['coverage', 'weekday=6', 'weekday', 'public_statistics_filter', /參數 weekday/],
    ['density', 'bandwidth=100&cellSize=50', 'bandwidth', 'public_statistics_bandwidth', /頻寬至少 200 公尺/],
  ])('outsiders: %s with %s is refused, naming %s, in Chinese', async (path, query, field, code, message) => {
    for (const role of ['community', 'public'] as const) {
      const res = await w.as(role).get(`/api/analysis/${path}?${query}`).expect(400);
      expect(res.body.error).toMatchObject({ field, code });
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('beats: outsiders get every beat ranked by its published count, against the quarter before', async () => {
    const { rows } = await w.db.query<{ code: string; n: number; pieces: number }>(
      `SELECT b.code, count(i.id)::int AS n, count(DISTINCT floor(ST_X(ST_Transform(i.geom, 3826)) / 200) || ',' || floor(ST_Y(ST_Transform(i.geom, 3826)) / 200))::int AS pieces
         FROM beats b LEFT JOIN incidents i ON i.beat_code = b.code AND i.occurred_at >= '2026-01-01T00:00+08' AND i.occurred_at < '2026-04-01T00:00+08'
        GROUP BY b.code`);
    const res = await w.as('public').get(`/api/analysis/beats?${Q1}`).expect(200);
    expect(res.body.analysis).toMatchObject({ previousQuarters: ['2025Q4'], disclosure: { quarters: ['2026Q1'] } });
    const beats = (res.body.features as { properties: Record<string, number | string> }[]).map((f) => f.properties);
    expect(beats.map((b) => b.code).sort()).toEqual(['B1', 'B2', 'B3']);
    for (const b of beats) {
      const t = rows.find((r) => r.code === b.code)!;
      expect(Number(b.count) % 5).toBe(0);
      expect(Math.abs(Number(b.count) - t.n)).toBeLessThanOrEqual(4 * t.pieces);
      expect(b).toMatchObject({ previousCount: 0, change: b.count });
    }
    expect(beats.map((b) => b.rank)).toEqual([1, 2, 3]);
    const counts = beats.map((b) => Number(b.count));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(res.body.analysis.incidents).toBe(counts.reduce((a, b) => a + b, 0));
    // Without a period: the last complete quarter.
    const latest = await w.as('community').get('/api/analysis/beats').expect(200);
    expect(latest.body.analysis.disclosure.quarters).toHaveLength(1);
    expect(Date.parse(latest.body.analysis.period.to)).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['cellSize=-5', 'cellSize', /^「cellSize」必須是 10 到 5000 之間的數字（單位：公尺）。$/],
    ['grid=triangle', 'grid', /^「grid」必須是下列其中之一：square、hexagon。$/],
    ['cellSize=100&band=50', 'band', /band（鄰近距離）至少要等於相鄰網格中心的距離 100 公尺/],
    ['beat=B1&precinct=P1', 'precinct', /分析範圍只能給一種.*這裡給了 beat 和 precinct/],
    ['bbox=22.99,120.2,23,120.23', 'bbox', /bbox/],
    ['beat=B9', 'beat', /沒有代碼為「B9」的警勤區/],
    ['types=arson', 'types[0]', /^「types\[0\]」必須是下列其中之一：residential_burglary、/],
    ['datetime=yesterday', 'datetime', /「datetime」的「yesterday」不是 ISO 8601/],
    ['datetime=0001-01-01/2026-01-01', 'datetime', null],
    ['datetime=0000-01-01/2026-01-01', 'datetime', /年份必須在 1 到 9999 之間/],
    ['datetime=2026-01-01T00:00-14:01/..', 'datetime', /時區位移必須在 -14:00 到 \+14:00 之間/],
    ['cellSize=0x64', 'cellSize', /^「cellSize」必須是 10 到 5000 之間的數字（單位：公尺）。$/],
    ['cellSize=5', 'cellSize', /^「cellSize」必須是 10 到 5000 之間的數字（單位：公尺）。$/],
    ['beat=%00', 'beat', /空字元/],
    ['datetime=2026-03-31/2026-03-01', 'datetime', /「datetime」的開始必須早於結束/],
    ['hour=25', 'hour', /「hour」必須是 0 到 23 的整數/],
    ['weekday=funday', 'weekday', /或 mon、tue、wed/],
    ['weekday=8', 'weekday', /1（星期一）到 7（星期日）/],
    ['colour=red', 'colour', /不認得參數「colour」。可用的參數：bbox、beat、station、precinct、polygon、types、datetime/],
    ['cellSize=10&bbox=120.0,22.0,121.0,23.5', 'cellSize', /以 10 公尺的正方形網格分析這個範圍約有 [\d,]+ 格，超過 60,000 格的上限；請加大 cellSize 或縮小範圍/],
    [`polygon=${encodeURIComponent(JSON.stringify(box(22.99, 120.2, 23, 120.21)))}`, 'polygon.coordinates[0][0]', /^坐標 \(22\.99, 120\.2\) 的經度與緯度寫反了/],
    [`polygon=${encodeURIComponent(JSON.stringify({ type: 'Polygon', coordinates: [[[120.2, 22.99], [120.21, 23], [120.21, 22.99], [120.2, 23], [120.2, 22.99]]] }))}`, 'polygon', /^「polygon」的圖形無效：邊線自相交（Self-intersection），位置約在 \(/],
    ['polygon=%7B', 'polygon', /^圖形必須是 GeoJSON 的 geometry 物件/],
  ])('refuses %s with a 400 naming %s', async (query, field, message) => {
    const res = await w.as('admin').get(`/api/analysis/hotspots?${query}`);
    // null: the control case, at the edge of the range and accepted.
    if (message === null) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return;
    }
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(message);
  });

  it('takes the same parameters as a JSON body (POST)', async () => {
    const res = await w.as('admin').post('/api/analysis/hot-hours')
      .send({ datetime: '2026-03-01/2026-03-31', types: ['car_theft'], polygon: box(120.21, 22.99, 120.22, 23.0) }).expect(200);
    expect(res.body.total).toBe(4);
    const bad = await w.as('admin').post('/api/analysis/hotspots').send({ cellSize: 'wide' }).expect(400);
    expect(bad.body.error.field).toBe('cellSize');
  });
});
