import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postImport } from './support/imports.js';
import { hasSharedData, tainanBasicAreas, tainanLevel1Areas } from './support/shared-data.js';
import { tm2 } from './support/tm2.js';
import { box, openWorld, type World } from './support/world.js';

/**
 * Importing 警勤區 boundaries (admin): every feature under a changed beat is re-assigned in the
 * same transaction (by the triggers of sql/migrations/005), the report says what moved from
 * which beat to which, and a set of beats that leaves a gap or overlaps beyond the tolerance is
 * refused with the units and the place named. Moves are checked against point-in-cell
 * arithmetic and turf; areas against the shoelace formula over Snyder's TM2 coordinates.
 */
let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

/** The world's extent, 120.20–120.23°E × 22.99–23.00°N, as a 3 × 3 grid: G{row}{col}, row 1 south. */
const [W, S, COL, ROW] = [120.2, 22.99, 0.01, 0.01 / 3];
const cell = (row: number, col: number) => box(W + (col - 1) * COL, S + (row - 1) * ROW, W + col * COL, S + row * ROW);
const code = (row: number, col: number) => `G${row}${col}`;
/** Columns 1–2 lie in precinct P1 (station S1), column 3 in P2 (S2), as the world's beats do. */
const stationOf = (col: number) => (col === 3 ? 'S2' : 'S1');
const beat = (row: number, col: number, geometry: object = cell(row, col)) =>
  ({ type: 'Feature', geometry, properties: { 代碼: code(row, col), 名稱: `第${row}${col}警勤區`, 派出所代碼: stationOf(col) } });
const grid = (skip: string[] = []) => ({
  type: 'FeatureCollection',
  features: [1, 2, 3].flatMap((r) => [1, 2, 3].map((c) => beat(r, c))).filter((f) => !skip.includes(f.properties.代碼)),
});
const importBeats = (fc: object, params: Record<string, string | boolean> = {}) =>
  postImport(w, 'admin', 'beats', JSON.stringify(fc), { replace: true, ...params }, 'application/geo+json');

/** m² of a lon/lat rectangle, by the shoelace formula over its TM2 corners. */
function rectM2(w0: number, s0: number, e0: number, n0: number): number {
  const ring = [[w0, s0], [e0, s0], [e0, n0], [w0, n0]].map(([x, y]) => tm2(x!, y!));
  return Math.abs(ring.reduce((a, [x1, y1], i) => { const [x2, y2] = ring[(i + 1) % 4]!; return a + x1 * y2 - x2 * y1; }, 0)) / 2;
}

/** Incidents at known places: cell (row, col) of each, and its beat in the world before the import. */
const points: { id: number; lon: number; lat: number; row: number; col: number; before: string }[] = [];

async function unitsOf(): Promise<Map<number, string | null>> {
  const { rows } = await w.db.query<{ id: number; beat_code: string | null }>(`SELECT id::int, beat_code FROM incidents WHERE id = ANY($1::bigint[])`, [points.map((p) => p.id)]);
  return new Map(rows.map((r) => [r.id, r.beat_code]));
}

beforeAll(async () => {
  for (let i = 0; i < 60; i++) {
    // Off every cell edge: 0.0007°, 0.0023° … inside each column; lat at the middle of thirds.
    const lon = W + 0.0007 + (i % 15) * 0.002;
    const lat = S + ROW * ((Math.floor(i / 15) % 3) + 0.5) + (i % 2) * 0.0004;
    const res = await w.as('admin').post('/api/layers/incidents/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { type: 'drugs', occurred_at: '2025-05-05T22:00:00+08:00' },
    }).expect(201);
    points.push({ id: res.body.id, lon, lat, row: Math.floor((lat - S) / ROW) + 1, col: Math.floor((lon - W) / COL) + 1, before: res.body.properties.beat_code });
  }
});

