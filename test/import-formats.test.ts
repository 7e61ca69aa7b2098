import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmlDoc, shapefileZip, TWD67_PRJ, type DbfField } from './support/files.js';
import { positionsBy, postImport, rowOf } from './support/imports.js';
import { metresBetween, tm2 } from './support/tm2.js';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * The other formats registers come in: GeoJSON (RFC 7946, and the older kind with a "crs"),
 * zipped Shapefiles with their .prj and Big5 or UTF-8 .dbf, KML and KMZ. Shapes are checked by
 * their area in m² against the area of the rings written in the test; every broken file is
 * refused with a reason and writes nothing.
 */
let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

type XY = [number, number];
/** A rectangle in TM2 metres, [x0, y0] its south-west corner, as a closed ring. */
const rect = (x0: number, y0: number, dx: number, dy: number): XY[] => [[x0, y0], [x0 + dx, y0], [x0 + dx, y0 + dy], [x0, y0 + dy], [x0, y0]];
/** B1's south-west corner (120.2°E, 22.99°N) in TWD97 / TM2, and a point well inside B1. */
const [X0, Y0] = tm2(120.2, 22.99);
const INSIDE_B1 = tm2(120.205, 22.995);

const areaM2 = async (table: string, name: string) =>
  (await w.db.query<{ m2: number }>(`SELECT ST_Area(ST_Transform(geom, 3826)) AS m2 FROM ${table} WHERE name = $1 AND deleted_at IS NULL`, [name])).rows[0]!.m2;

/** Field names of at most 10 bytes, as dBase allows: five Chinese characters in Big5, three in UTF-8. */
const PLACE_FIELDS: DbfField[] = [
  { name: '編號', type: 'C', length: 10 }, { name: '名稱', type: 'C', length: 40 }, { name: '類別', type: 'C', length: 20 },
  { name: '地址', type: 'C', length: 60 }, { name: '列管日期', type: 'C', length: 10 },
];
const UTF8_PLACE_FIELDS = PLACE_FIELDS.map((f) => (f.name === '列管日期' ? { ...f, name: 'LISTED_ON' } : f));

