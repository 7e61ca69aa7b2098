import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../server/app.js';
import { openBasemaps, type Basemaps } from '../server/basemaps/catalogue.js';
import { LABEL_FONTS } from '../server/tiles/style.js';
import { startTsx } from '../scripts/lib/child.js';
import { binary, decodeTile } from './support/mvt.js';
import { solidPng, streetTile, tileId, writeMbtiles, writePmtiles, type ArchiveTile } from './support/tile-archives.js';
import { openWorld, type World } from './support/world.js';

/**
 * Basemaps: presets on the web named by BASEMAP, and local .pmtiles/.mbtiles archives served by
 * the service itself — made here by the tests from the formats' specs, read back byte for byte,
 * and broken on purpose to be refused at start with the file's name and the reason.
 */
let w: World;
let dir: string;
let app: App;
let basemaps: Basemaps;
const log: string[] = [];

// 桃園 at z12 is around x 3419, y 1752; a few tiles there at each zoom, coloured by position.
const rasterTiles: ArchiveTile[] = [10, 11, 12].flatMap((z) => {
  const x0 = Math.floor(((121.3 + 180) / 360) * 2 ** z);
  const y0 = Math.floor(((1 - Math.log(Math.tan((24.99 * Math.PI) / 180) + 1 / Math.cos((24.99 * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
  return [[0, 0], [1, 0], [0, 1], [1, 1]].map(([dx, dy]) => ({ z, x: x0 + dx!, y: y0 + dy!, data: solidPng([z * 20, dx! * 200, dy! * 200]) }));
});
const vectorTiles: ArchiveTile[] = rasterTiles.map((t) => ({ ...t, data: streetTile(`中正路 ${t.z}/${t.x}/${t.y}`) }));
// Two tiles of one column at z1: north (y 0) red, south (y 1) blue, to catch a missing TMS flip.
const flipTiles: ArchiveTile[] = [{ z: 1, x: 0, y: 0, data: solidPng([255, 0, 0], 8) }, { z: 1, x: 0, y: 1, data: solidPng([0, 0, 255], 8) }];

const get = (url: string) => request(app).get(url).buffer(true).parse(binary);
let server: Server;
/** The bytes exactly as sent (supertest inflates gzip on its own). */
const raw = (path: string, headers: Record<string, string>) => new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
  httpGet({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, headers }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
  }).on('error', reject);
});
const valid = (name: string) => join(dir, name);

beforeAll(async () => {
  w = await openWorld();
  dir = mkdtempSync(join(tmpdir(), 'emap-basemaps-'));
  writePmtiles(valid('aerial.pmtiles'), { tileType: 'png', tiles: rasterTiles, leafSize: 3,
    metadata: { name: 'Aerial test', attribution: '<a href="https://example.org/a">© 測試影像</a><script>alert(1)</script><img src=x onerror=alert(2)>' } });
  writePmtiles(valid('streets.pmtiles'), { tileType: 'mvt', tiles: vectorTiles, gzipTiles: true,
    metadata: { name: 'streets', attribution: '© OpenStreetMap contributors', vector_layers: [{ id: 'roads' }, { id: 'water' }, { id: 'buildings' }] } });
  writeFileSync(valid('streets.basemap.json'), JSON.stringify({ title: '桃園街道圖' }));
  writeMbtiles(valid('flip.mbtiles'), { tiles: flipTiles, metadata: { name: '翻轉測試', format: 'png', minzoom: '1', maxzoom: '1', attribution: '© 測試', bounds: '120,22,122,26' } });
  writeMbtiles(valid('parcels.mbtiles'), { tiles: vectorTiles.slice(0, 4), gzipTiles: true,
    metadata: { name: 'parcels', format: 'pbf', json: JSON.stringify({ vector_layers: [{ id: 'roads' }, { id: 'lots' }] }) } });

  // Broken on purpose: each must be refused at start, with its name and the reason.
  const good = writePmtiles(join(tmpdir(), `emap-bm-${process.pid}.pmtiles`), { tileType: 'png', tiles: rasterTiles, metadata: {} });
  writeFileSync(valid('cut.pmtiles'), good.subarray(0, Math.floor(good.length * 0.6)));
  const garbled = Buffer.from(good);
  garbled.fill(0x55, 127, 160); // the root directory
  writeFileSync(valid('garbled.pmtiles'), garbled);
  const mb = readFileSync(valid('flip.mbtiles'));
  writeFileSync(valid('cut.mbtiles'), mb.subarray(0, Math.floor(mb.length / 2)));
  const badMb = Buffer.from(mb);
  badMb.fill(0x55, 100, 4096); // the schema page
  writeFileSync(valid('garbled.mbtiles'), badMb);
  writeFileSync(valid('notes.txt'), 'not an archive');

  basemaps = await openBasemaps({ names: [], files: [dir] }, (line) => log.push(line));
  app = createApp({ db: w.db, basemaps });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await basemaps?.close();
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local archives', () => {
  it('are refused at start, one log line each with the file and the reason, and the others are served', () => {
    const refused = log.filter((l) => l.startsWith('basemap file refused'));
    expect(refused).toHaveLength(4);
    expect(refused.find((l) => l.includes('cut.pmtiles'))).toMatch(/the tile data \(bytes \d+–\d+\) lies beyond the end of the file \(\d+ bytes\): the file is truncated/);
    expect(refused.find((l) => l.includes('garbled.pmtiles'))).toMatch(/directory/);
    expect(refused.find((l) => l.includes('cut.mbtiles'))).toMatch(/header says \d+ pages of \d+ bytes .* the file is truncated/);
    expect(refused.find((l) => l.includes('garbled.mbtiles'))).toMatch(/malformed/);
    for (const l of refused) expect(l).toContain(dir);
    expect(basemaps.files.map((f) => f.name)).toEqual(['aerial', 'flip', 'parcels', 'streets']);
  });

  it('are offered in /api/app-config with kind, tile addresses, zooms and a safe attribution', async () => {
    const res = await request(app).get('/api/app-config').expect(200);
    const base = `http://127.0.0.1:${new URL(res.request.url).port}`;
    const byId = Object.fromEntries((res.body.basemaps as { id: string }[]).map((b) => [b.id, b]));
    expect(Object.keys(byId)).toEqual(['aerial', 'flip', 'parcels', 'streets']);
    expect(byId.aerial).toEqual({
      id: 'aerial', title: 'Aerial test', kind: 'raster', origin: 'file', tileSize: 256, minzoom: 10, maxzoom: 12, bounds: [120, 22, 122, 26],
      tiles: [`${base}/basemaps/aerial/{z}/{x}/{y}.png`],
      attribution: '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">© 測試影像</a>alert(1)',
    });
    expect(byId.streets).toMatchObject({ title: '桃園街道圖', kind: 'vector', attribution: '© OpenStreetMap contributors',
      tiles: [`${base}/basemaps/streets/{z}/{x}/{y}.mvt`], style: `${base}/basemaps/streets/style.json` });
    // With no BASEMAP, the map starts on the first archive.
    expect(res.body.defaultBasemap).toBe('aerial');
  });

  it('serve every raster tile of a PMTiles archive byte for byte, through its leaf directories, with caching headers', async () => {
    for (const t of rasterTiles) {
      const res = await get(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.png`).expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(Buffer.compare(res.body as Buffer, t.data)).toBe(0);
    }
    const t = rasterTiles[5]!;
    const first = await get(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.png`).expect(200);
    expect(first.headers['cache-control']).toBe('public, max-age=3600');
    expect(first.headers.etag).toMatch(/^"[\w-]+-11-\d+-\d+"$/);
    await request(app).get(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.png`).set('If-None-Match', first.headers.etag!).expect(304);
    const head = await request(app).head(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.png`).expect(200);
    expect(Number(head.headers['content-length'])).toBe(t.data.length);
  });

  it('pass a gzipped vector tile on as stored, or inflate it for a client that takes no gzip', async () => {
    for (const t of vectorTiles) {
      const zipped = await raw(`/basemaps/streets/${t.z}/${t.x}/${t.y}.mvt`, { 'Accept-Encoding': 'gzip, deflate' });
      expect(zipped.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      // As stored: the writer's gzip of the tile, byte for byte.
      expect(Buffer.compare(zipped.body, gzipSync(t.data))).toBe(0);
      const plain = await raw(`/basemaps/streets/${t.z}/${t.x}/${t.y}.mvt`, { 'Accept-Encoding': 'identity' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Buffer.compare(plain.body, t.data)).toBe(0);
    }
    const t = vectorTiles[0]!;
    const decoded = decodeTile((await get(`/basemaps/streets/${t.z}/${t.x}/${t.y}.mvt`).expect(200)).body as Buffer);
    expect(decoded.roads![0]!.properties).toEqual({ kind: 'major_road', name: `中正路 ${t.z}/${t.x}/${t.y}` });
  });

  it('read MBTiles rows from the south (TMS) and answer XYZ rows from the north', async () => {
    const north = await get('/basemaps/flip/1/0/0.png').expect(200);
    expect(Buffer.compare(north.body as Buffer, flipTiles[0]!.data)).toBe(0);
    const south = await get('/basemaps/flip/1/0/1.png').expect(200);
    expect(Buffer.compare(south.body as Buffer, flipTiles[1]!.data)).toBe(0);
    expect(north.headers.etag).not.toBe(south.headers.etag);
    // SQLite's lock lives in a private folder, not beside the archive (which may be read-only),
    // so another instance opening the same file reads it too.
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    const other = await openBasemaps({ names: [], files: [valid('flip.mbtiles')] }, () => undefined);
    try {
      expect(Buffer.compare((await other.file('flip')!.archive.tile(1, 0, 1))!.data, flipTiles[1]!.data)).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('serve a gzipped MBTiles vector tile with its encoding', async () => {
    const t = vectorTiles[2]!;
    const res = await raw(`/basemaps/parcels/${t.z}/${t.x}/${t.y}.mvt`, { 'Accept-Encoding': 'gzip, br' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Buffer.compare(gunzipSync(res.body), t.data)).toBe(0);
    expect(Buffer.compare(res.body, gzipSync(t.data))).toBe(0);
  });

  it('answer a missing tile, a wrong extension, bad coordinates and an unknown name with JSON in Chinese', async () => {
    const t = rasterTiles[0]!;
    const missing = await request(app).get(`/basemaps/aerial/${t.z}/${t.x + 5}/${t.y}.png`).expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.body.error).toEqual({ code: 'basemap_tile_missing', message: `底圖「aerial」在 ${t.z}/${t.x + 5}/${t.y} 沒有圖磚（超出它涵蓋的範圍或縮放層級）。` });
    await request(app).get('/basemaps/aerial/9/0/0.png').expect(404);   // below the archive's zooms
    expect((await request(app).get(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.mvt`).expect(404)).body.error.code).toBe('basemap_tile_format');
    for (const bad of ['3/8/0', '25/0/0', 'a/0/0', '3/-1/0', '3/0/99999999999']) {
      const res = await request(app).get(`/basemaps/aerial/${bad}.png`).expect(400);
      expect(res.body.error.code).toBe('basemap_tile_coordinates');
    }
    expect((await request(app).get('/basemaps/nope/1/0/0.png').expect(404)).body.error.code).toBe('basemap_unknown');
    expect((await request(app).get('/basemaps/%E0%A4%A/1/0/0.png').expect(404)).body.error.code).toBe('basemap_unknown');
    // Not the app's page either, whatever the client accepts.
    const page = await request(app).get('/basemaps/nope.json').set('Accept', 'text/html').expect(404);
    expect(page.body.error.code).toBe('basemap_unknown');
  });

  it('describe each archive as TileJSON 3.0.0', async () => {
    const res = await request(app).get('/basemaps/streets.json').expect(200);
    expect(res.body).toMatchObject({
      tilejson: '3.0.0', name: '桃園街道圖', scheme: 'xyz', format: 'pbf', minzoom: 10, maxzoom: 12, bounds: [120, 22, 122, 26],
      center: [121, 24, 10], vector_layers: [{ id: 'roads' }, { id: 'water' }, { id: 'buildings' }],
    });
    expect(res.body.tiles[0]).toMatch(/\/basemaps\/streets\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
    const raster = await request(app).get('/basemaps/flip.json').expect(200);
    expect(raster.body).toMatchObject({ format: 'png', minzoom: 1, maxzoom: 1, name: '翻轉測試' });
    expect(raster.body.vector_layers).toBeUndefined();
  });

  it('draw a vector archive with the template its layer names match, or as outlines, fetching no glyphs or sprite', async () => {
    const streets = (await request(app).get('/basemaps/streets/style.json').expect(200)).body;
    expect(streets.glyphs).toBeUndefined();
    expect(streets.sprite).toBeUndefined();
    expect(streets.sources.basemap).toMatchObject({ type: 'vector', minzoom: 10, maxzoom: 12 });
    const ids = streets.layers.map((l: { id: string }) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['earth', 'water', 'roads', 'buildings', 'places']));   // tiles/styles/protomaps.json
    for (const l of streets.layers) {
      if (l.type !== 'background') expect(l.source).toBe('basemap');
      if (l.type === 'symbol') expect(l.layout['text-font']).toEqual(LABEL_FONTS);
    }
    const parcels = (await request(app).get('/basemaps/parcels/style.json').expect(200)).body;
    expect(parcels.layers.map((l: { id: string }) => l.id)).toEqual(['background', 'roads-lines', 'roads-points', 'lots-lines', 'lots-points']);
    await request(app).get('/basemaps/aerial/style.json').expect(404);
  });
});

describe('hostile archives', () => {
  const refusalOf = async (name: string, write: (path: string) => void): Promise<string> => {
    const d = mkdtempSync(join(tmpdir(), 'emap-hostile-'));
    try {
      write(join(d, name));
      const lines: string[] = [];
      const b = await openBasemaps({ names: [], files: [d] }, (l) => lines.push(l));
      expect(b.files).toHaveLength(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(d, name));
      return lines[0]!;
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  };
  const archive = (o: Partial<Parameters<typeof writePmtiles>[1]> = {}) => writePmtiles(join(tmpdir(), `emap-h-${process.pid}.pmtiles`), { tileType: 'png', tiles: rasterTiles, ...o });

  it('refuse a root directory that claims more entries than its bytes hold', async () => {
    const bytes = archive();
    const rootLength = Number(bytes.readBigUInt64LE(16));
    // An uncompressed root whose count says a billion entries.
    const root = Buffer.from([0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0, 0]);
    const forged = Buffer.concat([bytes.subarray(0, 127), root, Buffer.alloc(Math.max(0, rootLength - root.length)), bytes.subarray(127 + rootLength)]);
    forged[97] = 1; // internal compression: none
    forged.writeBigUInt64LE(BigInt(root.length), 16);
    expect(await refusalOf('count.pmtiles', (p) => writeFileSync(p, forged))).toMatch(/claims more entries than its bytes can hold|metadata/);
  });

  it('refuse header claims past the file or the first 16 KiB, and files that are not archives', async () => {
    const bytes = Buffer.from(archive());
    bytes.writeBigUInt64LE(20_000n, 8);
    expect(await refusalOf('root.pmtiles', (p) => writeFileSync(p, bytes))).toMatch(/root directory .* (not within the first 16384 bytes|beyond the end)/);
    const meta = Buffer.from(archive());
    meta.writeBigUInt64LE(2n ** 40n, 32);
    expect(await refusalOf('meta.pmtiles', (p) => writeFileSync(p, meta))).toMatch(/the metadata .* beyond the end of the file/);
    expect(await refusalOf('text.pmtiles', (p) => writeFileSync(p, 'hello '.repeat(100)))).toMatch(/not a PMTiles archive/);
    expect(await refusalOf('tiny.pmtiles', (p) => writeFileSync(p, 'PMTiles'))).toMatch(/fewer than a PMTiles header/);
    expect(await refusalOf('text.mbtiles', (p) => writeFileSync(p, 'hello '.repeat(100)))).toMatch(/not an SQLite database/);
  });

  it('refuse a tile entry pointing past the tile data, a bad sidecar and a name that cannot be an address', async () => {
    const bytes = Buffer.from(archive());
    bytes.writeBigUInt64LE(10n, 64); // tile data: 10 bytes, so the entries point past it
    expect(await refusalOf('entries.pmtiles', (p) => writeFileSync(p, bytes))).toMatch(/a tile \(bytes \d+–\d+\) lies beyond/);
    expect(await refusalOf('sidecar.pmtiles', (p) => {
      archive();
      writeFileSync(p, readFileSync(join(tmpdir(), `emap-h-${process.pid}.pmtiles`)));
      writeFileSync(p.replace('.pmtiles', '.style.json'), '{"layers": "none"}');
    })).toMatch(/sidecar\.style\.json: layers/);
    expect(await refusalOf('has space.pmtiles', (p) => writeFileSync(p, archive()))).toMatch(/rename the file/);
  });

  it('are read no further than their tile ids allow', () => {
    // The test writer's Hilbert ids against the PMTiles spec's table for z0–z1.
    expect([[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 1, 1], [1, 1, 0]].map(([z, x, y]) => tileId(z!, x!, y!))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('presets', () => {
  const configured = async (names: string[], custom?: { customUrl: string; customAttribution: string }) => {
    const empty = mkdtempSync(join(tmpdir(), 'emap-nofiles-'));
    try {
      const b = await openBasemaps({ names, files: [empty], ...custom }, () => undefined);
      const a = createApp({ db: w.db, basemaps: b });
      const config = (await request(a).get('/api/app-config').expect(200)).body;
      const csp = (await request(a).get('/').set('Accept', 'text/html')).headers['content-security-policy'] as string;
      return { config, csp };
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  };

  it('offer NLSC 通用電子地圖, 正射影像 and OSM by name, with their templates and attributions, and allow exactly their hosts', async () => {
    const { config, csp } = await configured(['nlsc-emap', 'nlsc-photo', 'osm']);
    expect(config.basemaps.map((b: { id: string; title: string; tiles: string[]; maxzoom: number }) => [b.id, b.title, b.tiles[0], b.maxzoom])).toEqual([
      ['nlsc-emap', '臺灣通用電子地圖', 'https://wmts.nlsc.gov.tw/wmts/EMAP/default/GoogleMapsCompatible/{z}/{y}/{x}', 19],
      ['nlsc-photo', '正射影像', 'https://wmts.nlsc.gov.tw/wmts/PHOTO2/default/GoogleMapsCompatible/{z}/{y}/{x}', 19],
      ['osm', '開放街圖（OpenStreetMap）', 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', 19],
    ]);
    expect(config.basemaps[0].attribution).toContain('© 內政部國土測繪中心');
    expect(config.basemaps[2].attribution).toBe('<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener noreferrer">© OpenStreetMap contributors</a>');
    expect(config.defaultBasemap).toBe('nlsc-emap');
    expect(csp).toContain(`img-src 'self' data: blob: https://wmts.nlsc.gov.tw https://tile.openstreetmap.org;`);
    expect(csp).toContain(`connect-src 'self' https://wmts.nlsc.gov.tw https://tile.openstreetmap.org;`);
  });

  it('start on the service\'s own layers when `offline` comes first, and on nothing but them when nothing is configured', async () => {
    const offlineFirst = await configured(['offline', 'osm']);
    expect(offlineFirst.config.defaultBasemap).toBeNull();
    expect(offlineFirst.config.basemaps.map((b: { id: string }) => b.id)).toEqual(['osm']);
    const none = await configured([]);
    expect(none.config).toMatchObject({ basemaps: [], defaultBasemap: null });
    expect(none.csp).toContain(`img-src 'self' data: blob:;`);
    expect(none.csp).toContain(`connect-src 'self';`);
  });

  it('keep BASEMAP_URL as the preset `custom`, and refuse an unknown name with the names there are', async () => {
    const { config, csp } = await configured([], { customUrl: 'https://tiles.example.gov.tw/{z}/{x}/{y}.png', customAttribution: '© 某機關' });
    expect(config.basemaps).toEqual([expect.objectContaining({ id: 'custom', title: '自訂底圖', tiles: ['https://tiles.example.gov.tw/{z}/{x}/{y}.png'], attribution: '© 某機關' })]);
    expect(config.defaultBasemap).toBe('custom');
    expect(csp).toContain(`connect-src 'self' https://tiles.example.gov.tw;`);
    await expect(configured(['google'])).rejects.toThrow('BASEMAP: unknown basemap "google"; choose from offline, nlsc-emap, nlsc-photo, osm');
  });
});

describe('npm start with broken archives', () => {
  it('logs each refused file with the reason, starts, and serves the sound ones', async () => {
    const data = mkdtempSync(join(tmpdir(), 'emap-bm-start-'));
    const server = await startTsx(['server/main.ts'], {
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: data, DATABASE_URL: '', REDIS_URL: '', SEED_DEMO: 'no',
      BASEMAP_FILES: `${valid('cut.pmtiles')},${valid('garbled.mbtiles')},${valid('aerial.pmtiles')}`,
    }, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    try {
      const out = server.output();
      expect(out).toMatch(new RegExp(`basemap file refused .*: ${valid('cut.pmtiles')}: the tile data .* truncated`));
      expect(out).toMatch(new RegExp(`basemap file refused .*: ${valid('garbled.mbtiles')}: .*malformed`));
      expect(out).toContain(`basemap file: aerial (pmtiles, png, z10–12) from ${valid('aerial.pmtiles')}`);
      const url = server.match[1]!;
      const config = (await request(url).get('/api/app-config').expect(200)).body;
      expect(config.basemaps.map((b: { id: string }) => b.id)).toEqual(['aerial']);
      const t = rasterTiles[0]!;
      const tile = await request(url).get(`/basemaps/aerial/${t.z}/${t.x}/${t.y}.png`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(tile.body as Buffer, t.data)).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
      rmSync(data, { recursive: true, force: true });
    }
    // Room for a first start (create and migrate the database) on a loaded machine; not a speed check.
  }, 300_000);
});
