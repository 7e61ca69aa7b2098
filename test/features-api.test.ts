import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { box, openWorld, writeCounts, type World } from './support/world.js';

let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

const camera = (lon: number, lat: number, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [lon, lat] },
  properties: { name: '民族路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police', is_public: true, ...extra },
});

describe('feature API', () => {
  it('creates a feature, assigns its beat, and reads it back with an ETag', async () => {
    const res = await w.as('planner').post('/api/layers/cameras/features').send(camera(120.205, 22.995)).expect(201);
    expect(res.headers['content-type']).toMatch(/application\/geo\+json/);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/layers/cameras/features/${res.body.id}`);
    expect(res.body.properties).toMatchObject({ beat_code: 'B1', station_code: 'S1', precinct_code: 'P1', status: 'working', version: 1 });
    expect(res.body.geometry).toEqual({ type: 'Point', coordinates: [120.205, 22.995] });
    const got = await w.as('planner').get(`/api/layers/cameras/features/${res.body.id}`).expect(200);
    expect(got.body.properties.name).toBe('民族路口');
    await w.as('planner').get(`/api/layers/cameras/features/${res.body.id}`).set('If-None-Match', '"1"').expect(304);
  });

  it('updates with If-Match, refuses a stale edit with 412 and changes nothing', async () => {
    const { body: created } = await w.as('admin').post('/api/layers/cameras/features').send(camera(120.215, 22.995)).expect(201);
    const url = `/api/layers/cameras/features/${created.id}`;
    const ok = await w.as('admin').patch(url).set('If-Match', '"1"').send({ properties: { azimuth: 180 } }).expect(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.body.properties.azimuth).toBe(180);
    const stale = await w.as('admin').patch(url).set('If-Match', '"1"').send({ properties: { azimuth: 270 } }).expect(412);
    expect(stale.body.error).toMatchObject({ code: 'stale_version', message: `錄影監視系統編號 ${created.id} 的資料在你讀取之後已被他人修改（你送出的是第 1 版，目前是第 2 版）；請重新載入最新資料，再做一次你的修改。` });
    expect(stale.headers.etag).toBe('"2"');
    const after = await w.as('admin').get(url).expect(200);
    expect(after.body.properties.azimuth).toBe(180);
    const unconditional = await w.as('admin').patch(url).send({ properties: { azimuth: 1 } }).expect(428);
    expect(unconditional.body.error).toMatchObject({ code: 'precondition_required', message: expect.stringMatching(/^修改或刪除資料時，請在 If-Match 標頭附上你最後讀到的 ETag/) });
    // The same values again, or the geometry it already has: not a change, no new version or history.
    const before = await writeCounts(w.db, 'cameras');
    const same = await w.as('admin').patch(url).set('If-Match', '"2"')
      .send({ geometry: { type: 'Point', coordinates: [120.215, 22.995] }, properties: { azimuth: 180 } }).expect(200);
    expect(same.headers.etag).toBe('"2"');
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    const real = await w.as('admin').patch(url).set('If-Match', '"2"').send({ properties: { azimuth: 181 } }).expect(200);
    expect(real.headers.etag).toBe('"3"');
  });

  it('moving a point re-assigns its beat', async () => {
    const { body: c } = await w.as('admin').post('/api/layers/cameras/features').send(camera(120.205, 22.995)).expect(201);
    const moved = await w.as('admin').patch(`/api/layers/cameras/features/${c.id}`).set('If-Match', '"1"')
      .send({ geometry: { type: 'Point', coordinates: [120.225, 22.995] } }).expect(200);
    expect(moved.body.properties).toMatchObject({ beat_code: 'B3', station_code: 'S2', precinct_code: 'P2' });
  });

  it('soft-deletes with history and restores', async () => {
    const { body: c } = await w.as('planner').post('/api/layers/cameras/features').send(camera(120.206, 22.996)).expect(201);
    const url = `/api/layers/cameras/features/${c.id}`;
    await w.as('planner').patch(url).set('If-Match', '"1"').send({ properties: { status: 'broken' } }).expect(200);
    await w.as('planner').delete(url).set('If-Match', '"1"').expect(412);
    await w.as('planner').delete(url).set('If-Match', '"2"').expect(204);
    const gone = await w.as('planner').get(url).expect(410);
    expect(gone.body.error).toMatchObject({ code: 'deleted', message: expect.stringMatching(
      new RegExp(`^錄影監視系統編號 ${c.id} 的資料已於 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\S* 刪除；修改紀錄在 …/features/${c.id}/history，需要時可用 POST …/features/${c.id}/restore 還原。$`)) });
    const edited = await w.as('planner').patch(url).set('If-Match', '*').send({ properties: { status: 'working' } }).expect(409);
    expect(edited.body.error).toMatchObject({ code: 'deleted', message: `錄影監視系統編號 ${c.id} 的資料已刪除：請先還原（POST …/features/${c.id}/restore）再修改。` });
    const list = await w.as('planner').get('/api/layers/cameras/features?limit=10000').expect(200);
    expect(list.body.features.map((f: { id: number }) => f.id)).not.toContain(c.id);
    const { rows } = await w.db.query<{ deleted_by: string }>('SELECT deleted_by FROM cameras WHERE id = $1', [c.id]);
    expect(rows[0]!.deleted_by).toBe('planner');

    const restored = await w.as('planner').post(`${url}/restore`).expect(200);
    expect(restored.body.properties.version).toBe(4);
    const again = await w.as('planner').post(`${url}/restore`).expect(409);
    expect(again.body.error).toMatchObject({ code: 'not_deleted', message: `錄影監視系統編號 ${c.id} 的資料沒有被刪除，不需要還原。` });
    const h = await w.as('planner').get(`${url}/history`).expect(200);
    expect(h.body.history.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'delete', 'restore']);
    expect(h.body.history.every((e: { actor: string }) => e.actor === 'planner')).toBe(true);
    expect(h.body.history[1].before.properties.status).toBe('working');
    expect(h.body.history[1].after.properties.status).toBe('broken');
    expect(h.body.history[0].after.geometry).toEqual({ type: 'Point', coordinates: [120.206, 22.996] });
  });

  it('records a move with the geometry before and after, each row as the table holds it', async () => {
    const { body: c } = await w.as('planner').post('/api/layers/cameras/features').send(camera(120.206, 22.996)).expect(201);
    const url = `/api/layers/cameras/features/${c.id}`;
    await w.as('planner').patch(url).set('If-Match', '"1"').send({ geometry: { type: 'Point', coordinates: [120.2071, 22.9965] } }).expect(200);
    const h = await w.as('planner').get(`${url}/history`).expect(200);
    expect(h.body.history.map((e: { action: string }) => e.action)).toEqual(['create', 'update']);
    expect(h.body.history[1].before.geometry).toEqual({ type: 'Point', coordinates: [120.206, 22.996] });
    expect(h.body.history[1].after.geometry).toEqual({ type: 'Point', coordinates: [120.2071, 22.9965] });
    // The stored row is the camera's row as JSON, every column, the geometry as GeoJSON (no crs).
    const { rows } = await w.db.query<{ same: boolean }>(
      `SELECT h.after = jsonb_set(to_jsonb(c), '{geom}', to_jsonb(c.geom) - 'crs') AS same
         FROM feature_history h JOIN cameras c ON c.id = h.feature_id
        WHERE h.layer_table = 'cameras' AND h.feature_id = $1 AND h.version = 2`, [c.id]);
    expect(rows).toEqual([{ same: true }]);
  });

  it('pages with limit and cursor, reporting numberMatched and numberReturned', async () => {
    for (let i = 0; i < 7; i++) {
      await w.as('admin').post('/api/layers/incidents/features').send({
        type: 'Feature', geometry: { type: 'Point', coordinates: [120.201 + i * 0.001, 22.991] },
        properties: { type: i % 2 ? 'drugs' : 'scooter_theft', occurred_at: `2025-0${i + 1}-10T22:00:00+08:00` },
      }).expect(201);
    }
    const seen: number[] = [];
    let url: string | undefined = '/api/layers/incidents/features?limit=3';
    while (url) {
      const res: { body: { numberMatched: number; numberReturned: number; features: { id: number }[]; links: { rel: string; href: string }[] } } =
        await w.as('admin').get(url).expect(200);
      expect(res.body.numberMatched).toBe(7);
      expect(res.body.numberReturned).toBe(res.body.features.length);
      seen.push(...res.body.features.map((f) => f.id));
      url = res.body.links.find((l) => l.rel === 'next')?.href;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const drugs = await w.as('admin').get('/api/layers/incidents/features?type=drugs').expect(200);
    expect(drugs.body.numberMatched).toBe(3);
    const both = await w.as('admin').get('/api/layers/incidents/features?type=drugs,scooter_theft&datetime=2025-03-01/2025-05-31').expect(200);
    expect(both.body.numberMatched).toBe(3);
    const inBox = await w.as('admin').get('/api/layers/incidents/features?bbox=120.2005,22.99,120.2035,22.992').expect(200);
    expect(inBox.body.numberMatched).toBe(3);
  });

  it('keeps watch blocks as MultiPolygons and assigns them by an interior point', async () => {
    const res = await w.as('planner').post('/api/layers/watch-blocks/features').send({
      type: 'Feature', geometry: box(120.211, 22.991, 120.213, 22.993),
      properties: { name: '府前社區', adopter: '府前國小', adopter_kind: 'school', patrol_hours: '19:00-22:00' },
    }).expect(201);
    expect(res.body.geometry.type).toBe('MultiPolygon');
    expect(res.body.properties.beat_code).toBe('B2');
    const { rows } = await w.db.query<{ m2: number }>('SELECT ST_Area(ST_Transform(geom, 3826)) AS m2 FROM watch_blocks WHERE id = $1', [res.body.id]);
    // 0.002° × 0.002° at 23°N: about 205 m × 221 m.
    expect(rows[0]!.m2).toBeGreaterThan(44_000);
    expect(rows[0]!.m2).toBeLessThan(46_500);
  });

  it('records visits against a place and keeps the place\'s last visit', async () => {
    const { body: place } = await w.as('planner').post('/api/layers/key-places/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.202, 22.992] },
      properties: { name: '鐵皮屋A', category: 'iron_sheet_house', indicators: { drug_lab: ['chemical_smell', 'covered_windows'] } },
    }).expect(201);
    expect(place.properties.indicators).toEqual({ drug_lab: ['chemical_smell', 'covered_windows'] });
    const visit = await w.as('officer').post('/api/layers/visits/features').send({
      type: 'Feature', geometry: null,
      properties: { place_id: place.id, officer: '王警員', visited_at: '2025-06-01T10:00:00+08:00', outcome: 'anomaly', findings: '有刺鼻氣味' },
    }).expect(201);
    expect(visit.body.geometry).toBeNull();
    expect(visit.body.properties.beat_code).toBe('B1');
    const again = await w.as('officer').get(`/api/layers/key-places/features/${place.id}`).expect(200);
    expect(again.body.properties.last_visited_at).toMatch(/^2025-06-01T10:00:00/);
    expect(Date.parse(again.body.properties.last_visited_at)).toBe(Date.parse('2025-06-01T10:00:00+08:00'));
  });
});

describe('edits that change nothing, and history across precincts', () => {
  it('a PATCH that sends back what was read changes nothing: same ETag, no history row, for points, polygons and every kind of value', async () => {
    // Stored more finely than the API shows (7 decimals), as an import from TWD97 stores it.
    const { body: c } = await w.as('admin').post('/api/layers/cameras/features')
      .send(camera(120.20512345678912, 22.99587654321098, { install_year: 2016, lpr: true, contact: '王 0912' })).expect(201);
    const { body: k } = await w.as('admin').post('/api/layers/key-places/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.2031, 22.9931] },
      properties: { name: '工寮', category: 'work_shed', listed_on: '2025-01-02', indicators: { drug_lab: ['chemical_smell'] } },
    }).expect(201);
    const { body: b } = await w.as('admin').post('/api/layers/watch-blocks/features').send({
      type: 'Feature', geometry: box(120.20111111111, 22.99111111111, 120.20333333333, 22.99333333333),
      properties: { name: '府前社區', adopter: '府前國小', adopter_kind: 'school' },
    }).expect(201);
    const { body: i } = await w.as('admin').post('/api/layers/incidents/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.2041, 22.9921] }, properties: { type: 'drugs', occurred_at: '2025-05-05 23:00' },
    }).expect(201);
    const derived = ['beat_code', 'station_code', 'precinct_code', 'last_visited_at', 'version', 'updated_at'];
    for (const [layer, id] of [['cameras', c.id], ['key-places', k.id], ['watch-blocks', b.id], ['incidents', i.id]] as const) {
      const url = `/api/layers/${layer}/features/${id}`;
      const got = await w.as('admin').get(url).expect(200);
      const properties = Object.fromEntries(Object.entries(got.body.properties).filter(([n]) => !derived.includes(n)));
      const table = layer.replace('-', '_');
      const before = await writeCounts(w.db, table);
      for (const body of [{}, { properties: {} }, { geometry: got.body.geometry }, { type: 'Feature', geometry: got.body.geometry, properties }]) {
        const same = await w.as('admin').patch(url).set('If-Match', String(got.headers.etag)).send(body).expect(200);
        expect(same.headers.etag, `${layer} ${JSON.stringify(body).slice(0, 80)}`).toBe(got.headers.etag);
        expect(same.body).toEqual(got.body);
      }
      expect(await writeCounts(w.db, table)).toEqual(before);
    }
    // Control: a real change (a metre) is a new version.
    const moved = await w.as('admin').patch(`/api/layers/cameras/features/${c.id}`).set('If-Match', '"1"')
      .send({ geometry: { type: 'Point', coordinates: [120.20513, 22.99588] } }).expect(200);
    expect(moved.headers.etag).toBe('"2"');
  });

  it('history shows a moved feature\'s past only where the reader may read: not while it lay in another precinct', async () => {
    // Made in P2 by the bureau, moved into P1 (the planner's precinct), then edited there.
    const { body: c } = await w.as('admin').post('/api/layers/cameras/features').send(camera(120.225, 22.995, { name: '海安路口（P2）', contact: '陳 0988' })).expect(201);
    const url = `/api/layers/cameras/features/${c.id}`;
    await w.as('admin').patch(url).set('If-Match', '"1"').send({ properties: { name: '海安路口（仍在 P2）' } }).expect(200);
    await w.as('admin').patch(url).set('If-Match', '"2"').send({ geometry: { type: 'Point', coordinates: [120.205, 22.995] }, properties: { name: '民族路口（移入 P1）' } }).expect(200);
    await w.as('planner').patch(url).set('If-Match', '"3"').send({ properties: { azimuth: 45 } }).expect(200);
    const planner = (await w.as('planner').get(`${url}/history`).expect(200)).body.history;
    expect(planner.map((e: { version: number; withheld?: string[] }) => [e.version, e.withheld ?? []])).toEqual([
      [1, ['after']], [2, ['before', 'after']], [3, ['before']], [4, []],
    ]);
    expect(planner[0].after).toBeNull();
    expect(planner[2].before).toBeNull();
    expect(planner[2].after.properties.name).toBe('民族路口（移入 P1）');
    const text = JSON.stringify(planner);
    for (const secret of ['海安路口', '120.225', 'P2', 'B3']) expect(text, secret).not.toContain(secret);
    // Who did what, and when, stays: the record of changes is whole, only the states are withheld.
    expect(planner.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual(['create:admin', 'update:admin', 'update:admin', 'update:planner']);
    // The bureau reads everything.
    const admin = (await w.as('admin').get(`${url}/history`).expect(200)).body.history;
    expect(admin.every((e: { withheld?: string[] }) => e.withheld === undefined)).toBe(true);
    expect(admin[2].before.geometry).toEqual({ type: 'Point', coordinates: [120.225, 22.995] });
  });
});