describe('Shapefile', () => {
  it('reads points in TWD97 with a Big5 .dbf and Chinese field names, skipping deleted records', async () => {
    const names = ['鐵皮屋甲', '工寮乙', '空屋丙'];
    const zip = shapefileZip({
      name: '重點處所', encoding: 'big5',
      records: names.map((_, i) => ({ point: [INSIDE_B1[0] + i * 50, INSIDE_B1[1]] as XY })),
      fields: PLACE_FIELDS,
      rows: [['S1', names[0]!, '鐵皮（貨櫃）屋', '府前路1號', '113/05/01'], ['S2', names[1]!, '工寮', '府前路2號', null], ['S3', names[2]!, '空屋', '府前路3號', null]],
      deleted: [2],
    });
    const res = await postImport(w, 'admin', 'key-places', zip, { source: '處所圖層' }).expect(200);
    expect(res.body.file).toMatchObject({ format: 'shapefile', encoding: { name: 'big5', how: 'detected' }, crs: { crs: 'EPSG:3826', how: 'file' } });
    expect(res.body.counts).toMatchObject({ rows: 2, create: 2 });
    const stored = await positionsBy(w, 'key_places', 'name');
    expect(metresBetween(stored.get('鐵皮屋甲')!, [120.205, 22.995])).toBeLessThan(0.01);
    expect(stored.has('空屋丙')).toBe(false);
    const { rows } = await w.db.query<{ category: string; listed_on: string }>(`SELECT category, listed_on::text FROM key_places WHERE name = '鐵皮屋甲'`);
    expect(rows[0]).toEqual({ category: 'iron_sheet_house', listed_on: '2024-05-01' });
  });

  it('takes the .cpg\'s word for the encoding, and a TWD67 .prj for the datum shift', async () => {
    const point = tm2(120.206, 22.996);
    const zip = shapefileZip({
      prj: TWD67_PRJ, encoding: 'utf-8', cpg: 'UTF-8',
      records: [{ point: [point[0] - 828.589, point[1] + 206.915] }],
      fields: UTF8_PLACE_FIELDS, rows: [['T1', '舊圖處所', '空屋', '府前路9號', null]],
    });
    const res = await postImport(w, 'admin', 'key-places', zip, { dryRun: true, source: '舊圖' }).expect(200);
    expect(res.body.file).toMatchObject({ encoding: { name: 'utf-8', how: 'file' }, crs: { crs: 'EPSG:3828', how: 'file' } });
    expect(metresBetween(res.body.preview.features[0].geometry.coordinates, [120.206, 22.996])).toBeLessThan(0.01);
  });

  it('says what it guessed: the system without a .prj, the encoding for a .cpg it does not know', async () => {
    const zip = shapefileZip({ prj: null, encoding: 'utf-8', cpg: 'ISO-8859-9', records: [{ point: INSIDE_B1 }], fields: UTF8_PLACE_FIELDS, rows: [['P1', '無投影', '空屋', '', null]] });
    const res = await postImport(w, 'admin', 'key-places', zip, { dryRun: true, source: '無投影' }).expect(200);
    expect(res.body.file.crs).toMatchObject({ crs: 'EPSG:3826', how: 'guessed', note: expect.stringMatching(/^TM2 公尺坐標視為 TWD97（EPSG:3826）讀取。/) });
    expect(res.body.warnings).toEqual([
      'Shapefile 沒有 .prj 檔：坐標系統是依坐標的數值判斷的；若判斷有誤，請以 crs=… 指定。',
      '.cpg 檔指定的文字編碼「ISO-8859-9」不是 UTF-8 或 Big5，已改由系統判斷文字編碼。',
    ]);
  });

  it('reads polygons with holes (outer ring clockwise, as ESRI writes them) and keeps their area', async () => {
    const outer = rect(X0 + 100, Y0 + 100, 200, 150);
    const hole = rect(X0 + 150, Y0 + 150, 50, 50);
    const zip = shapefileZip({
      records: [{ rings: [outer, hole] }],
      fields: [{ name: 'NAME', type: 'C', length: 20 }, { name: 'ADOPTER', type: 'C', length: 20 }, { name: 'KIND', type: 'C', length: 10 }],
      rows: [['府前區塊', '府前國小', '學校']],
      encoding: 'utf-8',
    });
    await postImport(w, 'admin', 'watch-blocks', zip, { mapping: { KIND: 'adopter_kind' } }).expect(200);
    expect(await areaM2('watch_blocks', '府前區塊')).toBeCloseTo(200 * 150 - 50 * 50, 0);
  });

  it('refuses a cut-off zip, a zip without a Shapefile, a bare .shp and a .prj it cannot use, writing nothing', async () => {
    const zip = shapefileZip({ records: [{ point: INSIDE_B1 }], fields: UTF8_PLACE_FIELDS, rows: [['X1', '甲', '空屋', '', null]], encoding: 'utf-8' });
    const before = await writeCounts(w.db, 'key_places');
    const cut = await postImport(w, 'admin', 'key-places', zip.subarray(0, Math.floor(zip.length * 0.6)), { source: 's' }).expect(400);
    expect(cut.body.error).toMatchObject({ code: 'damaged_archive', field: 'file' });
    expect(cut.body.error.message).toMatch(/^壓縮檔已損壞或不完整：找不到壓縮檔的目錄（檔案可能被截斷）/);
    const other = await postImport(w, 'admin', 'key-places', zipSync({ 'readme.txt': Buffer.from('hi') })).expect(400);
    expect(other.body.error).toEqual({ code: 'unreadable_file', field: 'file',
      message: '壓縮檔中沒有 Shapefile（.shp），也沒有 KML（.kml）（壓縮檔內的檔案：readme.txt），沒有寫入任何資料。請確認壓縮的是要匯入的檔案。' });
    const bare = await w.as('admin').post('/api/import/key-places?filename=layer.shp').set('Content-Type', 'application/octet-stream').send(Buffer.alloc(100, 1)).expect(400);
    expect(bare.body.error).toMatchObject({ code: 'unreadable_file', field: 'file', message: expect.stringMatching(/^Shapefile 必須把 \.shp、\.shx、\.dbf、\.prj（與 \.cpg）壓縮成一個 \.zip 檔上傳/) });
    const utm = shapefileZip({ records: [{ point: INSIDE_B1 }], fields: PLACE_FIELDS, rows: [['X1', '甲', '空屋', '', null]], prj: 'PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",123.0]]' });
    const prj = await postImport(w, 'admin', 'key-places', utm, { source: 's' }).expect(400);
    expect(prj.body.error).toMatchObject({ code: 'file_crs_unknown', field: 'crs' });
    expect(prj.body.error.message).toMatch(/^Shapefile 的 \.prj 所寫的坐標系統本系統無法轉換（PROJCS\["WGS_1984_UTM_Zone_51N".{40,}…），沒有寫入任何資料。本系統能轉換的是 EPSG:3824（TWD97 經緯度）、.*EPSG:4326（WGS84 經緯度）：/);
    expect(await writeCounts(w.db, 'key_places')).toEqual(before);
  });
});

describe('GeoJSON', () => {
  const feature = (geometry: object, properties: object, id?: unknown) => ({ type: 'Feature', ...(id !== undefined ? { id } : {}), geometry, properties });

  it('reads RFC 7946 GeoJSON, and the older kind naming EPSG:3826 in "crs" (ogr2ogr)', async () => {
    const wgs = { type: 'FeatureCollection', features: [feature({ type: 'Point', coordinates: [120.207, 22.997] }, { name: '公園路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police' })] };
    const a = await postImport(w, 'admin', 'cameras', JSON.stringify(wgs), { dryRun: true }, 'application/geo+json').expect(200);
    expect(a.body.file).toMatchObject({ format: 'geojson', crs: { crs: 'EPSG:4326', how: 'guessed', note: '坐標視為 WGS84 經緯度（度）讀取。' } });
    const [x, y] = tm2(120.207, 22.997);
    const projected = { type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3826' } },
      features: [feature({ type: 'Point', coordinates: [x, y] }, { name: '公園路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police' })] };
    const b = await postImport(w, 'admin', 'cameras', JSON.stringify(projected), { dryRun: true }, 'application/json').expect(200);
    expect(b.body.file.crs).toMatchObject({ crs: 'EPSG:3826', how: 'file' });
    expect(metresBetween(b.body.preview.features[0].geometry.coordinates, [120.207, 22.997])).toBeLessThan(0.01);
    const utm = await postImport(w, 'admin', 'cameras', JSON.stringify({ ...projected, crs: { type: 'name', properties: { name: 'EPSG:32651' } } }), { dryRun: true }, 'application/json').expect(400);
    expect(utm.body.error).toMatchObject({ code: 'file_crs_unknown', field: 'crs',
      message: expect.stringMatching(/^檔案的 crs 成員宣告的坐標系統「EPSG:32651」本系統無法轉換，沒有寫入任何資料。本系統能轉換的是 EPSG:3824（TWD97 經緯度）、.*EPSG:4326（WGS84 經緯度）：.*請刪除 crs 成員，再以 crs=… 指定。$/) });
  });

  it('refuses broken JSON, and reports shapes that are not the layer\'s or cross themselves, with the place', async () => {
    const before = await writeCounts(w.db, 'watch_blocks');
    const broken = await postImport(w, 'admin', 'watch-blocks', '{"type":"FeatureCollection","features":[').expect(400);
    expect(broken.body.error).toMatchObject({ code: 'unreadable_file', field: 'file', message: expect.stringMatching(/^檔案不是有效的 JSON（.+），沒有寫入任何資料。/) });
    const props = { name: '區塊', adopter: '某社區', adopter_kind: 'community' };
    const bowtie = { type: 'Polygon', coordinates: [[[120.201, 22.991], [120.203, 22.993], [120.203, 22.991], [120.201, 22.993], [120.201, 22.991]]] };
    const fc = { type: 'FeatureCollection', features: [feature(bowtie, props), feature({ type: 'LineString', coordinates: [[120.2, 22.99], [120.21, 22.995]] }, props), feature(null as unknown as object, props), { type: 'Point', coordinates: [120.2, 22.99] }] };
    const res = await postImport(w, 'admin', 'watch-blocks', JSON.stringify(fc)).expect(422);
    expect(rowOf(res.body, 1).errors![0]).toMatchObject({ code: 'invalid_geometry', message: expect.stringMatching(/^「geometry」的圖形無效：邊線自相交（Self-intersection），位置約在 \(120\.202, 22\.992\)。/) });
    expect(rowOf(res.body, 2).errors![0]).toMatchObject({ code: 'invalid_geometry', message: expect.stringMatching(/這裡的圖形必須是面（Polygon 或 MultiPolygon），不能是 "LineString"/) });
    expect(rowOf(res.body, 3).errors![0]!).toEqual({ code: 'no_position', field: 'geometry', message: '這一列沒有坐標（X/Y、經度/緯度）或圖形，無法放到地圖上；請補上坐標，或以 mapping 指定坐標欄位。' });
    expect(rowOf(res.body, 4).errors![0]!).toMatchObject({ code: 'unreadable_row', message: expect.stringMatching(/^這一筆不是 GeoJSON Feature/) });
    expect(await writeCounts(w.db, 'watch_blocks')).toEqual(before);
  });
});

describe('KML', () => {
  const placemarks = [
    { name: '民族路口', point: [120.208, 22.998] as XY, data: { 方向: '45', 視角: '90', 距離: '30', 設置單位: '社區' } },
    { name: '公園路口', point: [120.209, 22.998] as XY, data: { 方向: '朝西南', 視角: '60', 距離: '25', 設置單位: '警察機關' } },
  ];

  it('reads placemarks with their ExtendedData, from KML and from KMZ', async () => {
    const kml = kmlDoc(placemarks);
    const a = await postImport(w, 'admin', 'cameras', kml, { dryRun: true }, 'application/vnd.google-earth.kml+xml').expect(200);
    expect(a.body.file).toMatchObject({ format: 'kml', crs: { crs: 'EPSG:4326', how: 'file' } });
    expect(a.body.preview.features.map((f: { properties: Record<string, unknown> }) => [f.properties.name, f.properties.azimuth, f.properties.owner_kind]))
      .toEqual([['民族路口', 45, 'community'], ['公園路口', 225, 'police']]);
    const kmz = zipSync({ 'doc.kml': Buffer.from(kml) });
    const b = await postImport(w, 'admin', 'cameras', kmz, { dryRun: true }).expect(200);
    expect(b.body.file.format).toBe('kmz');
    expect(b.body.counts).toMatchObject({ rows: 2, create: 2, error: 0 });
  });

  it('refuses XML that is not KML', async () => {
    const res = await postImport(w, 'admin', 'cameras', '<?xml version="1.0"?><gpx><wpt/></gpx>').expect(400);
    expect(res.body.error).toMatchObject({ code: 'unreadable_file', field: 'file', message: expect.stringMatching(/^這個檔案不是可讀取的 KML（根元素不是 <kml>），沒有寫入任何資料。/) });
  });
});
