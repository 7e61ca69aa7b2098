import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorld, type World } from './support/world.js';

/**
 * OGC API – Features as QGIS and GDAL use it: absolute links to follow, paging by `next`,
 * numberMatched, bbox and datetime, and the same role rules as /api.
 *
 * Fixtures (see support/world.ts for the units): 25 scooter thefts on a line at lat 22.995,
 * lon 120.202 + 0.001·k for k = 0…24, one a day at 00:00 Taiwan time from 2026-03-02 to 03-26;
 * three cameras: public 公開 (P1, inside the community account's area), public 公開二 (P2)
 * and internal 內部 (P1).
 */
let w: World;
/** supertest serves each request on a new port: links are checked as http://127.0.0.1:<port>/… */
const ORIGIN = /^http:\/\/127\.0\.0\.1:\d+/;
const CONF = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
let deletedIncident: number;

beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`
    SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO incidents (type, occurred_at, source, geom)
      SELECT 'scooter_theft', timestamptz '2026-03-01 00:00+08' + make_interval(days => i), 'report',
             ST_SetSRID(ST_MakePoint(120.201 + i * 0.001, 22.995), 4326)
        FROM generate_series(1, 25) i;
    INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, contact, geom) VALUES
      ('公開', 0, 90, 30, 'police', true, '王里長 0912-000-000', ST_SetSRID(ST_MakePoint(120.202, 22.992), 4326)),
      ('公開二', 0, 90, 30, 'police', true, NULL, ST_SetSRID(ST_MakePoint(120.225, 22.995), 4326)),
      ('內部', 0, 62.5, 40.5, 'police', false, NULL, ST_SetSRID(ST_MakePoint(120.209, 22.998), 4326));
    SELECT set_config('app.actor', '', false);
  `);
  // One more incident, deleted through the API: it must never show on /ogc.
  const { body } = await w.as('admin').post('/api/layers/incidents/features').send({
    type: 'Feature', geometry: { type: 'Point', coordinates: [120.2035, 22.995] },
    properties: { type: 'scooter_theft', occurred_at: '2026-03-04T12:00:00+08:00' },
  }).expect(201);
  deletedIncident = body.id;
  await w.as('admin').delete(`/api/layers/incidents/features/${deletedIncident}`).set('If-Match', '"1"').expect(204);
});
afterAll(async () => { await w?.close(); });

type Role = Parameters<World['as']>[0];
interface Link { rel: string; type: string; href: string }
const href = (links: Link[], rel: string) => links.find((l) => l.rel === rel)?.href;
/** The path and query of an absolute link, to follow it through supertest. */
const local = (absolute: string | undefined) => {
  expect(absolute).toMatch(ORIGIN);
  return absolute!.replace(ORIGIN, '');
};
const items = (role: Role, query: string, collection = 'incidents') =>
  w.as(role).get(`/ogc/collections/${collection}/items${query ? `?${query}` : ''}`).expect(200);
const matched = async (query: string, role: Role = 'admin', collection = 'incidents') =>
  (await items(role, query, collection)).body.numberMatched as number;
const names = async (role: Role) =>
  (await items(role, '', 'cameras')).body.features.map((f: { properties: { name: string } }) => f.properties.name).sort();

