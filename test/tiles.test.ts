import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TileCache } from '../server/cache/tile-cache.js';
import { openPostgres } from '../server/db/postgres.js';
import { createApp } from '../server/app.js';
import { message } from '../server/http/messages.js';
import { logLine } from '../server/log.js';
import { LAYERS, findLayer } from '../server/layers/registry.js';
import { tileAt, tilesTouching, type LonLatBox, type TileId } from '../server/tiles/coords.js';
import { binary, decodeTile, ringArea, type DecodedFeature } from './support/mvt.js';
import { openWorld, type World } from './support/world.js';

/**
 * Vector tiles, decoded and checked against the database: every layer, clusters, role
 * filtering, HTTP behaviour, exact invalidation on edits, and faults of the cache and database.
 */
let w: World;
const WORLD: LonLatBox = [120.2, 22.99, 120.23, 23.0];
const TILED = LAYERS.filter((l) => l.tiles);
const url = (layers: string, t: TileId) => `/tiles/${layers}/${t.z}/${t.x}/${t.y}.mvt`;

async function fetchTile(role: Parameters<World['as']>[0], path: string, as = w.as) {
  const res = await as(role).get(path).buffer(true).parse(binary);
  return { res, layers: res.status === 200 ? decodeTile(res.body as Buffer) : {} };
}

/** Every feature of a layer over the world box at zoom z, across tiles, keyed by id. */
async function collect(role: Parameters<World['as']>[0], layer: string, z: number): Promise<DecodedFeature[]> {
  const all: DecodedFeature[] = [];
  for (const t of tilesTouching(WORLD, z)) {
    const { res, layers } = await fetchTile(role, url(layer, t));
    expect([200, 204]).toContain(res.status);
    all.push(...(layers[layer] ?? []));
  }
  return all;
}
/** Points in the clusters of an incidents tile, counted where each cluster is drawn. */
async function clusterTotal(as: World['as'], t: TileId): Promise<number> {
  return (await fetchTile('admin', url('incidents', t), as)).layers.incidents!
    .filter(inside).reduce((n, f) => n + Number(f.properties.point_count), 0);
}
const addIncident = (as: World['as']) => as('admin').post('/api/layers/incidents/features').send({
  type: 'Feature', geometry: { type: 'Point', coordinates: [120.2052, 22.9951] },
  properties: { type: 'drugs', occurred_at: '2026-01-02T03:04:05+08:00' },
}).expect(201);

