import { deflateRawSync } from 'node:zlib';
import { LAYERS } from '../../server/layers/registry.js';
import type { Role } from '../../server/layers/types.js';
import { dbfHeader, deflated, deflatedRepeat, pointShp, ring, shapefileOf, shpHeader, zipOf, type ZipEntry } from './files.js';

/**
 * The hostile corpus: requests a hostile user (or a careless one) sends, and the answer each
 * must get, as data. It is the specification of issue 14's "no file, request or stalled
 * dependency may take the service down … or overwrite data it should not"; corpus.test.ts runs
 * every case against the service (PGlite, or PostgreSQL + Redis with DATABASE_URL/REDIS_URL)
 * and `npm run bench -- --only hostile` against a running server, measuring its memory.
 *
 * Every case is held to the same three rules besides its own answer:
 *   - no 5xx: the answer is the one given in `expect`, a 4xx with the given error code (and,
 *     for a limit, `error.details.limit` naming its variable) — or 200 for the cases that may write;
 *   - the server still answers GET /api/health with 200 afterwards;
 *   - nothing is written: every layer's rows and versions and the history are unchanged, or,
 *     for `writes: 'adds'`, rows are only added (no existing feature changes).
 *
 * To add a case, append an object to CASES:
 *   {
 *     name: 'kebab-case-name',                     // unique; how reports name it
 *     why: 'what it attacks, in a sentence',
 *     resource: true,                              // an attack on memory or time: the benchmark reports the server's peak RSS
 *     request: async (ctx) => ({ role: 'officer', method: 'POST', path: '/api/import/cameras?dryRun=true',
 *                                body: bytesOrText, contentType: 'application/zip' }),
 *     expect: { status: 413, code: 'archive_too_large', limit: 'IMPORT_MAX_EXPANDED' },
 *   }
 * `ctx.get(role, path)` reads from the service under test (an export, a feature to copy); the
 * world has the demo accounts admin, planner, officer, community and at least one beat, key
 * place, camera and watch block. Build big bodies inside `request`, so they exist only while
 * their case runs. Keep expectations to what the service promises (status, code, limit), so
 * the corpus runs unchanged on the test world and on the demo city.
 */

export interface CaseContext {
  /** GET as a role from the service under test: the body's bytes. */
  get(role: Role, path: string): Promise<Uint8Array>;
}

