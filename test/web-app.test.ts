import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.js';
import type { PropertyInfo } from '../web/src/app/registry.js';
import { limitText } from '../web/src/edit/feature-form.js';
import { openWorld, type World } from './support/world.js';

/**
 * What the service does for the web app, over HTTP: the built app at `/` and its pages, the
 * page's content security policy, the app's configuration, the search box, and the hour and
 * weekday filters the map's filter panel sends.
 */
let w: World;
beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`
    SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO key_places (name, address, category, geom) VALUES
      ('夜貓KTV', '臺南市中西區民族路100號', 'ktv', ST_SetSRID(ST_MakePoint(120.205, 22.995), 4326)),
      ('100%空屋', '臺南市中西區府前路1號', 'vacant_house', ST_SetSRID(ST_MakePoint(120.225, 22.995), 4326));
    INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, geom) VALUES
      ('民族路口公開', 0, 90, 30, 'police', true, ST_SetSRID(ST_MakePoint(120.206, 22.996), 4326)),
      ('民族路口私人', 0, 90, 30, 'private', false, ST_SetSRID(ST_MakePoint(120.207, 22.996), 4326));
    INSERT INTO incidents (type, occurred_at, geom)
      SELECT 'drugs', timestamptz '2026-03-02 00:00:00+08' + make_interval(hours => i * 5), ST_SetSRID(ST_MakePoint(120.205, 22.995), 4326)
        FROM generate_series(0, 99) i;
    SELECT set_config('app.actor', '', false);`);
});
afterAll(async () => { await w?.close(); });