/** A point feature drawn inside its tile (not in the buffer around it): each is in one tile only. */
const inside = (f: DecodedFeature) => f.geometry[0]!.every((p) => p.x >= 0 && p.x < 4096 && p.y >= 0 && p.y < 4096);
const idsOf = (fs: DecodedFeature[]) => [...new Set(fs.map((f) => f.id))].sort((a, b) => a! - b!);
const dbIds = async (sql: string) => (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM ${sql} ORDER BY id`)).rows.map((r) => r.id);

beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`
    SELECT set_config('app.actor', 'fixture', false);
    SELECT setseed(0.42);
    INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, status, is_public, contact, geom)
      SELECT '攝影機' || i, (i * 37) % 360, 60, 40, (ARRAY['police','community','private'])[1 + i % 3],
             (ARRAY['working','working','broken','offline'])[1 + i % 4], i % 2 = 0, '王先生 0912-000-000',
             ST_SetSRID(ST_MakePoint(120.2005 + random() * 0.029, 22.9905 + random() * 0.009), 4326)
        FROM generate_series(1, 60) i;
    INSERT INTO incidents (type, occurred_at, source, description, geom)
      SELECT (ARRAY['residential_burglary','scooter_theft','fraud_withdrawal','drugs','violence'])[1 + i % 5],
             now() - make_interval(hours => i), 'report', '案情', 
             ST_SetSRID(ST_MakePoint(120.2005 + random() * 0.029, 22.9905 + random() * 0.009), 4326)
        FROM generate_series(1, 400) i;
    INSERT INTO key_places (name, category, geom)
      SELECT '處所' || i, 'vacant_house', ST_SetSRID(ST_MakePoint(120.201 + i * 0.001, 22.995), 4326) FROM generate_series(1, 25) i;
    INSERT INTO watch_blocks (name, adopter, adopter_kind, contact, geom) VALUES
      ('府前區塊', '府前國小', 'school', '林校長', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(120.205, 22.995), 4326), 0.002, 64)));
    INSERT INTO addresses (address, geom) VALUES ('臺南市中西區民族路二段131號', ST_SetSRID(ST_MakePoint(120.2041, 22.9963), 4326));
    INSERT INTO patrol_points (name, kind, geom) VALUES ('東門巡邏箱', 'patrol_box', ST_SetSRID(ST_MakePoint(120.2065, 22.9931), 4326));
    INSERT INTO drone_surveys (name, purpose, geom) VALUES
      ('工業區空拍', 'factory_check', ST_Multi(ST_MakeEnvelope(120.221, 22.991, 120.226, 22.996, 4326)));
    -- Footprints among the cameras, so some coverage is cut by them.
    INSERT INTO buildings (name, levels, geom)
      SELECT '大樓' || i, 1 + i % 12, ST_Multi(ST_MakeEnvelope(x, y, x + 0.0002, y + 0.00015, 4326))
        FROM (SELECT i, 120.2012 + (i % 10) * 0.0028 AS x, 22.9912 + (i / 10) * 0.0019 AS y FROM generate_series(0, 39) i) g;
    SELECT set_config('app.actor', '', false);
  `);
});
afterAll(async () => { await w?.close(); });

describe('tiles of every layer', () => {
  it.each(TILED.map((l) => l.id))('%s: every feature the admin may read, once per id, at the top zoom', async (id) => {
    const layer = findLayer(id)!;
    const features = await collect('admin', id, layer.tiles!.maxzoom);
    expect(idsOf(features)).toEqual(await dbIds(`${layer.table} WHERE deleted_at IS NULL`));
    const types = new Set(features.map((f) => f.type));
    expect([...types]).toEqual([layer.geometry === 'Point' ? 1 : 3]);
    if (layer.geometry !== 'Point') {
      // Exterior rings have positive area in tile coordinates, as MVT requires.
      for (const f of features) expect(ringArea(f.geometry[0]!)).toBeGreaterThan(0);
    }
  });

  it('puts a point where it is: the camera at the centre of a z18 tile decodes near 2048,2048', async () => {
    const t = tileAt(120.2101, 22.9951, 18);
    const [west, north] = [((t.x) / 2 ** 18) * 360 - 180, 0];
    expect(north).toBe(0);
    // Centre of the tile in degrees (x exactly; y by inverting Web Mercator).
    const lon = west + 360 / 2 ** 18 / 2;
    const n = Math.PI - (2 * Math.PI * (t.y + 0.5)) / 2 ** 18;
    const lat = (180 / Math.PI) * Math.atan(Math.sinh(n));
    const created = await w.as('admin').post('/api/layers/cameras/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: { name: '中心', azimuth: 0, fov: 90, range_m: 20, owner_kind: 'police' },
    }).expect(201);
    const { layers } = await fetchTile('admin', url('cameras', t));
    const f = layers.cameras!.find((x) => x.id === created.body.id)!;
    expect(Math.abs(f.geometry[0]![0]!.x - 2048)).toBeLessThanOrEqual(1);
    expect(Math.abs(f.geometry[0]![0]!.y - 2048)).toBeLessThanOrEqual(1);
    expect(f.properties).toMatchObject({ name: '中心', azimuth: 0, owner_kind: 'police', beat_code: 'B2' });
  });

  it('clusters points below the cluster zoom: every point counted once, per type too', async () => {
    const clusters = (await collect('admin', 'incidents', 12)).filter(inside);
    expect(clusters.reduce((n, c) => n + Number(c.properties.point_count), 0)).toBe((await dbIds('incidents')).length);
    const { rows } = await w.db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM incidents GROUP BY type');
    for (const { type, n } of rows) {
      expect(clusters.reduce((s, c) => s + Number(c.properties[`type_${type}`] ?? 0), 0), type).toBe(n);
    }
    expect(clusters.length).toBeLessThan(40); // 400 points in a 3 km × 1 km world: a few clusters
    for (const c of clusters) {
      const count = Number(c.properties.point_count);
      const perType = rows.map((r) => Number(c.properties[`type_${r.type}`] ?? 0));
      // The most common type is named, and a cluster tells the zoom at which it splits.
      expect(Number(c.properties[`type_${String(c.properties.type)}`])).toBe(Math.max(...perType));
      if (count > 1) {
        expect(c.id).toBeUndefined();
        expect(Number(c.properties.expansion_zoom)).toBeGreaterThan(12);
      } else expect(c.id).toBeGreaterThan(0);
    }
    // From the cluster zoom on, the points themselves.
    expect(idsOf(await collect('admin', 'incidents', 15))).toEqual(await dbIds('incidents'));
  });

  it('serves several layers in one tile, each as it is alone', async () => {
    const t = tileAt(120.205, 22.995, 15);
    const both = await fetchTile('admin', url('beats,cameras', t));
    const beats = await fetchTile('admin', url('beats', t));
    const cameras = await fetchTile('admin', url('cameras', t));
    expect(Object.keys(both.layers).sort()).toEqual(['beats', 'beats-labels', 'cameras']);
    expect(both.layers.beats).toEqual(beats.layers.beats);
    expect(both.layers['beats-labels']).toEqual(beats.layers['beats-labels']);
    expect(both.layers.cameras).toEqual(cameras.layers.cameras);
  });

  it('carries one label point per unit, inside it, in exactly one tile at each zoom', async () => {
    for (const z of [12, 14, 16]) {
      const labels: DecodedFeature[] = [];
      for (const t of tilesTouching(WORLD, z)) labels.push(...((await fetchTile('admin', url('beats', t))).layers['beats-labels'] ?? []));
      // B1, B2, B3 once each, with the properties the polygons carry.
      expect(labels.map((f) => f.properties.code).sort(), `z${z}`).toEqual(['B1', 'B2', 'B3']);
      expect(labels.every(inside)).toBe(true);
    }
    // At z16 each beat (0.01° wide) spans several tiles; its label lies in the tile holding its interior point.
    const b1 = (await w.db.query<{ x: number; y: number }>(`SELECT ST_X(p) x, ST_Y(p) y FROM (SELECT ST_PointOnSurface(geom) p FROM beats WHERE code = 'B1') s`)).rows[0]!;
    const home = await fetchTile('admin', url('beats', tileAt(b1.x, b1.y, 16)));
    expect(home.layers['beats-labels']?.map((f) => f.properties.code)).toEqual(['B1']);
  });
});

describe('filtered tiles', () => {
  const incidentTypes = async (sql: string) => (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE deleted_at IS NULL AND ${sql}`)).rows[0]!.n;
  /** All points of incidents tiles over the world at zoom z with a query string, counted once each. */
  async function filteredCount(z: number, query: string): Promise<number> {
    let n = 0;
    for (const t of tilesTouching(WORLD, z)) {
      const { res, layers } = await fetchTile('admin', `${url('incidents', t)}?${query}`);
      expect([200, 204]).toContain(res.status);
      n += (layers.incidents ?? []).filter(inside).reduce((s, f) => s + Number(f.properties.point_count ?? 1), 0);
    }
    return n;
  }

  it('counts only the incidents a filter keeps, in clusters and as points', async () => {
    const drugs = await incidentTypes(`type = 'drugs'`);
    expect(drugs).toBeGreaterThan(10);
    expect(await filteredCount(12, 'type=drugs')).toBe(drugs);
    expect(await filteredCount(16, 'type=drugs')).toBe(drugs);
    // Hours read in Taiwan time, and ranges that wrap past midnight.
    const night = await incidentTypes(`EXTRACT(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei') IN (22, 23, 0, 1)`);
    expect(night).toBeGreaterThan(0);
    expect(await filteredCount(12, 'hour=22-1')).toBe(night);
    const weekendDrugs = await incidentTypes(`type IN ('drugs', 'violence') AND EXTRACT(isodow FROM occurred_at AT TIME ZONE 'Asia/Taipei') IN (6, 7)`);
    expect(await filteredCount(16, 'type=drugs,violence&weekday=6,7')).toBe(weekendDrugs);
    const since = (await w.db.query<{ d: string }>(`SELECT to_char(now() - interval '5 days', 'YYYY-MM-DD') AS d`)).rows[0]!.d;
    expect(await filteredCount(13, `datetime=${since}/..`)).toBe(await incidentTypes(`occurred_at >= '${since}'::date`));
  });

  it('filters each layer of a composite tile by its own prefixed parameters', async () => {
    const t = tileAt(120.215, 22.995, 16);
    const { layers } = await fetchTile('admin', `${url('cameras,incidents', t)}?cameras.status=broken&incidents.type=violence`);
    expect(layers.cameras!.length).toBeGreaterThan(0);
    expect(layers.cameras!.every((f) => f.properties.status === 'broken')).toBe(true);
    expect(layers.incidents!.length).toBeGreaterThan(0);
    expect(layers.incidents!.every((f) => f.properties.type === 'violence')).toBe(true);
    const plain = await fetchTile('admin', url('cameras,incidents', t));
    expect(plain.layers.cameras!.length).toBeGreaterThan(layers.cameras!.length);
  });

  it('a filtered tile is cached as a variant of its tile and dropped with it on an edit', async () => {
    const t = tileAt(120.2052, 22.9951, 16);
    const before = (await fetchTile('admin', `${url('incidents', t)}?type=drugs`)).layers.incidents?.length ?? 0;
    await addIncident(w.as);
    const after = (await fetchTile('admin', `${url('incidents', t)}?type=drugs`)).layers.incidents?.length ?? 0;
    expect(after).toBe(before + 1);
    const violence = (await fetchTile('admin', `${url('incidents', t)}?type=violence`)).layers.incidents ?? [];
    expect(violence.length).toBeGreaterThan(0);
    expect(violence.every((f) => f.properties.type === 'violence')).toBe(true);
  });

  it.each([
    ['?type=arson', /「type」沒有「arson」這個值/, 'type'],
    ['?hour=25', /「hour」必須是 0 到 23 的整數/, 'hour'],
    ['?weekday=0', /「weekday」必須是 1（星期一）到 7（星期日）/, 'weekday'],
    ['?weekday=someday', /或 mon、tue、wed/, 'weekday'],
    ['?bbox=1,2,3,4', /^圖磚只接受篩選條件，不接受「bbox」；「bbox」請用於 GET \/api\/layers\/incidents\/features。$/, 'bbox'],
    ['?nope=1', /不認得參數「nope」。可用的參數：incidents\.type、incidents\.source、.*incidents\.datetime、incidents\.hour、incidents\.weekday。/, 'nope'],
    ['?cameras.status=broken', /不認得參數「cameras\.status」/, 'cameras.status'],
    [`?type=${Array(101).fill('drugs').join(',')}`, /「type」最多可列 100 個值/, 'type'],
    ['?datetime=0000-12-31', /年份必須在 1 到 9999 之間/, 'datetime'],
    ['?datetime=2026-01-01T00:00%2B15:00', /時區位移必須在 -14:00 到 \+14:00 之間/, 'datetime'],
    ['?type=%00', /空字元/, 'type'],
    ['?type=%ED%A0%80', /百分比編碼無效|UTF-8/, 'type'],
  ])('incidents tile with %s → 400', async (query, message, field) => {
    const res = await w.as('admin').get(`${url('incidents', tileAt(120.205, 22.995, 16))}${query}`).expect(400);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.field).toBe(field);
  });

  it('a filter cannot reach rows or properties the role may not read', async () => {
    const t = tileAt(120.215, 22.995, 16);
    // The public sees public cameras only, filtered or not, and cannot filter by a sensitive property.
    const { layers } = await fetchTile('public', `${url('cameras', t)}?status=broken`);
    const publicBroken = await dbIds(`cameras WHERE is_public AND status = 'broken' AND deleted_at IS NULL AND ST_Intersects(geom, ST_Transform(ST_TileEnvelope(${t.z}, ${t.x}, ${t.y}), 4326))`);
    expect(idsOf((layers.cameras ?? []).filter(inside))).toEqual(publicBroken);
    const res = await w.as('public').get(`${url('cameras', t)}?contact=x`).expect(400);
    expect(res.body.error.field).toBe('contact');
  });
});