export interface HostileRequest {
  role: Role;
  method: 'POST' | 'PATCH';
  path: string;
  body: Uint8Array | string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface Expected {
  status: number;
  /** error.code of a refusal. */
  code?: string;
  /** error.details.limit: the variable of the limit that refused it. */
  limit?: string;
  /** What the case may change: nothing (the default), or only add features. */
  writes?: 'nothing' | 'adds';
  /** A further check of the answer's body: what is wrong with it, or undefined. */
  check?: (body: Record<string, any>) => string | undefined;
}

export interface HostileCase {
  name: string;
  why: string;
  /** An attack on the import's memory or time: the benchmark reports the server's peak RSS during it. */
  resource?: boolean;
  request(ctx: CaseContext): Promise<HostileRequest>;
  expect: Expected;
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const json = (x: unknown) => JSON.stringify(x);
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const importing = (role: Role, layer: string, body: Uint8Array | string, contentType: string, query = 'dryRun=true'): HostileRequest =>
  ({ role, method: 'POST', path: `/api/import/${layer}?${query}`, body, contentType });

/** 1 GiB of zeros, deflated once (about 1 MB) and shared by the bombs that need it. */
let zeroGiB: Promise<ZipEntry> | undefined;
const gibOfZeros = () => (zeroGiB ??= deflatedRepeat('zeros', Buffer.alloc(MiB), GiB));

/** A polygon feature of `n` vertices for a layer of shapes. */
const polygonFeature = (n: number) => ({ type: 'Feature', properties: { name: '巨型區塊', adopter: '某里', adopter_kind: 'community' },
  geometry: { type: 'Polygon', coordinates: [ring(n)] } });

/** The first live feature of a layer as the service lists it. */
async function firstFeature(ctx: CaseContext, layer: string): Promise<{ id: number; properties: Record<string, unknown>; geometry: unknown }> {
  const page = JSON.parse(text(await ctx.get('admin', `/api/layers/${layer}/features?limit=1`))) as { features: { id: number; properties: Record<string, unknown>; geometry: unknown }[] };
  if (!page.features[0]) throw new Error(`the world has no ${layer} to attack with`);
  return page.features[0];
}

/** A layer's properties a client may send (the registry's, less the derived ones). */
const writable = (layer: string, properties: Record<string, unknown>) =>
  Object.fromEntries(LAYERS.find((l) => l.id === layer)!.properties.filter((p) => !p.derived && properties[p.name] !== null).map((p) => [p.name, properties[p.name]]));

export const CASES: HostileCase[] = [
  // Issue 14, item 1: one import file kills the service.
  {
    name: 'dbf-claims-100m-records-of-length-0',
    why: 'a zipped Shapefile of a few hundred bytes whose .dbf header claims 100,000,000 records of length 0, sent by the lowest police role as a dry run',
    resource: true,
    request: async () => {
      const { shp, shx } = pointShp([]);
      return importing('officer', 'cameras', shapefileOf({ 'cams.shp': shp, 'cams.shx': shx, 'cams.dbf': dbfHeader({ records: 100_000_000, recordLength: 0 }) }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'zip-of-1-gib-zero-entries',
    why: 'a 3 MB zip of three 1 GiB zero-filled entries, whose directory says so',
    resource: true,
    request: async () => {
      const zeros = await gibOfZeros();
      return importing('admin', 'cameras', zipOf(['a.shp', 'a.shx', 'a.dbf'].map((name) => ({ ...zeros, name }))), 'application/zip');
    },
    expect: { status: 413, code: 'archive_too_large', limit: 'IMPORT_MAX_EXPANDED' },
  },
  {
    name: 'zip-of-1-gib-entries-claiming-1-kb',
    why: 'the same bomb with a directory that claims each entry expands to 1 KB: it is stopped as it passes the size it claims',
    resource: true,
    request: async () => {
      const zeros = await gibOfZeros();
      return importing('admin', 'cameras', zipOf(['a.shp', 'a.shx', 'a.dbf'].map((name) => ({ ...zeros, name, size: 1024 }))), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_archive' },
  },
  {
    name: 'polygon-of-2000001-vertices-import',
    why: 'a GeoJSON watch block of 2,000,001 vertices (48 MB): it froze the embedded database for 83 s',
    resource: true,
    request: async () => importing('admin', 'watch-blocks', json({ type: 'FeatureCollection', features: [polygonFeature(2_000_001)] }), 'application/geo+json'),
    expect: { status: 413, code: 'feature_too_many_vertices', limit: 'MAX_FEATURE_VERTICES' },
  },
  {
    name: 'polygon-of-2000001-vertices-feature-api-post',
    why: 'the same polygon created through the feature API (with a body limit large enough to carry it)',
    resource: true,
    request: async () => ({ role: 'admin', method: 'POST', path: '/api/layers/watch-blocks/features', body: json(polygonFeature(2_000_001)), contentType: 'application/geo+json' }),
    expect: { status: 413, code: 'feature_too_many_vertices', limit: 'MAX_FEATURE_VERTICES' },
  },
  {
    name: 'polygon-of-2000001-vertices-feature-api-patch',
    why: 'the same polygon as the new shape of an existing watch block',
    resource: true,
    request: async (ctx) => {
      const block = await firstFeature(ctx, 'watch-blocks');
      return { role: 'admin', method: 'PATCH', path: `/api/layers/watch-blocks/features/${block.id}`, body: json({ geometry: polygonFeature(2_000_001).geometry }),
        contentType: 'application/json', headers: { 'If-Match': '*' } };
    },
    expect: { status: 413, code: 'feature_too_many_vertices', limit: 'MAX_FEATURE_VERTICES' },
  },
  {
    name: 'csv-of-100000-columns',
    why: 'a CSV whose header has 100,000 columns: it froze the event loop 11–14 s',
    resource: true,
    request: async () => {
      const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
      return importing('admin', 'cameras', `${header}\n${header.replace(/c\d+/g, '1')}\n`, 'text/csv');
    },
    expect: { status: 413, code: 'too_many_columns', limit: 'IMPORT_MAX_COLUMNS' },
  },
  {
    name: 'kmz-holding-a-512-mib-kml',
    why: 'a KMZ whose KML expands to 512 MiB: it ended in a 500',
    resource: true,
    request: async () => {
      const placemark = Buffer.from('<Placemark><name>路口</name><Point><coordinates>120.205,22.995,0</coordinates></Point></Placemark>\n'.repeat(8000));
      const kml = await deflatedRepeat('doc.kml', placemark, 512 * MiB);
      return importing('admin', 'cameras', zipOf([kml]), 'application/vnd.google-earth.kmz', 'dryRun=true&format=kmz');
    },
    expect: { status: 413, code: 'archive_too_large', limit: 'IMPORT_MAX_EXPANDED' },
  },

  // Issue 14, item 5: an import overwrites unrelated features.
  {
    name: 'export-of-another-instance-imported',
    why: 'a CSV exported by another installation, whose feature ids happen to be ids of unrelated features here: its rows are added, nothing here is renamed or moved',
    request: async (ctx) => {
      const csv = text(await ctx.get('admin', '/api/export/key-places?format=csv')).replace(/^\uFEFF/, '');
      const [header, ...rows] = csv.trim().split('\r\n');
      if (!header!.startsWith('id,instance,') || rows.length === 0) throw new Error(`unexpected export: ${header}`);
      const ours = rows[0]!.split(',')[1]!;
      return importing('admin', 'key-places', [header, ...rows.map((r) => r.replace(`,${ours},`, ',0b5f2c1e-7d4a-4c3b-9e8f-1a2b3c4d5e6f,'))].join('\r\n'), 'text/csv', 'source=他機關匯出');
    },
    expect: {
      status: 200, writes: 'adds',
      check: (b) => (b.counts?.update === 0 && b.counts?.unchanged === 0 && b.counts?.create === b.counts?.rows ? undefined : `expected every row added, got ${json(b.counts)}`),
    },
  },
  {
    name: 'ids-without-an-instance',
    why: 'a hand-made CSV whose id column names existing features and moves them 250 km away: without a file that says it is this instance\'s, or match=id, the ids find nothing',
    request: async (ctx) => {
      const place = await firstFeature(ctx, 'key-places');
      return importing('admin', 'key-places', `id,名稱,類別,經度,緯度\r\n${place.id},改名處所,空屋,121.5,25.05\r\n`, 'text/csv', 'dryRun=true');
    },
    expect: { status: 200, check: (b) => (b.counts?.update === 0 && b.counts?.create === 1 ? undefined : `expected the row added, got ${json(b.counts)}`) },
  },
  {
    name: 'unit-with-a-code-taken',
    why: 'a beat created with the code of an existing beat: a 409 in Chinese naming the code, not PostgreSQL\'s duplicate-key text',
    request: async (ctx) => {
      const beat = await firstFeature(ctx, 'beats');
      return { role: 'admin', method: 'POST', path: '/api/layers/beats/features', body: json({ type: 'Feature', properties: writable('beats', beat.properties), geometry: beat.geometry }),
        contentType: 'application/json' };
    },
    expect: { status: 409, code: 'duplicate_code', check: (b) => (/^代碼「.+」已由警勤區/.test(b.error?.message ?? '') ? undefined : `message: ${b.error?.message}`) },
  },

  // Our own: headers that lie, and inputs at every other limit.
  {
    name: 'shx-offsets-past-the-end',
    why: 'a .shx whose entries point past the end of the .shp',
    request: async () => {
      const { shp, shx } = pointShp([[170000, 2540000]]);
      shx.writeInt32BE(1_000_000, 100);
      return importing('admin', 'cameras', shapefileOf({ 'a.shp': shp, 'a.shx': shx, 'a.dbf': dbfHeader({ records: 0, recordLength: 11 }) }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'shp-record-longer-than-the-file',
    why: 'a .shp record whose content length is 2^31 − 1 words',
    request: async () => {
      const { shp } = pointShp([[170000, 2540000]]);
      shp.writeInt32BE(0x7fffffff, 104);
      return importing('admin', 'cameras', shapefileOf({ 'a.shp': shp }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'shp-polygon-with-negative-and-huge-counts',
    why: 'a polygon record claiming −1 parts and 2^31 − 1 points in 60 bytes',
    request: async () => {
      const record = Buffer.alloc(8 + 60);
      record.writeInt32BE(1, 0);
      record.writeInt32BE(30, 4);
      record.writeInt32LE(5, 8);
      record.writeInt32LE(-1, 8 + 36);
      record.writeInt32LE(0x7fffffff, 8 + 40);
      return importing('admin', 'watch-blocks', shapefileOf({ 'a.shp': Buffer.concat([shpHeader(100 + record.length, 5), record]) }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'shp-header-claims-more-than-the-file',
    why: 'a .shp header whose file length is 1 GB',
    request: async () => {
      const { shp } = pointShp([[170000, 2540000]]);
      shp.writeInt32BE(2 ** 29, 24);
      return importing('admin', 'cameras', shapefileOf({ 'a.shp': shp }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'dbf-header-length-past-the-end',
    why: 'a .dbf whose header length (65,535) passes the file, and whose records are not there',
    request: async () => {
      const { shp, shx } = pointShp([[170000, 2540000]]);
      return importing('admin', 'cameras', shapefileOf({ 'a.shp': shp, 'a.shx': shx, 'a.dbf': dbfHeader({ records: 1, recordLength: 11, headerLength: 65535 }) }), 'application/zip');
    },
    expect: { status: 400, code: 'damaged_shapefile' },
  },
  {
    name: 'zip-of-100000-empty-entries',
    why: 'many tiny entries: a directory of 100,000 files',
    resource: true,
    request: async () => {
      const empty = deflated('x', new Uint8Array(0));
      return importing('admin', 'cameras', zipOf(Array.from({ length: 100_000 }, (_, i) => ({ ...empty, name: `f${i}.txt` }))), 'application/zip');
    },
    expect: { status: 413, code: 'archive_too_many_entries', limit: 'IMPORT_MAX_ENTRIES' },
  },
  {
    name: 'zip-directory-counts-more-than-it-holds',
    why: 'an end record that counts 65,535 entries in a directory of one',
    request: async () => {
      const zip = zipOf([deflated('a.shp', Buffer.alloc(10))]);
      zip.writeUInt16LE(0xffff, zip.length - 22 + 8);
      zip.writeUInt16LE(0xffff, zip.length - 22 + 10);
      return importing('admin', 'cameras', zip, 'application/zip');
    },
    expect: { status: 400, code: 'damaged_archive' },
  },
  {
    name: 'zip-entry-in-an-unknown-method',
    why: 'an entry compressed with a method the service does not take (bzip2, 12)',
    request: async () => importing('admin', 'cameras', zipOf([{ ...deflated('a.shp', Buffer.alloc(100)), method: 12 }]), 'application/zip'),
    expect: { status: 400, code: 'unsupported_archive' },
  },
  {
    name: 'zip-entry-encrypted',
    why: 'an entry marked encrypted',
    request: async () => importing('admin', 'cameras', zipOf([{ ...deflated('a.shp', Buffer.alloc(100)), flags: 1 }]), 'application/zip'),
    expect: { status: 400, code: 'unsupported_archive' },
  },
  {
    name: 'json-nested-1000000-deep',
    why: 'arrays nested a million deep: whatever recurses over the parsed document would exhaust the stack',
    resource: true,
    request: async () => importing('admin', 'watch-blocks', `{"type":"FeatureCollection","features":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, 'application/geo+json'),
    expect: { status: 413, code: 'nesting_too_deep', limit: 'IMPORT_MAX_DEPTH' },
  },
  {
    name: 'csv-single-line-of-60-mb',
    why: 'a 60 MB CSV without a line break (under the upload limit)',
    resource: true,
    request: async () => importing('admin', 'cameras', Buffer.alloc(60 * MiB, 0x61), 'text/csv'),
    expect: { status: 413, code: 'line_too_long', limit: 'IMPORT_MAX_LINE' },
  },
  {
    name: 'body-of-100-mb-single-line',
    why: 'a 100 MB single line: over the upload limit, refused by its Content-Length before it is read',
    resource: true,
    request: async () => importing('admin', 'cameras', Buffer.alloc(100 * MiB, 0x61), 'text/csv'),
    expect: { status: 413, code: 'file_too_large', limit: 'IMPORT_BODY_LIMIT' },
  },
  {
    name: 'csv-of-200001-rows',
    why: 'one row more than an import takes',
    resource: true,
    request: async () => importing('admin', 'cameras', `名稱\n${'路口\n'.repeat(200_001)}`, 'text/csv'),
    expect: { status: 413, code: 'too_many_rows', limit: 'IMPORT_MAX_ROWS' },
  },
  {
    name: 'csv-of-too-many-cells',
    why: '20,000 rows of 400 columns: each within its limit, 8,000,000 cells together',
    resource: true,
    request: async () => {
      const header = Array.from({ length: 400 }, (_, i) => `c${i}`).join(',');
      const row = Array.from({ length: 400 }, () => '1').join(',');
      return importing('admin', 'cameras', `${header}\n${`${row}\n`.repeat(20_000)}`, 'text/csv');
    },
    expect: { status: 413, code: 'too_many_cells', limit: 'IMPORT_MAX_CELLS' },
  },
  {
    name: 'geojson-vertices-over-the-file-limit',
    why: '11 polygons of 100,000 vertices each: each within its limit, 1,100,000 together',
    resource: true,
    request: async () => importing('admin', 'watch-blocks', json({ type: 'FeatureCollection', features: Array.from({ length: 11 }, () => polygonFeature(100_000)) }), 'application/geo+json'),
    expect: { status: 413, code: 'file_too_many_vertices', limit: 'IMPORT_MAX_VERTICES' },
  },
  {
    name: 'csv-wkt-polygon-of-150000-vertices',
    why: 'a shape as WKT text in a CSV column, over the vertex limit',
    resource: true,
    request: async () => {
      const wkt = `POLYGON((${ring(150_000).map(([x, y]) => `${x} ${y}`).join(',')}))`;
      return importing('admin', 'watch-blocks', `名稱,認養單位,認養單位類型,WKT\n巨型區塊,某里,社區,"${wkt}"\n`, 'text/csv');
    },
    expect: { status: 413, code: 'feature_too_many_vertices', limit: 'MAX_FEATURE_VERTICES' },
  },
  {
    name: 'geojson-property-of-5-mb',
    why: 'one cell of 5 MB of text in a GeoJSON property',
    resource: true,
    request: async () => importing('admin', 'cameras', json({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'x'.repeat(5 * MiB) },
      geometry: { type: 'Point', coordinates: [120.205, 22.995] } }] }), 'application/geo+json'),
    expect: { status: 413, code: 'cell_too_long', limit: 'IMPORT_MAX_LINE' },
  },
  {
    name: 'kml-over-the-kml-limit',
    why: 'a 9 MB KML: a KML document costs about a hundred times its size to read',
    resource: true,
    request: async () => {
      const placemark = '<Placemark><name>路口</name><Point><coordinates>120.205,22.995,0</coordinates></Point></Placemark>\n';
      const body = `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>${placemark.repeat(Math.ceil((9 * MiB) / placemark.length))}</Document></kml>`;
      return importing('admin', 'cameras', body, 'application/vnd.google-earth.kml+xml');
    },
    expect: { status: 413, code: 'kml_too_large', limit: 'IMPORT_MAX_KML' },
  },
  {
    name: 'raw-deflate-that-is-not-deflate',
    why: 'a zip entry whose data is not a deflate stream at all',
    request: async () => importing('admin', 'cameras', zipOf([{ ...deflated('a.shp', Buffer.alloc(100)), data: deflateRawSync(Buffer.alloc(10)).subarray(0, 2) }]), 'application/zip'),
    expect: { status: 400, code: 'damaged_archive' },
  },
];