describe('a new set of beats', () => {
  it('re-assigns every point and reports the moves as counted point by point, the dry run writing nothing', async () => {
    const expected = new Map<string, number>();
    for (const p of points) {
      const key = `${p.before}→${code(p.row, p.col)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const dry = await importBeats(grid(), { dryRun: true }).expect(200);
    expect(dry.body.errors).toEqual([]);
    expect(dry.body.counts).toMatchObject({ create: 9, delete: 3 });
    const incidentMoves = (body: { units: { moves: { layer: string; from: string; to: string; count: number }[] } }) =>
      new Map(body.units.moves.filter((m) => m.layer === 'incidents').map((m) => [`${m.from}→${m.to}`, m.count]));
    expect(incidentMoves(dry.body)).toEqual(expected);
    expect([...(await unitsOf()).values()].every((b) => /^B[123]$/.test(b!))).toBe(true);

    const real = await importBeats(grid()).expect(200);
    expect(real.body.committed).toBe(true);
    expect(incidentMoves(real.body)).toEqual(expected);
    expect(real.body.units.moved).toBeGreaterThanOrEqual(points.length);
    const after = await unitsOf();
    for (const p of points) expect(after.get(p.id)).toBe(code(p.row, p.col));
    const { rows } = await w.db.query<{ code: string }>(`SELECT code FROM beats WHERE deleted_at IS NULL ORDER BY code`);
    expect(rows.map((r) => r.code)).toEqual([1, 2, 3].flatMap((r) => [1, 2, 3].map((c) => code(r, c))));
  });

  it('changes nothing when the same boundaries come again', async () => {
    const again = await importBeats(grid()).expect(200);
    expect(again.body.counts).toMatchObject({ unchanged: 9, create: 0, update: 0, delete: 0 });
    expect(again.body.units.moved).toBe(0);
  });

  it('refuses a set that leaves a gap, naming its size, place and the beats around it', async () => {
    const res = await importBeats(grid(['G22'])).expect(422);
    expect(res.body.committed).toBe(false);
    const gap = res.body.units.gaps[0];
    expect(res.body.units.gaps).toHaveLength(1);
    expect(gap.m2 / rectM2(W + COL, S + ROW, W + 2 * COL, S + 2 * ROW)).toBeCloseTo(1, 3);
    expect(gap.between).toEqual(['G11', 'G12', 'G13', 'G21', 'G23', 'G31', 'G32', 'G33']);
    expect(turf.booleanPointInPolygon(gap.at, cell(2, 2))).toBe(true);
    expect(res.body.errors[0]).toMatchObject({ code: 'units_gap', field: 'geometry' });
    expect(res.body.errors[0].message).toMatch(/^位置約在 \(120\.21\d*, 22\.99\d*\) 有一塊 [\d,]+(\.\d)? 平方公尺的空隙不屬於任何警勤區（位於 G11、G12、.*之間）；請修正界線/);
    expect(res.body.message).toBe(`整份檔案未匯入，沒有寫入任何資料：${res.body.errors[0].message}`);
    const { rows } = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM beats WHERE code = 'G22' AND deleted_at IS NULL`);
    expect(rows[0]!.n).toBe(1);
  });

  it('measures a gap as what is left uncovered: a beat shrunk by 20 m leaves the ring around it, not its whole cell', async () => {
    // 20 m in degrees here (TM2 scale at 22.99°N): east-west 0.0001949°, north-south 0.0001806°.
    const [dx, dy] = [20 / 102_620, 20 / 110_740];
    const shrunk = [W + COL + dx, S + ROW + dy, W + 2 * COL - dx, S + 2 * ROW - dy] as const;
    const fc = { type: 'FeatureCollection', features: [beat(2, 2, box(...shrunk))] };
    const res = await postImport(w, 'admin', 'beats', JSON.stringify(fc), {}, 'application/geo+json').expect(422);
    const ring = rectM2(W + COL, S + ROW, W + 2 * COL, S + 2 * ROW) - rectM2(...shrunk);
    expect(ring).toBeGreaterThan(50_000);
    expect(res.body.units.gaps).toHaveLength(1);
    // Reported to 0.1 m²: the ring by the shoelace over independent TM2 corners, to within that rounding.
    expect(Math.abs(res.body.units.gaps[0].m2 - ring)).toBeLessThan(0.1);
    expect(res.body.units.gaps[0].between).toEqual(['G11', 'G12', 'G13', 'G21', 'G22', 'G23', 'G31', 'G32', 'G33']);
  });

  it('finds a hole joined to the outside by a slit between two beats, the slit counted with it', async () => {
    // G22 missing, and G12 (south middle) 0.3 m short of G13: a slit from the world's edge to the hole.
    const slit = 0.3 / 102_620;
    const fc = grid(['G22']);
    fc.features = fc.features.map((f) => (f.properties.代碼 === 'G12' ? beat(1, 2, box(W + COL, S, W + 2 * COL - slit, S + ROW)) : f));
    const res = await importBeats(fc).expect(422);
    const hole = rectM2(W + COL, S + ROW, W + 2 * COL, S + 2 * ROW);
    const slitM2 = rectM2(W + 2 * COL - slit, S, W + 2 * COL, S + ROW);
    expect(res.body.units.gaps).toHaveLength(1);
    const gap = res.body.units.gaps[0];
    // The hole and the slit up to where it is sealed (within 1 m of the edge).
    expect(gap.m2).toBeGreaterThan(hole + slitM2 - 1);
    expect(gap.m2).toBeLessThan(hole + slitM2 + 0.1);
    // Its place is in the hole or its slit.
    expect(turf.booleanPointInPolygon(gap.at, box(W + COL, S, W + 2 * COL, S + 2 * ROW))).toBe(true);
  });

  it('finds no gap in a narrow inlet of the outline (a 5° notch 80 m deep into the world\'s east edge)', async () => {
    const [e, midLat] = [W + 3 * COL, S + 2.5 * ROW];
    const [deep, half] = [80 / 102_620, (80 * Math.tan((2.5 * Math.PI) / 180)) / 110_740];
    const notched = { type: 'Polygon', coordinates: [[[W + 2 * COL, S + 2 * ROW], [e, S + 2 * ROW], [e, midLat - half], [e - deep, midLat], [e, midLat + half],
      [e, S + 3 * ROW], [W + 2 * COL, S + 3 * ROW], [W + 2 * COL, S + 2 * ROW]]] };
    const fc = grid();
    fc.features = fc.features.map((f) => (f.properties.代碼 === 'G33' ? beat(3, 3, notched) : f));
    const res = await importBeats(fc, { dryRun: true }).expect(200);
    expect(res.body.units.gaps).toEqual([]);
    expect(res.body.counts).toMatchObject({ update: 1 });
  });

  it('refuses beats that overlap beyond the tolerance, naming both and the overlap, and takes a larger tolerance', async () => {
    const wider = box(W + COL, S + ROW, W + 2 * COL + 0.0005, S + 2 * ROW);
    const fc = { type: 'FeatureCollection', features: [beat(2, 2, wider)] };
    const res = await postImport(w, 'admin', 'beats', JSON.stringify(fc), {}, 'application/geo+json').expect(422);
    const strip = rectM2(W + 2 * COL, S + ROW, W + 2 * COL + 0.0005, S + 2 * ROW);
    expect(res.body.units.overlaps).toEqual([{ units: ['G22', 'G23'], m2: expect.closeTo(strip, -1), at: expect.any(Array) }]);
    expect(res.body.errors[0]).toMatchObject({ code: 'units_overlap', field: 'geometry' });
    expect(res.body.errors[0].message).toMatch(/^警勤區「G22」與「G23」重疊 [\d,]+(\.\d)? 平方公尺，位置約在 \(120\.\d+, 22\.\d+\)；每個地方只能屬於一個警勤區/);
    const tolerated = await postImport(w, 'admin', 'beats', JSON.stringify(fc), { dryRun: true, tolerance: String(Math.ceil(strip) + 1) }, 'application/geo+json').expect(200);
    expect(tolerated.body.errors).toEqual([]);
    expect(tolerated.body.counts).toMatchObject({ update: 1 });
  });

  it('refuses a beat whose station does not exist, and keeps beats an admin-only layer', async () => {
    const orphan = { type: 'FeatureCollection', features: [{ ...beat(1, 1), properties: { 代碼: 'G11', 名稱: '孤兒', 派出所代碼: 'S9' } }] };
    const res = await postImport(w, 'admin', 'beats', JSON.stringify(orphan), {}, 'application/geo+json').expect(422);
    expect(res.body.rows[0].errors[0]).toEqual({ code: 'invalid_reference', field: 'properties.station_code',
      message: '「派出所」（station_code）的「S9」不是既有的派出所；請先匯入或新增這個派出所。' });
    await postImport(w, 'planner', 'beats', JSON.stringify(grid()), {}, 'application/geo+json').expect(403);
  });
});