describe('the web app at /', () => {
  it('serves index.html for the app\'s pages, never cached, with a policy that allows only this origin', async () => {
    for (const page of ['/', '/briefing?beat=B1', '/community']) {
      const res = await request(w.app).get(page).set('Accept', 'text/html').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<div id="app">');
      // The page's frame shows at once, before any script has run: the header and the map's ground.
      expect(res.text).toMatch(/class="boot-header">社區治安電子地圖</);
      expect(res.text).toContain('地圖載入中');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain(`default-src 'self'`);
      expect(csp).toContain(`connect-src 'self';`);
    }
    // Built assets are named by their content and kept for a year.
    const index = (await request(w.app).get('/').set('Accept', 'text/html')).text;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const asset = await request(w.app).get(script).expect(200);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    await request(w.app).get('/assets/no-such-file.js').expect(404);
  });

  it('sends the app\'s code precompressed, brotli before gzip, and compresses API answers', async () => {
    const server = createServer(w.app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    /** The raw answer, not decoded (fetch and supertest would undo the compression). */
    const raw = (path: string, encoding: string) => new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, headers: { 'Accept-Encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
      }).on('error', reject);
    });
    try {
      const index = (await request(w.app).get('/').set('Accept', 'text/html')).text;
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
      const plain = await raw(script, 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      // Chrome lists gzip first; brotli is still chosen, being smaller.
      const br = await raw(script, 'gzip, deflate, br, zstd');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toMatch(/javascript/);
      expect(br.headers.vary).toBe('Accept-Encoding');
      expect(br.headers['cache-control']).toMatch(/immutable/);
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      expect(br.body.length).toBeLessThan(plain.body.length / 2);
      const gz = await raw(script, 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      // An API answer over 1 kB is gzipped on the way out.
      const layers = await raw('/api/layers', 'gzip');
      expect(layers.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(layers.body).toString('utf8')).layers.length).toBeGreaterThan(5);
    } finally {
      server.close();
    }
  });

  it('leaves the API its own answers: an unknown endpoint is a JSON 404, not the page', async () => {
    for (const path of ['/api/nope', '/ogc/nope', '/tiles/cameras/1/2/3.pbf']) {
      const res = await request(w.app).get(path).set('Accept', 'text/html').expect(404);
      expect(res.body.error.code, path).toBe('no_such_endpoint');
    }
  });

  it('says so when the app has not been built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'emap-web-'));
    try {
      const app = createApp({ db: w.db, webDist: empty });
      const res = await request(app).get('/').set('Accept', 'text/html').expect(503);
      expect(res.text).toContain('npm run build:web');
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('offers no basemap unless one is configured (test/basemaps.test.ts for presets and archives)', async () => {
    const plain = await request(w.app).get('/api/app-config').expect(200);
    expect(plain.body).toMatchObject({ basemaps: [], defaultBasemap: null });
    expect(plain.body.extent).toEqual([120.2, 22.99, 120.23, 23]);
  });
});

describe('search (test/search.test.ts holds it to the real ground of 桃園)', () => {
  type Hit = { kind: string; layer: string; name: string; label: string; code?: string; matched?: { property: string; value: string }; bbox: number[] };
  const search = (role: Parameters<World['as']>[0], q: string) => w.as(role).get(`/api/search?q=${encodeURIComponent(q)}`).expect(200).then((r) => r.body.results as Hit[]);
  const names = (hits: Hit[]) => hits.map((h) => h.name);

  it('finds beats by code, exact matches first, with their station and a box to fit the map to', async () => {
    const hits = await search('public', 'B1');
    expect(hits[0]).toMatchObject({ kind: 'beat', layer: 'beats', code: 'B1', name: '第1警勤區', label: 'B1・東門派出所', bbox: [120.2, 22.99, 120.21, 23] });
  });

  it('finds key places by address for the police, and never for the public or a community account', async () => {
    expect(names(await search('planner', '民族路'))).toEqual(expect.arrayContaining(['夜貓KTV', '民族路口公開', '民族路口私人']));
    const officer = await search('officer', '民族路100號');
    expect(officer).toEqual([expect.objectContaining({ kind: 'feature', layer: 'key-places', name: '夜貓KTV', label: '治安重點處所', matched: { property: 'address', value: '臺南市中西區民族路100號' } })]);
    // The public finds the public camera only; a community account reads at least what the public reads.
    expect(names(await search('public', '民族路'))).toEqual(['民族路口公開']);
    expect(names(await search('community', '民族路'))).toEqual(['民族路口公開']);
    expect(names(await search('community', 'B1'))).toEqual(['第1警勤區']);
    // A planner of P1 does not find P2's places.
    expect(await search('planner', '府前路')).toEqual([]);
  });

  it('takes % and _ as letters, and 台 as 臺', async () => {
    expect(names(await search('admin', '100%'))).toEqual(['100%空屋']);
    expect(await search('admin', '_')).toEqual([]);
    expect(names(await search('officer', '台南市中西區民族路'))).toEqual(['夜貓KTV']);
  });

  it.each([['', 'q'], ['x'.repeat(101), 'q']])('refuses q=%s', async (q, field) => {
    const res = await w.as('admin').get(`/api/search?q=${q}`).expect(400);
    expect(res.body.error.field).toBe(field);
  });
});

describe('hour and weekday filters', () => {
  const count = async (query: string) => (await w.as('admin').get(`/api/layers/incidents/features?limit=1&${query}`).expect(200)).body.numberMatched as number;
  const sql = async (where: string) => (await w.db.query<{ n: number }>(`SELECT count(*)::int n FROM incidents WHERE ${where}`)).rows[0]!.n;
  const local = (part: string) => `EXTRACT(${part} FROM occurred_at AT TIME ZONE 'Asia/Taipei')`;

  it('keeps the hours and weekdays asked for, in Taiwan time, wrapping past midnight', async () => {
    expect(await count('hour=22-2')).toBe(await sql(`${local('hour')} IN (22, 23, 0, 1, 2)`));
    expect(await count('hour=22-2')).toBeGreaterThan(0);
    expect(await count('hour=8,12-13')).toBe(await sql(`${local('hour')} IN (8, 12, 13)`));
    expect(await count('weekday=6,7')).toBe(await sql(`${local('isodow')} IN (6, 7)`));
    expect(await count('weekday=sat,sun')).toBe(await count('weekday=6,7'));
    expect(await count('weekday=1-5&hour=9-17')).toBe(await sql(`${local('isodow')} BETWEEN 1 AND 5 AND ${local('hour')} BETWEEN 9 AND 17`));
    expect(await count('hour=0-23')).toBe(100);
  });

  it.each([
    ['incidents', 'hour=24', 'hour'], ['incidents', 'hour=a-b', 'hour'], ['incidents', 'hour=1-', 'hour'],
    ['incidents', 'weekday=0', 'weekday'], ['incidents', 'weekday=8', 'weekday'],
    ['cameras', 'hour=1', 'hour'],
  ])('%s?%s → 400 naming %s', async (layer, query, field) => {
    const res = await w.as('admin').get(`/api/layers/${layer}/features?${query}`).expect(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(field === 'hour' && layer === 'cameras' ? /沒有時間欄位/ : /必須是 (0 到 23|1（星期一）到 7)/);
  });
});

describe('the layer registry for the app', () => {
  it('gives each layer its legend colours, form details and searchable properties', async () => {
    const { layers } = (await w.as('planner').get('/api/layers').expect(200)).body as { layers: Record<string, unknown>[] };
    const cameras = layers.find((l) => l.id === 'cameras')! as { legend: { fill: { entries: { value: string; colour: string }[] } }; properties: { name: string; min?: number; max?: number }[]; search: string[] };
    expect(cameras.legend.fill.entries.map((e) => e.value)).toEqual(['working', 'broken', 'offline']);
    expect(cameras.properties.find((p) => p.name === 'range_m')).toMatchObject({ min: 0, max: 1000 });
    expect(cameras.search).toEqual(['name']);
    // The officer may change a camera's status only, and is told so.
    const officer = (await w.as('officer').get('/api/layers').expect(200)).body.layers.find((l: { id: string }) => l.id === 'cameras');
    expect(officer.writableFields).toEqual(['status']);
  });

  it('lets a form say each field\'s limit in the unit its label names', async () => {
    const { layers } = (await w.as('planner').get('/api/layers').expect(200)).body as { layers: { id: string; properties: PropertyInfo[] }[] };
    const prop = (layer: string, name: string) => layers.find((l) => l.id === layer)!.properties.find((p) => p.name === name)!;
    expect(limitText(prop('drone-surveys', 'altitude_m'))).toBe('大於 0，上限 120 公尺');
    expect(limitText(prop('cameras', 'range_m'))).toBe('大於 0，上限 1000 公尺');
    expect(limitText(prop('cameras', 'install_year'))).toBe(`1990–${new Date().getFullYear()}`);
    expect(limitText(prop('watch-blocks', 'patrol_hours'))).toBe('上限 120 字');
    expect(limitText(prop('cameras', 'status'))).toBeNull();
  });
});
