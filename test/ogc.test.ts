import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorld, type World } from './support/world.js';

/** OGC API – Features as QGIS and GDAL use it: absolute links, paging by `next`, role-aware. */
let w: World;
/** supertest serves each request on a new port: links are checked as http://127.0.0.1:<port>/… */
const ORIGIN = /^http:\/\/127\.0\.0\.1:\d+/;
const CORE = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core';

beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`
    SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO incidents (type, occurred_at, source, geom)
      SELECT 'scooter_theft', timestamptz '2026-03-01 00:00+08' + make_interval(days => i), 'report',
             ST_SetSRID(ST_MakePoint(120.201 + i * 0.001, 22.995), 4326)
        FROM generate_series(1, 25) i;
    INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, geom) VALUES
      ('公開', 0, 90, 30, 'police', true, ST_SetSRID(ST_MakePoint(120.202, 22.992), 4326)),
      ('內部', 0, 90, 30, 'police', false, ST_SetSRID(ST_MakePoint(120.203, 22.993), 4326));
    SELECT set_config('app.actor', '', false);
  `);
});
afterAll(async () => { await w?.close(); });

const href = (links: { rel: string; href: string }[], rel: string) => links.find((l) => l.rel === rel)?.href;
/** The path and query of an absolute link, to follow it through supertest. */
const local = (absolute: string) => {
  expect(absolute).toMatch(ORIGIN);
  return absolute.replace(ORIGIN, '');
};

describe('OGC API – Features', () => {
  it('has a landing page, an API definition and conformance, all linked absolutely', async () => {
    const landing = await w.as('public').get('/ogc').expect(200);
    expect(landing.body.title).toBe('社區治安電子地圖');
    for (const rel of ['self', 'service-desc', 'conformance', 'data']) expect(href(landing.body.links, rel), rel).toMatch(ORIGIN);
    const conf = await w.as('public').get(local(href(landing.body.links, 'conformance')!)).expect(200);
    expect(conf.body.conformsTo).toEqual(expect.arrayContaining([CORE, 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson']));
    const api = await w.as('public').get(local(href(landing.body.links, 'service-desc')!)).expect(200);
    expect(api.body.openapi).toMatch(/^3\.0/);
    expect(Object.keys(api.body.paths)).toContain('/collections/{collectionId}/items');
  });

  it('lists the collections a role may read, with extents', async () => {
    const ids = async (role: Parameters<World['as']>[0]) =>
      (await w.as(role).get('/ogc/collections').expect(200)).body.collections.map((c: { id: string }) => c.id).sort();
    expect(await ids('public')).toEqual(['beats', 'cameras', 'precincts', 'stations', 'watch-blocks']);
    expect(await ids('admin')).toEqual(['beats', 'cameras', 'drone-surveys', 'incidents', 'key-places', 'precincts', 'stations', 'watch-blocks']);
    const incidents = (await w.as('admin').get('/ogc/collections/incidents').expect(200)).body;
    expect(incidents).toMatchObject({ id: 'incidents', title: '案件', itemType: 'feature' });
    const [bbox] = incidents.extent.spatial.bbox;
    expect(bbox[0]).toBeCloseTo(120.202, 6);
    expect(bbox[2]).toBeCloseTo(120.226, 6);
    expect(incidents.extent.temporal.interval[0][0]).toMatch(/^2026-03-02T00:00:00\+08:00$/);
    expect(incidents.extent.temporal.interval[0][1]).toMatch(/^2026-03-26/);
    expect(local(href(incidents.links, 'items')!)).toBe('/ogc/collections/incidents/items');
  });

  it('pages through items by the next link, each feature once, with numberMatched', async () => {
    let next: string | undefined = '/ogc/collections/incidents/items?limit=10';
    const seen: number[] = [];
    let pages = 0;
    while (next) {
      const page: { headers: Record<string, string>; body: { numberMatched: number; numberReturned: number; timeStamp: string; features: { id: number }[]; links: { rel: string; href: string }[] } } =
        await w.as('admin').get(next).expect(200);
      expect(page.headers['content-type']).toMatch(/^application\/geo\+json/);
      expect(page.body.numberMatched).toBe(25);
      expect(page.body.numberReturned).toBe(page.body.features.length);
      expect(Date.parse(page.body.timeStamp)).not.toBeNaN();
      seen.push(...page.body.features.map((f) => f.id));
      const n = href(page.body.links, 'next');
      next = n ? local(n) : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
  });

  it('filters by bbox and datetime', async () => {
    const inBox = await w.as('admin').get('/ogc/collections/incidents/items?bbox=120.2005,22.99,120.2055,23.0').expect(200);
    expect(inBox.body.numberMatched).toBe(4); // 120.202 … 120.205
    const inTime = await w.as('admin').get('/ogc/collections/incidents/items?datetime=2026-03-10T00:00:00%2B08:00/..').expect(200);
    expect(inTime.body.numberMatched).toBe(25 - 8); // 3-02 … 3-09 are before
    const both = await w.as('admin').get('/ogc/collections/incidents/items?bbox=120.2005,22.99,120.2105,23.0&datetime=../2026-03-05T12:00:00%2B08:00').expect(200);
    expect(both.body.numberMatched).toBe(4);
  });

  it('serves one item with links; an unknown or hidden one is 404', async () => {
    const list = await w.as('admin').get('/ogc/collections/cameras/items').expect(200);
    const hidden = list.body.features.find((f: { properties: { name: string } }) => f.properties.name === '內部');
    const shown = list.body.features.find((f: { properties: { name: string } }) => f.properties.name === '公開');
    const item = await w.as('public').get(`/ogc/collections/cameras/items/${shown.id}`).expect(200);
    expect(item.body).toMatchObject({ type: 'Feature', id: shown.id, geometry: { type: 'Point', coordinates: [120.202, 22.992] } });
    expect(item.body.properties).not.toHaveProperty('contact');
    expect(local(href(item.body.links, 'collection')!)).toBe('/ogc/collections/cameras');
    await w.as('public').get(`/ogc/collections/cameras/items/${hidden.id}`).expect(404);
    const publicList = await w.as('public').get('/ogc/collections/cameras/items').expect(200);
    expect(publicList.body.features.map((f: { id: number }) => f.id)).toEqual([shown.id]);
  });

  it('answers like an unknown collection for what the role may not read', async () => {
    const hidden = await w.as('public').get('/ogc/collections/incidents/items').expect(404);
    const unknown = await w.as('public').get('/ogc/collections/no-such/items').expect(404);
    expect(hidden.body.error.message).toBe(unknown.body.error.message.replace('no-such', 'incidents'));
    await w.as('admin').get('/ogc/collections/visits').expect(404); // no geometry: not a collection
  });

  it.each([
    ['/ogc/collections/incidents/items?bbox=1,2,3', 'bbox'],
    ['/ogc/collections/incidents/items?limit=0', 'limit'],
    ['/ogc/collections/incidents/items?datetime=soon', 'datetime'],
    ['/ogc/collections?f=html', 'f'],
    ['/ogc/collections/incidents/items/abc', 'id'],
  ])('%s → 400 naming %s', async (path, field) => {
    const res = await w.as('admin').get(path).expect(400);
    expect(res.body.error.field).toBe(field);
  });
});