describe.skipIf(!hasSharedData)('real boundaries', () => {
  it('finds the hole a refused 臺南 一級發布區 leaves among its neighbours, to 0.1 m² of the TM2 shoelace, and writes nothing', async () => {
    const areas = tainanLevel1Areas('67000190');
    expect(areas).toHaveLength(156);
    const fc = { type: 'FeatureCollection', features: areas };
    const before = await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM beats WHERE deleted_at IS NULL');
    const res = await postImport(w, 'admin', 'beats', JSON.stringify(fc), {
      validOnly: true, mapping: { CODE1: 'code', CODE2: 'name', TOWN_ID: null, COUNTY_ID: null }, defaults: { station_code: 'S1' },
    }, 'application/geo+json').expect(422);
    // One area's ring crosses itself: refused as a row; its neighbours then enclose a hole where it was.
    const refused = res.body.rows.filter((r: { status: string }) => r.status === 'error');
    expect(refused).toHaveLength(1);
    const hole = areas[refused[0].row - 1]!;
    expect(hole.properties.CODE1).toBe('A6719-14-004');
    const shoelace = (ring: number[][]) => Math.abs(ring.map(([lon, lat]) => tm2(lon!, lat!))
      .reduce((a, [x1, y1], i, r) => { const [x2, y2] = r[(i + 1) % r.length]!; return a + x1 * y2 - x2 * y1; }, 0)) / 2;
    const [outer, ...inner] = hole.geometry.coordinates;
    const expected = shoelace(outer!) - inner.reduce((a, r) => a + shoelace(r), 0);
    expect(res.body.units.gaps).toHaveLength(1);
    expect(Math.abs(res.body.units.gaps[0].m2 - expected)).toBeLessThan(0.1);
    expect(res.body.units.gaps[0].between.length).toBeGreaterThanOrEqual(3);
    expect(res.body.committed).toBe(false);
    expect(res.body.units).toMatchObject({ toleranceM2: 10, toleranceFrom: 'default' });
    expect(res.body.errors[0].message).toMatch(/目前容許 10 平方公尺以內；若原始資料本來如此，可用 tolerance 參數放寬/);
    expect((await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM beats WHERE deleted_at IS NULL')).rows[0]).toEqual(before.rows[0]);
    // Taken as published with a tolerance above the hole, which its source keeps for the next file.
    const params = { validOnly: true, mapping: { CODE1: 'code', CODE2: 'name', TOWN_ID: null, COUNTY_ID: null }, defaults: { station_code: 'S1' }, source: '臺南市一級發布區' };
    const taken = await postImport(w, 'admin', 'beats', JSON.stringify(fc), { ...params, tolerance: '20000' }, 'application/geo+json').expect(200);
    expect(taken.body).toMatchObject({ committed: true, counts: { create: 155, error: 1 }, units: { gaps: [], toleranceM2: 20000, toleranceFrom: 'parameter' } });
    const again = await postImport(w, 'admin', 'beats', JSON.stringify(fc), { ...params, dryRun: true }, 'application/geo+json').expect(200);
    expect(again.body.units).toMatchObject({ gaps: [], toleranceM2: 20000, toleranceFrom: 'saved' });
    const tooLarge = await postImport(w, 'admin', 'beats', JSON.stringify(fc), { ...params, tolerance: '100000001' }, 'application/geo+json').expect(400);
    expect(tooLarge.body.error.field).toBe('tolerance');
  });

  it('takes the 522 basic statistical areas of 臺南 中西區 as beats and puts every point where turf does', async () => {
    const areas = tainanBasicAreas('67000370');
    const fc = { type: 'FeatureCollection', features: areas.map((a) => ({ ...a, properties: { ...a.properties } })) };
    // Points spread over the district, from a fixed sequence.
    const bbox = turf.bbox(fc as turf.AllGeoJSON);
    const probes: { id: number; lon: number; lat: number }[] = [];
    for (let i = 0; i < 150; i++) {
      const lon = bbox[0] + (bbox[2] - bbox[0]) * (((i * 7919) % 997) / 997);
      const lat = bbox[1] + (bbox[3] - bbox[1]) * (((i * 104729) % 991) / 991);
      const res = await w.as('admin').post('/api/layers/cameras/features').send({
        type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { name: `探針${i}`, azimuth: 0, fov: 90, range_m: 30, owner_kind: 'police' },
      }).expect(201);
      probes.push({ id: res.body.id, lon, lat });
    }
    const res = await postImport(w, 'admin', 'beats', JSON.stringify(fc), {
      replace: true, mapping: { CODEBASE: 'code', CODE1: 'name', CODE2: null, TOWN_ID: null, COUNTY_ID: null }, defaults: { station_code: 'S1' },
    }, 'application/geo+json').expect(200);
    expect(res.body).toMatchObject({ committed: true, counts: { create: 522, error: 0 } });
    expect(res.body.units.gaps).toEqual([]);
    expect(res.body.units.overlaps).toEqual([]);
    const { rows } = await w.db.query<{ id: number; beat_code: string | null }>('SELECT id::int, beat_code FROM cameras WHERE id = ANY($1::bigint[])', [probes.map((p) => p.id)]);
    const stored = new Map(rows.map((r) => [r.id, r.beat_code]));
    let inside = 0;
    for (const p of probes) {
      const pt = turf.point([p.lon, p.lat]);
      const containing = areas.filter((a) => turf.booleanPointInPolygon(pt, a as never)).map((a) => a.properties.CODEBASE).sort();
      expect(stored.get(p.id), `${p.lon},${p.lat}`).toBe(containing[0] ?? null);
      if (containing.length) inside++;
    }
    expect(inside).toBeGreaterThan(50);
  });
});