describe('who sees what', () => {
  const t = tileAt(120.215, 22.995, 16);
  const z16 = (role: Parameters<World['as']>[0], layer: string) => collect(role, layer, 16);

  it('public: public cameras only, without contacts; sensitive layers are unknown', async () => {
    const cams = await z16('public', 'cameras');
    expect(idsOf(cams)).toEqual(await dbIds('cameras WHERE is_public AND deleted_at IS NULL'));
    expect(cams.length).toBeGreaterThan(0);
    expect(cams.every((f) => !('contact' in f.properties))).toBe(true);
    const admin = await z16('admin', 'cameras');
    expect(admin.some((f) => f.properties.contact === '王先生 0912-000-000')).toBe(true);
    for (const layer of ['incidents', 'key-places', 'drone-surveys']) {
      const res = await w.as('public').get(url(layer, t));
      const unknown = await w.as('public').get(url('no-such-layer', t));
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(unknown.body.error.message.replace('no-such-layer', layer));
    }
    const blocks = await z16('public', 'watch-blocks');
    expect(idsOf(blocks)).toHaveLength(1);
    expect(blocks.every((f) => !('contact' in f.properties))).toBe(true);
  });

  it('community: every public camera, as the public sees them, and no other', async () => {
    const cams = await z16('community', 'cameras');
    expect(idsOf(cams)).toEqual(await dbIds(`cameras WHERE is_public AND deleted_at IS NULL`));
    expect(idsOf(cams)).toEqual(idsOf(await z16('public', 'cameras')));
    expect(cams.length).toBeLessThan((await dbIds('cameras WHERE deleted_at IS NULL')).length);
  });

  it('planner of P1: incidents of P1 only, at every zoom', async () => {
    const p1 = await dbIds(`incidents WHERE precinct_code = 'P1'`);
    expect(p1.length).toBeLessThan((await dbIds('incidents')).length);
    expect(idsOf(await z16('planner', 'incidents'))).toEqual(p1);
    const clusters = (await collect('planner', 'incidents', 11)).filter(inside);
    expect(clusters.reduce((n, c) => n + Number(c.properties.point_count), 0)).toBe(p1.length);
  });
});

