import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../server/db/db.js';
import { hasSharedData, tainanBasicAreas } from './support/shared-data.js';
import { box, openWorld, type World } from './support/world.js';

let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

async function addIncident(lon: number, lat: number): Promise<number> {
  const res = await w.as('admin').post('/api/layers/incidents/features').send({
    type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { type: 'scooter_theft', occurred_at: '2025-05-05T23:00:00+08:00' },
  }).expect(201);
  return res.body.id;
}

const unitsOf = async (id: number) =>
  (await w.db.query<{ beat_code: string | null; station_code: string | null; precinct_code: string | null }>(
    'SELECT beat_code, station_code, precinct_code FROM incidents WHERE id = $1', [id])).rows[0]!;

describe('beat assignment', () => {
  it('gives a point on a shared boundary to the beat with the lowest code', async () => {
    expect(await unitsOf(await addIncident(120.21, 22.995))).toEqual({ beat_code: 'B1', station_code: 'S1', precinct_code: 'P1' });
    // On the B2|B3 edge, which is also the P1|P2 precinct boundary.
    expect(await unitsOf(await addIncident(120.22, 22.995))).toEqual({ beat_code: 'B2', station_code: 'S1', precinct_code: 'P1' });
    // The corner shared by B1 and B2 on the outer edge.
    expect((await unitsOf(await addIncident(120.21, 23.0))).beat_code).toBe('B1');
  });

  it('leaves points outside every beat unassigned, and /api/locate says so', async () => {
    const id = await addIncident(120.25, 22.995);
    expect(await unitsOf(id)).toEqual({ beat_code: null, station_code: null, precinct_code: null });
    const res = await w.as('public').get('/api/locate?lon=120.25&lat=22.995').expect(200);
    expect(res.body).toEqual({ beat: null, station: null, precinct: null, village: null });
  });

  it('answers /api/locate with codes, names and contact, and refuses swapped coordinates', async () => {
    const res = await w.as('public').get('/api/locate?lon=120.225&lat=22.995').expect(200);
    expect(res.body).toEqual({
      beat: { code: 'B3', name: '第3警勤區' },
      station: { code: 'S2', name: '海安派出所', address: null, phone: '06-3330001' },
      precinct: { code: 'P2', name: '第二分局', address: null, phone: '06-3333333' },
      village: { code: '67000320002', name: '大學里', town: '東區', county: '臺南市' },
    });
    const swapped = await w.as('public').get('/api/locate?lon=22.995&lat=120.225').expect(400);
    expect(swapped.body.error).toEqual({ code: 'position_swapped', field: 'lon',
      message: '坐標 (22.995, 120.225) 的經度與緯度寫反了：順序是經度在前、緯度在後，應為 (120.225, 22.995)。' });
    const abroad = await w.as('public').get('/api/locate?lon=121.47&lat=31.23').expect(400);
    expect(abroad.body.error).toMatchObject({ code: 'position_outside_taiwan', message: expect.stringMatching(/^坐標 \(121\.47, 31\.23\) 不在臺灣及其離島/) });
    await w.as('public').get('/api/locate?lon=abc&lat=23').expect(400);
  });

  it('re-assigns every point under a redrawn beat in the same transaction, without history noise', async () => {
    const moving = await addIncident(120.212, 22.995); // B2 today
    const staying = await addIncident(120.218, 22.995);
    const { body: camera } = await w.as('admin').post('/api/layers/cameras/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.213, 22.996] },
      properties: { name: '路口', azimuth: 10, fov: 90, range_m: 30, owner_kind: 'police' },
    }).expect(201);
    expect((await unitsOf(moving)).beat_code).toBe('B2');
    const historyBefore = (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE layer_table IN ('incidents', 'cameras')`)).rows[0]!.n;

    const beatId = async (code: string) => (await w.db.query<{ id: number }>('SELECT id FROM beats WHERE code = $1', [code])).rows[0]!.id;
    const b1 = await w.as('admin').get(`/api/layers/beats/features/${await beatId('B1')}`).expect(200);
    const b2 = await w.as('admin').get(`/api/layers/beats/features/${await beatId('B2')}`).expect(200);
    // Move the B1|B2 edge from 120.21 to 120.215: B1 grows, then B2 shrinks.
    await w.as('admin').patch(`/api/layers/beats/features/${b1.body.id}`).set('If-Match', String(b1.headers.etag))
      .send({ geometry: box(120.2, 22.99, 120.215, 23.0) }).expect(200);
    await w.as('admin').patch(`/api/layers/beats/features/${b2.body.id}`).set('If-Match', String(b2.headers.etag))
      .send({ geometry: box(120.215, 22.99, 120.22, 23.0) }).expect(200);

    expect((await unitsOf(moving)).beat_code).toBe('B1');
    expect((await unitsOf(staying)).beat_code).toBe('B2');
    const cam = await w.as('admin').get(`/api/layers/cameras/features/${camera.id}`).expect(200);
    expect(cam.body.properties.beat_code).toBe('B1');
    const historyAfter = (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE layer_table IN ('incidents', 'cameras')`)).rows[0]!.n;
    expect(historyAfter).toBe(historyBefore);
  });

  it('rolls the re-assignment back with a failed redraw', async () => {
    const id = await addIncident(120.205, 22.993);
    expect((await unitsOf(id)).beat_code).toBe('B1');
    await expect(w.db.transaction(async (tx) => {
      await actAs(tx, 'test');
      await tx.query(`UPDATE beats SET geom = ST_Multi(ST_MakeEnvelope(120.3, 22.99, 120.31, 23.0, 4326)) WHERE code = 'B1'`);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect((await unitsOf(id)).beat_code).toBe('B1');
  });

  it('passes station and precinct changes down to beats and their points', async () => {
    const id = await addIncident(120.225, 22.997); // B3 in S2/P2
    await w.db.exec(`UPDATE stations SET precinct_code = 'P1' WHERE code = 'S2'`);
    expect(await unitsOf(id)).toEqual({ beat_code: 'B3', station_code: 'S2', precinct_code: 'P1' });
    await w.db.exec(`UPDATE stations SET precinct_code = 'P2' WHERE code = 'S2'`);
    expect((await unitsOf(id)).precinct_code).toBe('P2');
  });

  it('unassigns points of a deleted beat and re-assigns them when it is restored', async () => {
    const id = await addIncident(120.226, 22.991);
    const beat = (await w.db.query<{ id: number; version: number }>(`SELECT id, version FROM beats WHERE code = 'B3'`)).rows[0]!;
    await w.as('admin').delete(`/api/layers/beats/features/${beat.id}`).set('If-Match', `"${beat.version}"`).expect(204);
    expect((await unitsOf(id)).beat_code).toBeNull();
    await w.as('admin').post(`/api/layers/beats/features/${beat.id}/restore`).expect(200);
    expect((await unitsOf(id)).beat_code).toBe('B3');
  });
});

describe.skipIf(!hasSharedData)('beat assignment on real 臺南 statistical areas', () => {
  it('matches an independent point-in-polygon check for 2,000 points over 中西區', async () => {
    const areas = tainanBasicAreas('67000370'); // 中西區, 522 basic areas
    await w.db.transaction(async (tx) => {
      await actAs(tx, 'test');
      await tx.query(`INSERT INTO stations (code, name, precinct_code, geom)
        VALUES ('ZX', '中西區', 'P1', ST_Multi(ST_MakeEnvelope(120.18, 22.98, 120.21, 23.01, 4326)))`);
      await tx.query(
        `INSERT INTO beats (code, name, station_code, geom)
         SELECT a->'properties'->>'CODEBASE', a->'properties'->>'CODEBASE', 'ZX',
                ST_Multi(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(a->>'geometry'), 4326)))
           FROM jsonb_array_elements($1::jsonb) a`, [JSON.stringify(areas)]);
    });
    const bbox = turf.bbox(turf.featureCollection(areas as never));
    // A deterministic scatter over the district's bounding box (Halton sequence, bases 2 and 3).
    const halton = (i: number, b: number) => { let f = 1, r = 0; for (let n = i; n > 0; n = Math.floor(n / b)) { f /= b; r += f * (n % b); } return r; };
    const points = Array.from({ length: 2000 }, (_, i) => [
      bbox[0] + halton(i + 1, 2) * (bbox[2] - bbox[0]), bbox[1] + halton(i + 1, 3) * (bbox[3] - bbox[1])]);
    const { rows } = await w.db.query<{ i: number; beat_code: string | null }>(
      `SELECT p.ordinality::int - 1 AS i, l.beat_code
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY p
         LEFT JOIN LATERAL locate_beat(ST_SetSRID(ST_MakePoint((p.value->>0)::float8, (p.value->>1)::float8), 4326)) l ON true
        WHERE NOT EXISTS (SELECT 1 FROM beats b WHERE b.code IN ('B1', 'B2', 'B3') AND ST_Covers(b.geom, ST_SetSRID(ST_MakePoint((p.value->>0)::float8, (p.value->>1)::float8), 4326)))
        ORDER BY 1`, [JSON.stringify(points)]);
    let inside = 0;
    let mismatches = 0;
    for (const { i, beat_code } of rows) {
      const pt = turf.point(points[i]!);
      const containing = areas.filter((a) => turf.booleanPointInPolygon(pt, a as never)).map((a) => a.properties.CODEBASE).sort();
      if (containing.length) inside++;
      if ((containing[0] ?? null) !== beat_code) mismatches++;
    }
    // Points inside the test world's own beats B1–B3 (which overlap the district) are left out.
    expect(rows.length).toBeGreaterThan(1500);
    expect(inside).toBeGreaterThan(500);
    expect(mismatches).toBe(0);
  });
});