describe('OGC API – Features: landing page, conformance, API definition', () => {
  it('links the API definition, the conformance classes and the collections absolutely', async () => {
    const landing = await w.as('public').get('/ogc').expect(200);
    expect(landing.headers['content-type']).toMatch(/^application\/json/);
    expect(landing.body.title).toBe('社區治安電子地圖');
    const links: Link[] = landing.body.links;
    expect(local(href(links, 'self'))).toBe('/ogc');
    expect(links.find((l) => l.rel === 'service-desc')?.type).toBe('application/vnd.oai.openapi+json;version=3.0');

    const conf = await w.as('public').get(local(href(links, 'conformance'))).expect(200);
    expect(conf.body.conformsTo.sort()).toEqual([`${CONF}/core`, `${CONF}/geojson`, `${CONF}/oas30`]);
    const data = await w.as('public').get(local(href(links, 'data'))).expect(200);
    expect(data.body.collections.length).toBeGreaterThan(0);
    const api = await w.as('public').get(local(href(links, 'service-desc'))).expect(200);
    expect(api.headers['content-type']).toMatch(/^application\/vnd\.oai\.openapi\+json;\s*version=3\.0/);
    expect(api.body.openapi).toMatch(/^3\.0\.\d$/);
  });

  it('describes per collection what the role may read, with the limits and filters clients read', async () => {
    const pub = (await w.as('public').get('/ogc/api').expect(200)).body;
    expect(pub.servers[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ogc$/);
    expect(Object.keys(pub.paths)).toContain('/collections/cameras/items');
    expect(JSON.stringify(pub)).not.toMatch(/incidents|key-places|drone-surveys/);
    // QGIS reads the page size here; GDAL and QGIS read the simple filters of each items path.
    expect(pub.components.parameters.limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 10000, default: 100 });
    const admin = (await w.as('admin').get('/ogc/api').expect(200)).body;
    const params = admin.paths['/collections/incidents/items'].get.parameters;
    expect(params).toEqual(expect.arrayContaining([{ $ref: '#/components/parameters/limit' }, { $ref: '#/components/parameters/datetime' }]));
    expect(params.find((x: { name?: string }) => x.name === 'type')).toMatchObject({ in: 'query', style: 'form', explode: false, schema: { type: 'string' } });
    expect(params.find((x: { name?: string }) => x.name === 'type').schema.enum).toContain('scooter_theft');
  });
});