describe('HTTP', () => {
  const t = tileAt(120.205, 22.995, 16);

  it.each([
    `/tiles/cameras/${t.z}/${t.x}/${t.y}.pbf`, `/tiles/cameras/${t.z}/${t.x}/x.pbf`, '/tiles/cameras/16/1/2', '/tiles/nothing/here.png', '/tiles/',
  ])('answers %s, which is no tile, with the JSON 404 (not the web app, not Express\'s HTML)', async (path) => {
    for (const accept of ['*/*', 'text/html']) {
      const res = await w.as('public').get(path).set('Accept', accept).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error).toMatchObject({ code: 'no_such_endpoint', message: expect.stringMatching(/沒有這個端點：GET \/tiles\//) });
    }
  });

  it('sends gzip with an ETag, 304 for a matching If-None-Match, plain MVT to clients without gzip', async () => {
    const res = await w.as('admin').get(url('cameras', t)).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    await w.as('admin').get(url('cameras', t)).set('If-None-Match', etag).expect(304);
    const plain = await w.as('admin').get(url('cameras', t)).set('Accept-Encoding', 'identity').buffer(true).parse(binary).expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(decodeTile(plain.body as Buffer)).toEqual(decodeTile(res.body as Buffer));
    const anon = await w.as('public').get(url('cameras', t)).expect(200);
    expect(anon.headers['cache-control']).toBe('public, max-age=60');
  });

  it('answers HEAD with the headers only, and a signed-out token with 401 at once', async () => {
    const head = await w.as('admin').head(url('cameras', t)).expect(200);
    expect(head.headers['content-length']).toMatch(/^\d+$/);
    const login = await request(w.app).post('/api/login').send({ username: 'planner', password: 'correct horse battery' }).expect(200);
    const auth = `Bearer ${login.body.token}`;
    await request(w.app).get(url('cameras', t)).set('Authorization', auth).expect(200);
    await request(w.app).post('/api/logout').set('Authorization', auth).expect(204);
    const res = await request(w.app).get(url('cameras', t)).set('Authorization', auth).expect(401);
    expect(res.body.error.code).toBe('invalid_session');
    await request(w.app).get(url('cameras', t)).set('Authorization', 'Bearer garbage').expect(401);
  });

  it('clears a stale session cookie with its 401, and answers malformed URLs with 400', async () => {
    const res = await request(w.app).get(url('cameras', t)).set('Cookie', 'emap_session=expired-or-made-up').expect(401);
    expect(String(res.headers['set-cookie'])).toMatch(/^emap_session=;.*Expires=Thu, 01 Jan 1970/);
    await w.as('admin').get('/api/layers/%E0%A4%A/features').expect(400);
    const list = await w.as('admin').get('/api/layers/cameras/features?limit=1').expect(200);
    // Answers differ by caller and, compressed or not, by what the client accepts.
    expect(list.headers).toMatchObject({ 'cache-control': 'private, no-cache', vary: 'Authorization, Cookie, Accept-Encoding' });
  });

  it('answers an empty tile with 204', async () => {
    const far = tileAt(121.5, 25.0, 16);
    const res = await w.as('admin').get(url('cameras', far)).expect(204);
    expect(res.headers.etag).toBeDefined();
  });

  it.each([
    ['/tiles/no-such-layer/16/0/0.mvt', 404, 'tile_layer_unknown', /^沒有「no-such-layer」這個圖磚圖層，或你的帳號不能讀取它；可用的圖層列在 GET \/tiles\/style\.json/, undefined],
    ['/tiles/beats,nope/16/0/0.mvt', 404, 'tile_layer_unknown', /沒有「nope」這個圖磚圖層/, undefined],
    ['/tiles/visits/16/0/0.mvt', 404, 'tile_layer_unknown', /沒有「visits」這個圖磚圖層/, undefined],
    ['/tiles/incidents/5/0/0.mvt', 400, 'tile_zoom', /^縮放層級 5 超出圖層 incidents 的範圍（8 到 18）/, 'z'],
    ['/tiles/cameras/19/0/0.mvt', 400, 'tile_zoom', /縮放層級 19 超出圖層 cameras 的範圍（10 到 18）/, 'z'],
    ['/tiles/cameras/10/1024/0.mvt', 400, 'tile_outside_grid', /^圖磚座標 x=1024 超出縮放層級 10 的範圍（0 到 1023）。$/, 'x'],
    ['/tiles/cameras/10/0/5000.mvt', 400, 'tile_outside_grid', /圖磚座標 y=5000 超出縮放層級 10 的範圍（0 到 1023）/, 'y'],
    ['/tiles/cameras/ten/0/0.mvt', 400, 'tile_coordinate', /^圖磚座標「z」必須是 0 或正整數，不能是「ten」。$/, 'z'],
    ['/tiles/cameras/10/-1/0.mvt', 400, 'tile_coordinate', /圖磚座標「x」必須是 0 或正整數，不能是「-1」/, 'x'],
    ['/tiles/cameras%E0%A4%A/10/0/0.mvt', 400, 'tile_layers_encoding', /的百分比編碼不正確/, 'layers'],
  ])('%s → %i %s', async (path, status, code, message, field) => {
    const res = await w.as('admin').get(path).expect(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.field).toBe(field);
  });

  it('describes tiles as TileJSON 3.0.0 and a MapLibre style, with only what the role may read', async () => {
    const tj = await w.as('public').get('/tiles/cameras.json').expect(200);
    expect(tj.body).toMatchObject({ tilejson: '3.0.0', minzoom: 10, maxzoom: 18 });
    expect(tj.body.tiles[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tiles\/cameras\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
    expect(tj.body.vector_layers[0].fields).toHaveProperty('status', 'String');
    expect(tj.body.vector_layers[0].fields).not.toHaveProperty('contact');
    const adminTj = await w.as('admin').get('/tiles/cameras.json').expect(200);
    expect(adminTj.body.vector_layers[0].fields).toHaveProperty('contact');
    await w.as('public').get('/tiles/incidents.json').expect(404);
    // Bounds: the box around the rows the role may see (the public's public cameras only), not all of Taiwan.
    const extent = async (where: string) => (await w.db.query<{ b: number[] }>(
      `SELECT ARRAY[ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x)] AS b FROM (SELECT ST_Extent(geom)::geometry x FROM cameras WHERE deleted_at IS NULL AND ${where}) q`)).rows[0]!.b;
    expect(tj.body.bounds).toEqual((await extent('is_public')).map((v) => expect.closeTo(v, 9)));
    expect(adminTj.body.bounds).toEqual((await extent('true')).map((v) => expect.closeTo(v, 9)));
    // A clustered layer lists the fields its clusters carry too.
    const incidents = await w.as('admin').get('/tiles/incidents.json').expect(200);
    expect(incidents.body.vector_layers[0].fields).toMatchObject({ point_count: 'Number', expansion_zoom: 'Number', type: 'String', type_drugs: 'Number' });

    const style = await w.as('public').get('/tiles/style.json').expect(200);
    const sourceLayers = new Set(style.body.layers.map((l: { 'source-layer'?: string }) => l['source-layer']).filter(Boolean));
    expect([...sourceLayers].sort()).toEqual(['addresses', 'beats', 'beats-labels', 'blocks', 'buildings', 'camera-coverage', 'cameras', 'counties', 'counties-labels',
      'police-units', 'precincts', 'precincts-labels', 'stations', 'stations-labels', 'towns', 'towns-labels', 'villages', 'villages-labels',
      'watch-blocks', 'watch-blocks-labels']);
    // Every style layer names the registry layer it draws, for the web app's layer list.
    expect(new Set(style.body.layers.slice(1).map((l: { metadata: Record<string, string> }) => l.metadata['emap:layer'])))
      .toEqual(new Set(['blocks', 'villages', 'towns', 'addresses', 'counties', 'precincts', 'stations', 'beats', 'police-units', 'buildings', 'cameras',
        'camera-coverage', 'watch-blocks']));
    // No glyphs URL: labels are drawn with local fonts, so nothing is fetched off the machine.
    expect(style.body).not.toHaveProperty('glyphs');
    expect(style.body).not.toHaveProperty('sprite');
    // Labels show names whole: never a code beneath, never wrapped (which splits Chinese mid-word).
    const labels = style.body.layers.filter((l: { type: string; layout?: Record<string, unknown> }) => l.type === 'symbol' && l.layout?.['text-field']);
    expect(labels.length).toBeGreaterThan(5);
    for (const l of labels) {
      expect(JSON.stringify(l.layout['text-field']), l.id).not.toContain('"code"');
      if (!String(l.id).endsWith('-cross') && !String(l.id).endsWith('-counts')) expect(l.layout['text-max-width'], l.id).toBeGreaterThanOrEqual(30);
    }
    const adminStyle = await w.as('admin').get('/tiles/style.json').expect(200);
    expect(adminStyle.body.sources.emap.url).toMatch(
      /\/tiles\/blocks,villages,towns,addresses,counties,precincts,stations,beats,police-units,buildings,key-places,cameras,camera-coverage,watch-blocks,drone-surveys,incidents,patrol-points\.json$/);
  });
});

describe('cache invalidation', () => {
  /** Renames a camera behind the app's back: its tiles keep the old name while they are cached. */
  const renameQuietly = (id: number, name: string) => w.db.query(`UPDATE cameras SET name = $2 WHERE id = $1`, [id, name]);
  const nameIn = async (t: TileId, id: number) =>
    (await fetchTile('admin', url('cameras', t))).layers.cameras?.find((f) => f.id === id)?.properties.name;

  it('an edit updates the tiles under its old and new place at every zoom, and no other tile', async () => {
    const [a, b] = (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM cameras
      WHERE ST_X(geom) < 120.205 ORDER BY id LIMIT 1`)).rows.concat(
      (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM cameras WHERE ST_X(geom) > 120.225 ORDER BY id LIMIT 1`)).rows);
    const pos = async (id: number) => (await w.db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE id = $1`, [id])).rows[0]!;
    const pa = await pos(a!.id);
    const pb = await pos(b!.id);
    const ta = tileAt(pa.x, pa.y, 16);
    const tb = tileAt(pb.x, pb.y, 16);
    expect(ta).not.toEqual(tb);
    const before = await nameIn(tb, b!.id);
    const clusterTile = tileAt(pa.x, pa.y, 12);
    const countAt = async (t: TileId) => (await fetchTile('admin', url('cameras', t))).layers.cameras!
      .filter(inside).reduce((n, f) => n + Number(f.properties.point_count), 0);
    const clustersBefore = await countAt(clusterTile);

    // Cached now. A change made behind the app's back does not show: the tile comes from the cache.
    await renameQuietly(b!.id, '暗中改名');
    expect(await nameIn(tb, b!.id)).toBe(before);

    // Move camera a next to camera b through the API.
    const got = await w.as('admin').get(`/api/layers/cameras/features/${a!.id}`).expect(200);
    await w.as('admin').patch(`/api/layers/cameras/features/${a!.id}`).set('If-Match', got.headers.etag as string)
      .send({ geometry: { type: 'Point', coordinates: [pb.x + 0.00001, pb.y] } }).expect(200);
    expect((await fetchTile('admin', url('cameras', ta))).layers.cameras?.some((f) => f.id === a!.id) ?? false).toBe(false);
    const atB = (await fetchTile('admin', url('cameras', tb))).layers.cameras!;
    expect(atB.some((f) => f.id === a!.id)).toBe(true);
    // Tile b was re-rendered for the edit, so it now also shows the quiet rename.
    expect(atB.find((f) => f.id === b!.id)!.properties.name).toBe('暗中改名');
    if (tileAt(pb.x, pb.y, 12).x !== clusterTile.x) expect(await countAt(clusterTile)).toBe(clustersBefore - 1);
  });

  it('leaves tiles the edit did not touch in the cache', async () => {
    const { rows } = await w.db.query<{ id: number; x: number; y: number }>(`SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y
      FROM cameras WHERE ST_X(geom) > 120.225 ORDER BY id DESC LIMIT 1`);
    const far = rows[0]!;
    const tFar = tileAt(far.x, far.y, 17);
    const cached = await nameIn(tFar, far.id);
    await renameQuietly(far.id, '另一個暗中改名');
    // An edit in the west of the world.
    const near = (await w.db.query<{ id: number; version: number }>(`SELECT id::int AS id, version FROM cameras
      WHERE ST_X(geom) < 120.204 ORDER BY id LIMIT 1`)).rows[0]!;
    await w.as('admin').patch(`/api/layers/cameras/features/${near.id}`).set('If-Match', `"${near.version}"`)
      .send({ properties: { status: 'broken' } }).expect(200);
    expect(await nameIn(tFar, far.id)).toBe(cached);
  });

  it('clusters count a new point at once', async () => {
    const t = tileAt(120.205, 22.995, 12);
    const before = await clusterTotal(w.as, t);
    await addIncident(w.as);
    expect(await clusterTotal(w.as, t)).toBe(before + 1);
  });

  it('a beat redraw re-renders the points it re-assigned', async () => {
    const id = (await w.db.query<{ id: number; x: number; y: number }>(`SELECT id::int AS id FROM cameras
      WHERE beat_code = 'B2' AND ST_X(geom) < 120.215 ORDER BY id LIMIT 1`)).rows[0]!.id;
    const p = (await w.db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE id = $1`, [id])).rows[0]!;
    const t = tileAt(p.x, p.y, 16);
    const beatOf = async () => (await fetchTile('admin', url('cameras', t))).layers.cameras!.find((f) => f.id === id)!.properties.beat_code;
    expect(await beatOf()).toBe('B2');
    const b1 = (await w.db.query<{ id: number; version: number }>(`SELECT id::int AS id, version FROM beats WHERE code = 'B1'`)).rows[0]!;
    const b2 = (await w.db.query<{ id: number; version: number }>(`SELECT id::int AS id, version FROM beats WHERE code = 'B2'`)).rows[0]!;
    const box = (x0: number, x1: number) => ({ type: 'Polygon', coordinates: [[[x0, 22.99], [x1, 22.99], [x1, 23.0], [x0, 23.0], [x0, 22.99]]] });
    await w.as('admin').patch(`/api/layers/beats/features/${b2.id}`).set('If-Match', `"${b2.version}"`).send({ geometry: box(120.215, 120.22) }).expect(200);
    await w.as('admin').patch(`/api/layers/beats/features/${b1.id}`).set('If-Match', `"${b1.version}"`).send({ geometry: box(120.2, 120.215) }).expect(200);
    expect(await beatOf()).toBe('B1');
  });
});

describe('shared cache and faults', () => {
  const redisUrl = process.env.REDIS_URL;

  it.runIf(redisUrl)('two app instances on one Redis: an edit on one shows on the other\'s next tile', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    const a = w.instance({ tileCache: TileCache.redis(redisUrl!, { prefix }) });
    const b = w.instance({ tileCache: TileCache.redis(redisUrl!, { prefix }) });
    const cam = (await w.db.query<{ id: number; x: number; y: number; version: number }>(`SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y, version
      FROM cameras WHERE deleted_at IS NULL ORDER BY id LIMIT 1`)).rows[0]!;
    const t = tileAt(cam.x, cam.y, 16);
    const statusOn = async (agents: typeof a) => (await fetchTile('admin', url('cameras', t), agents.as)).layers.cameras!.find((f) => f.id === cam.id)!.properties.status;
    const first = await statusOn(b);
    expect(await statusOn(a)).toBe(first);
    const next = first === 'offline' ? 'working' : 'offline';
    await a.as('admin').patch(`/api/layers/cameras/features/${cam.id}`).set('If-Match', `"${cam.version}"`).send({ properties: { status: next } }).expect(200);
    expect(await statusOn(b)).toBe(next);
    // Clusters too: b's cluster index was built before the edit and is rebuilt for it.
    const z12 = tileAt(120.205, 22.995, 12);
    const before = await clusterTotal(b.as, z12);
    expect(await clusterTotal(a.as, z12)).toBe(before);
    await addIncident(a.as);
    expect(await clusterTotal(b.as, z12)).toBe(before + 1);
  });

  it('Redis unreachable: tiles still come from the database, health says degraded, one log line', async () => {
    const events: string[] = [];
    const cache = TileCache.redis('redis://127.0.0.1:9', { log: (level, event, fields) => events.push(logLine(level, event, fields)) });
    const app = w.instance({ tileCache: cache });
    const t = tileAt(120.205, 22.995, 16);
    for (let i = 0; i < 3; i++) {
      const { layers } = await fetchTile('admin', url('cameras', t), app.as);
      expect(layers.cameras!.length).toBeGreaterThan(0);
    }
    expect(events.filter((m) => /event=breaker\.open dependency=redis/.test(m))).toHaveLength(1);
    const health = await request(app.app).get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'degraded', db: w.db.kind, cache: 'redis', cacheAvailable: false, degraded: ['cache'] });
    expect(health.body.checks.cache).toMatchObject({ status: 'bypassed', reason: expect.stringMatching(/ECONNREFUSED|Connection is closed|writeable/) });
    await cache.close();
  });

  it.runIf(redisUrl)('Redis that goes away and comes back: served meanwhile, cached again after', async () => {
    // A Redis of this test's own, so stopping it disturbs nobody.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const dir = mkdtempSync(join(tmpdir(), 'emap-redis-'));
    const startRedis = () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' });
      return child;
    };
    let redis = startRedis();
    const events: string[] = [];
    const cache = TileCache.redis(`redis://127.0.0.1:${port}`, { retryMs: 300, log: (level, event, fields) => events.push(logLine(level, event, fields)) });
    const app = w.instance({ tileCache: cache });
    const cam = (await w.db.query<{ id: number; x: number; y: number }>(`SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y
      FROM cameras WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1`)).rows[0]!;
    const t = tileAt(cam.x, cam.y, 18);
    const nameNow = async () => (await fetchTile('admin', url('cameras', t), app.as)).layers.cameras!.find((f) => f.id === cam.id)!.properties.name;
    const until = async (cond: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 100));
    };
    try {
      const cacheWorks = async () => {
        await nameNow();
        return cache.usable;
      };
      await until(cacheWorks);
      expect((await request(app.app).get('/api/health')).body).toMatchObject({ status: 'ok', cacheAvailable: true });
      const original = await nameNow();
      events.length = 0; // the connection may have been refused while Redis was starting
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      await w.db.query('UPDATE cameras SET name = $2 WHERE id = $1', [cam.id, '停機時改名']);
      expect(await nameNow()).toBe('停機時改名'); // from the database
      expect(await nameNow()).toBe('停機時改名');
      expect(events.filter((m) => /event=breaker\.open/.test(m))).toHaveLength(1);

      redis = startRedis();
      // Probed every 300 ms: wait until a tile is cached again, i.e. a quiet rename stops showing.
      await until(cacheWorks);
      expect(events.some((m) => /event=breaker\.closed dependency=redis open_ms=\d+/.test(m))).toBe(true);
      await nameNow();
      await w.db.query('UPDATE cameras SET name = $2 WHERE id = $1', [cam.id, original]);
      expect(await nameNow()).toBe('停機時改名');
    } finally {
      await cache.close();
      redis.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('database unreachable: 503 with Retry-After, and the process goes on', async () => {
    const down = openPostgres('postgres://emap@127.0.0.1:9/emap');
    const app = createApp({ db: down });
    const res = await request(app).get(url('beats', tileAt(120.205, 22.995, 14))).expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toMatchObject({ code: 'database_unavailable', message: message('database_unavailable', { seconds: 5 }) });
    const health = await request(app).get('/api/health').expect(503);
    expect(health.headers['retry-after']).toBe('5');
    expect(health.body).toMatchObject({ status: 'unavailable', db: 'postgres', checks: { db: { status: 'unavailable' } } });
    await down.close();
  });
});

describe('the two encoders', () => {
  it('uses the index in the tiles\' projection', async () => {
    const { mvtQuery, tileRows, snappedGeom } = await import('../server/tiles/sql.js');
    const admin = { username: 'admin', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: 1 } as const;
    const t = tileAt(120.205, 22.995, 16);
    const plans: string[] = [];
    await w.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      for (const layer of ['cameras', 'watch-blocks']) {
        const params: unknown[] = [];
        const sql = w.db.kind === 'postgres' ? mvtQuery(findLayer(layer)!, admin, t) : { sql: tileRows(findLayer(layer)!, admin, t, snappedGeom, params), params };
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.sql}`, sql.params);
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
    });
    expect(plans[0]).toMatch(/cameras_geom_3857/);
    expect(plans[1]).toMatch(/watch_blocks_geom_3857/);
  });

  it.runIf(process.env.DATABASE_URL)('ST_AsMVT and the Node encoder give the same layers, ids, properties and shapes', async () => {
    const { TileRenderer } = await import('../server/tiles/render.js');
    const renderers = [new TileRenderer(w.db, 'postgis'), new TileRenderer(w.db, 'node')];
    const principals = [
      { username: 'admin', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: 1 },
      { username: 'public', role: 'public', precinctCode: null, stationCode: null, beatCode: null, userId: null },
    ] as const;
    let compared = 0;
    for (const layer of TILED) {
      for (const z of [layer.tiles!.minzoom, 12, 14, 16, 18].filter((z) => z >= layer.tiles!.minzoom && z <= layer.tiles!.maxzoom)) {
        for (const t of tilesTouching(WORLD, z).slice(0, 6)) {
          for (const p of principals.filter((x) => layer.access[x.role])) {
            const [a, b] = await Promise.all(renderers.map((r) => r.render(layer, p, t)));
            const [da, db] = [decodeTile(a!), decodeTile(b!)];
            expect(Object.keys(db)).toEqual(Object.keys(da));
            const fa = da[layer.id] ?? [];
            const fb = db[layer.id] ?? [];
            // Points must match exactly, geometry included (clusters have no id to tell them apart).
            const key = (f: DecodedFeature) => JSON.stringify([f.id, f.properties, f.type === 1 ? f.geometry : null]);
            expect(fb.map(key).sort(), `${layer.id} ${t.z}/${t.x}/${t.y}`).toEqual(fa.map(key).sort());
            const byKey = new Map(fb.map((f) => [key(f), f]));
            for (const f of fa) {
              const g = byKey.get(key(f))!;
              expect(g.type).toBe(f.type);
              if (f.type !== 1) {
                const area = (x: DecodedFeature) => x.geometry.reduce((s, r) => s + ringArea(r), 0);
                expect(Math.abs(area(g) - area(f))).toBeLessThanOrEqual(Math.max(64, Math.abs(area(f)) * 0.01));
              }
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });
});