describe('OGC API – Features: collections', () => {
  it('lists one collection per layer with a geometry the role may read', async () => {
    const ids = async (role: Role) =>
      (await w.as(role).get('/ogc/collections').expect(200)).body.collections.map((c: { id: string }) => c.id).sort();
    const outside = ['addresses', 'beats', 'blocks', 'buildings', 'camera-coverage', 'cameras', 'counties', 'police-units', 'precincts', 'stations', 'towns', 'villages', 'watch-blocks'];
    expect(await ids('public')).toEqual(outside);
    expect(await ids('community')).toEqual(outside);
    // visits, watch teams and the bureau have no geometry: /api only.
    expect(await ids('admin')).toEqual([...outside, 'drone-surveys', 'incidents', 'key-places', 'patrol-points'].sort());
    const list = (await w.as('admin').get('/ogc/collections').expect(200)).body;
    expect(local(href(list.links, 'self'))).toBe('/ogc/collections');
  });

  it('describes a collection: feature items in CRS84, extent in space and time, links to follow', async () => {
    const c = (await w.as('admin').get('/ogc/collections/incidents').expect(200)).body;
    expect(c).toMatchObject({ id: 'incidents', title: '案件', itemType: 'feature', crs: [CRS84] });
    const [bbox] = c.extent.spatial.bbox;
    expect(bbox[0]).toBeCloseTo(120.202, 6);
    expect(bbox[1]).toBeCloseTo(22.995, 6);
    expect(bbox[2]).toBeCloseTo(120.226, 6);
    expect(c.extent.spatial.crs).toBe(CRS84);
    expect(c.extent.temporal.interval).toEqual([['2026-03-02T00:00:00+08:00', '2026-03-26T00:00:00+08:00']]);
    expect(local(href(c.links, 'self'))).toBe('/ogc/collections/incidents');
    expect(c.links.find((l: Link) => l.rel === 'items')).toMatchObject({ type: 'application/geo+json' });
    expect(local(href(c.links, 'items'))).toBe('/ogc/collections/incidents/items');
    // An empty layer spans Taiwan; a layer without time has no temporal extent.
    const drones = (await w.as('admin').get('/ogc/collections/drone-surveys').expect(200)).body;
    // 太平島 in the south-west, 釣魚臺列嶼 in the east, 馬祖 in the north.
    expect(drones.extent.spatial.bbox).toEqual([[114.34, 10.35, 124.58, 26.4]]);
    expect(drones.extent).not.toHaveProperty('temporal');
  });

  it('bounds the extent by the rows the role may see', async () => {
    const extent = async (role: Role, expected: number[]) => {
      const [bbox] = (await w.as(role).get('/ogc/collections/cameras').expect(200)).body.extent.spatial.bbox;
      expected.forEach((x, i) => expect(bbox[i]).toBeCloseTo(x, 6));
    };
    await extent('public', [120.202, 22.992, 120.225, 22.995]); // not the internal camera's 22.998
    await extent('officer', [120.202, 22.992, 120.209, 22.998]); // precinct P1 only
  });

  it('gives a JSON Schema of the features, typed from the registry and cut to the role', async () => {
    const c = (await w.as('public').get('/ogc/collections/cameras').expect(200)).body;
    const link = c.links.find((l: Link) => l.rel.toLowerCase() === 'describedby');
    expect(link.type).toBe('application/schema+json');
    const res = await w.as('public').get(local(link.href)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    const props = res.body.properties.properties.properties;
    expect(props.fov).toMatchObject({ type: 'number', title: '水平視角（度）' });
    expect(props.lpr.type).toBe('boolean');
    expect(props.owner_kind.enum).toContain('police');
    expect(props).not.toHaveProperty('contact');
    const admin = (await w.as('admin').get('/ogc/collections/cameras/schemas/feature').expect(200)).body.properties.properties.properties;
    expect(admin).toHaveProperty('contact');
    const incidents = (await w.as('admin').get('/ogc/collections/incidents/schemas/feature').expect(200)).body;
    expect(incidents.properties.properties.properties.occurred_at).toMatchObject({ type: 'string', format: 'date-time' });
  });
});

describe('OGC API – Features: items', () => {
  it('pages by the next link, every feature exactly once, numberMatched on every page', async () => {
    let next: string | undefined = '/ogc/collections/incidents/items?limit=10';
    const seen: number[] = [];
    const sizes: number[] = [];
    while (next) {
      const page: { headers: Record<string, string>; body: { numberMatched: number; numberReturned: number; timeStamp: string; features: { id: number }[]; links: Link[] } } =
        await w.as('admin').get(next).expect(200);
      expect(page.headers['content-type']).toMatch(/^application\/geo\+json/);
      expect(page.body).toMatchObject({ type: 'FeatureCollection', numberMatched: 25, numberReturned: page.body.features.length });
      expect(Date.parse(page.body.timeStamp)).not.toBeNaN();
      expect(local(href(page.body.links, 'self'))).toBe(next);
      expect(local(href(page.body.links, 'collection'))).toBe('/ogc/collections/incidents');
      seen.push(...page.body.features.map((f) => f.id));
      sizes.push(page.body.numberReturned);
      const n = href(page.body.links, 'next');
      next = n ? local(n) : undefined;
      if (next) expect(new URL(n!).searchParams.get('limit')).toBe('10');
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(seen).not.toContain(deletedIncident);
  });

  it('serves 100 features by default and takes a limit above 10000 as 10000', async () => {
    expect((await items('admin', '')).body.numberReturned).toBe(25);
    const big = await items('admin', 'limit=20000');
    expect(big.body.numberReturned).toBe(25);
    expect(href(big.body.links, 'next')).toBeUndefined();
  });

  it('filters by bbox, also given as a 3D box', async () => {
    expect(await matched('bbox=120.2005,22.99,120.2055,23.0')).toBe(4); // 120.202 … 120.205
    expect(await matched('bbox=120.2005,22.99,-50,120.2055,23.0,3000')).toBe(4);
    expect(await matched('bbox=120.2005,22.99,120.2055,22.994')).toBe(0);
    expect(await matched('bbox=120.2005,22.99,120.2055,23.0&limit=2')).toBe(4);
  });

  it('filters by datetime: instants, closed and half-open intervals, dates as whole days', async () => {
    expect(await matched('datetime=2026-03-05T00:00:00%2B08:00/2026-03-09T00:00:00%2B08:00')).toBe(5); // both ends included
    expect(await matched('datetime=2026-03-10T00:00:00%2B08:00/..')).toBe(17); // 03-10 … 03-26
    expect(await matched('datetime=../2026-03-05T12:00:00%2B08:00')).toBe(4); // 03-02 … 03-05
    expect(await matched('datetime=../2026-03-05')).toBe(4); // the end date counts whole
    expect(await matched('datetime=2026-03-07')).toBe(1);
    expect(await matched('datetime=2026-03-06T16:00:00Z')).toBe(1); // 03-07 00:00 in Taiwan
    expect(await matched('datetime=2026-03-07T00:00:00%2B08:00/')).toBe(20); // an empty end is open too
    expect(await matched('datetime=../2026-03-05T12:00:00%2B08:00&bbox=120.2005,22.99,120.2035,23.0')).toBe(2);
  });

  it('lets datetime match every feature of a collection without time (OGC 17-069r4, 25 C)', async () => {
    expect(await matched('datetime=2026-03-01/2026-03-02', 'public', 'cameras')).toBe(2);
    await w.as('public').get('/ogc/collections/cameras/items?datetime=soon').expect(400);
  });

  it('filters by properties as /api does', async () => {
    expect(await matched('type=scooter_theft')).toBe(25);
    expect(await matched('type=drugs,scooter_theft&datetime=2026-03-07')).toBe(1);
    expect(await matched('type=drugs')).toBe(0);
    expect(await matched('owner_kind=police&is_public=true', 'admin', 'cameras')).toBe(2);
    // GDAL writes `-where "is_public = 1"` as is_public=1: 1/0 are true/false, in any case.
    expect(await matched('is_public=1', 'admin', 'cameras')).toBe(2);
    expect(await matched('is_public=0', 'admin', 'cameras')).toBe(1);
    expect(await matched('is_public=TRUE', 'admin', 'cameras')).toBe(2);
    await w.as('admin').get('/ogc/collections/cameras/items?is_public=2').expect(400);
  });

  it('winds polygon rings as RFC 7946 says (exterior counter-clockwise, holes clockwise), however they were stored', async () => {
    // A block stored clockwise, with a clockwise hole: what a shapefile (the ESRI convention) gives.
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      INSERT INTO watch_blocks (name, adopter, adopter_kind, geom) VALUES ('順時針', '社區', 'community', ST_Multi(ST_GeomFromText(
        'POLYGON((120.201 22.991, 120.201 22.994, 120.204 22.994, 120.204 22.991, 120.201 22.991),
                 (120.202 22.992, 120.202 22.993, 120.203 22.993, 120.203 22.992, 120.202 22.992))', 4326)));
      SELECT set_config('app.actor', '', false);`);
    const signedArea = (ring: number[][]) => ring.reduce((a, [x1, y1], i) => { const [x2, y2] = ring[(i + 1) % ring.length]!; return a + x1! * y2! - x2! * y1!; }, 0) / 2;
    for (const url of ['/ogc/collections/watch-blocks/items?limit=100', '/api/layers/watch-blocks/features?limit=100', '/api/layers/beats/features?limit=100']) {
      const { body } = await w.as('admin').get(url).expect(200);
      const polygons = body.features.flatMap((f: { geometry: { coordinates: number[][][][] } }) => f.geometry.coordinates);
      expect(polygons.length, url).toBeGreaterThan(0);
      for (const [outer, ...holes] of polygons) {
        expect(signedArea(outer), url).toBeGreaterThan(0);
        for (const hole of holes) expect(signedArea(hole), url).toBeLessThan(0);
      }
    }
    const block = (await w.as('admin').get('/api/layers/watch-blocks/features?limit=100').expect(200)).body.features.find((f: { properties: { name: string } }) => f.properties.name === '順時針');
    expect(block.geometry.coordinates[0]).toHaveLength(2);
    // Sent back as read, it is no change: the same ETag, no new version.
    const read = await w.as('admin').get(`/api/layers/watch-blocks/features/${block.id}`).expect(200);
    const back = await w.as('admin').patch(`/api/layers/watch-blocks/features/${block.id}`).set('If-Match', String(read.headers.etag)).send({ geometry: read.body.geometry }).expect(200);
    expect(back.headers.etag).toBe(read.headers.etag);
  });

  it('serves one feature with links and an ETag; unknown, malformed and deleted ids are 404', async () => {
    const list = await items('admin', 'limit=1');
    const id = list.body.features[0].id;
    const item = await w.as('admin').get(`/ogc/collections/incidents/items/${id}`).expect(200);
    expect(item.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(item.body).toMatchObject({ type: 'Feature', id, geometry: { type: 'Point' }, properties: { type: 'scooter_theft' } });
    expect(local(href(item.body.links, 'self'))).toBe(`/ogc/collections/incidents/items/${id}`);
    expect(local(href(item.body.links, 'collection'))).toBe('/ogc/collections/incidents');
    await w.as('admin').get(`/ogc/collections/incidents/items/${id}`).set('If-None-Match', item.headers.etag!).expect(304);
    for (const missing of ['999999', 'abc', '0', String(deletedIncident)]) {
      const res = await w.as('admin').get(`/ogc/collections/incidents/items/${missing}`).expect(404);
      expect(res.body.error).toMatchObject({ code: 'feature_unknown', message: `案件沒有編號 ${missing} 的資料（可能已刪除，或不在你能讀取的範圍）。` });
    }
  });
});

describe('OGC API – Features: roles', () => {
  it('answers a collection the role may not read exactly like an unknown one, on every path', async () => {
    const { body: unknown } = await w.as('public').get('/ogc/collections/no-such').expect(404);
    expect(unknown.error).toEqual({ code: 'layer_unknown', message: '沒有「no-such」這個圖層，或你的帳號不能讀取它；可用的圖層列在 GET /ogc/collections。' });
    for (const hidden of ['incidents', 'key-places', 'drone-surveys', 'visits']) {
      for (const path of ['', '/items', '/items/1', '/schemas/feature']) {
        const res = await w.as('public').get(`/ogc/collections/${hidden}${path}`).expect(404);
        expect(res.body).toEqual({ error: { ...unknown.error, message: unknown.error.message.replace('no-such', hidden) } });
      }
    }
    await w.as('community').get('/ogc/collections/incidents/items').expect(404);
    await w.as('admin').get('/ogc/collections/visits').expect(404); // no geometry: not a collection
  });

  it('serves only the rows and properties the role may read', async () => {
    expect(await names('public')).toEqual(['公開', '公開二']);
    expect(await names('community')).toEqual(['公開', '公開二']); // what the public reads, and no internal camera
    expect(await names('officer')).toEqual(['內部', '公開']); // precinct P1
    expect(await names('admin')).toEqual(['內部', '公開', '公開二']);
    const all = (await items('admin', '', 'cameras')).body.features as { id: number; properties: { name: string } }[];
    const idOf = (name: string) => all.find((f) => f.properties.name === name)!.id;
    const shown = await w.as('public').get(`/ogc/collections/cameras/items/${idOf('公開')}`).expect(200);
    expect(shown.body.geometry).toEqual({ type: 'Point', coordinates: [120.202, 22.992] });
    expect(shown.body.properties).not.toHaveProperty('contact');
    const asAdmin = await w.as('admin').get(`/ogc/collections/cameras/items/${idOf('公開')}`).expect(200);
    expect(asAdmin.body.properties.contact).toBe('王里長 0912-000-000');
    await w.as('public').get(`/ogc/collections/cameras/items/${idOf('內部')}`).expect(404);
    await w.as('community').get(`/ogc/collections/cameras/items/${idOf('內部')}`).expect(404);
    await w.as('community').get(`/ogc/collections/cameras/items/${idOf('公開二')}`).expect(200);
    // A filter on a property the role may not read is unknown to it.
    const res = await w.as('public').get('/ogc/collections/cameras/items?contact=x').expect(400);
    expect(res.body.error.field).toBe('contact');
  });
});

describe('OGC API – Features: errors and links', () => {
  it.each([
    ['/ogc/collections/incidents/items?bbox=1,2,3', 'bbox', 'bbox_format'],
    ['/ogc/collections/incidents/items?bbox=1,2,3,4,5', 'bbox', 'bbox_format'],
    ['/ogc/collections/incidents/items?bbox=120.3,22.9,120.2,23.0', 'bbox', 'bbox_antimeridian'],
    ['/ogc/collections/incidents/items?bbox=22.99,120.2,23.0,120.21', 'bbox', 'bbox_out_of_range'],
    ['/ogc/collections/incidents/items?limit=0', 'limit', 'limit_out_of_range'],
    ['/ogc/collections/incidents/items?limit=ten', 'limit', 'limit_out_of_range'],
    ['/ogc/collections/incidents/items?limit=2.5', 'limit', 'limit_out_of_range'],
    ['/ogc/collections/incidents/items?datetime=soon', 'datetime', 'datetime_format'],
    ['/ogc/collections/incidents/items?datetime=2026', 'datetime', 'datetime_format'],
    ['/ogc/collections/incidents/items?datetime=2026-02-30', 'datetime', 'datetime_format'],
    ['/ogc/collections/incidents/items?datetime=0000-01-01', 'datetime', 'datetime_year'],
    ['/ogc/collections/incidents/items?datetime=2026-03-01T08:00:00%2B15:00', 'datetime', 'datetime_offset'],
    ['/ogc/collections/incidents/items?datetime=2026-03-01/2026-03-02/2026-03-03', 'datetime', 'datetime_interval'],
    ['/ogc/collections/incidents/items?cursor=bogus', 'cursor', 'cursor_invalid'],
    ['/ogc/collections/incidents/items?type=arson', 'type', 'filter_not_a_choice'],
    ['/ogc/collections/incidents/items?colour=red', 'colour', 'unknown_parameter'],
    ['/ogc/collections?f=html', 'f', 'ogc_format'],
    ['/ogc/collections/incidents/items?f=geojson', 'f', 'ogc_format'],
  ])('%s → 400 naming %s', async (path, field, code) => {
    const res = await w.as('admin').get(path).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toMatchObject({ code, field });
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('says that only JSON is served', async () => {
    const res = await w.as('admin').get('/ogc/collections?f=html').expect(400);
    expect(res.body.error.message).toBe('本服務只提供 JSON：「f」只能是 json，不能是「html」；請拿掉 f，或改為 f=json。');
  });

  it('takes a 3D bbox by its footprint, as OGC API Features allows', async () => {
    const flat = await items('admin', 'bbox=120.2,22.99,120.21,23.0&limit=1000');
    const solid = await items('admin', 'bbox=120.2,22.99,-10,120.21,23.0,100&limit=1000');
    expect(flat.body.numberMatched).toBeGreaterThan(0);
    expect(solid.body.numberMatched).toBe(flat.body.numberMatched);
  });

  it('accepts f=json', async () => {
    await w.as('public').get('/ogc?f=json').expect(200);
    expect((await items('admin', 'f=json&limit=1')).body.numberReturned).toBe(1);
  });

  it('keeps answers for different callers apart in shared caches', async () => {
    const pub = await w.as('public').get('/ogc/collections/cameras/items').expect(200);
    expect(pub.headers['cache-control']).toBe('public, max-age=60');
    expect(pub.headers.vary).toMatch(/Authorization/);
    const admin = await w.as('admin').get('/ogc/collections/cameras/items').expect(200);
    expect(admin.headers['cache-control']).toBe('private, no-cache');
  });

  it('answers an unknown path under /ogc with the JSON 404', async () => {
    const res = await w.as('public').get('/ogc/tiles').expect(404);
    expect(res.body.error.code).toBe('no_such_endpoint');
  });

  it('builds links for the address a proxy on loopback was asked for', async () => {
    const res = await w.as('admin').get('/ogc/collections/incidents/items?limit=10')
      .set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'emap.police.example').expect(200);
    expect(href(res.body.links, 'self')).toBe('https://emap.police.example/ogc/collections/incidents/items?limit=10');
    expect(href(res.body.links, 'next')).toMatch(/^https:\/\/emap\.police\.example\/ogc\/collections\/incidents\/items\?limit=10&cursor=/);
  });
});
