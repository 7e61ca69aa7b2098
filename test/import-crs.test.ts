import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { big5, csvText } from './support/files.js';
import { positionsBy, postImport, rowOf } from './support/imports.js';
import { hasSharedData, SHARED_DATA } from './support/shared-data.js';
import { dms, GRS67, metresBetween, tm2 } from './support/tm2.js';
import { box, openWorld, writeCounts, type World } from './support/world.js';

/**
 * Coordinates of Taiwanese registers: TWD97 / TM2 (EPSG:3826, 3825), TWD67 / TM2 (EPSG:3828)
 * and WGS84, transformed by PostGIS (with TWD67's datum shift, which PostGIS lacks), guessed
 * from the values when not given, and turned round when the columns are swapped. Checked
 * against Snyder's Transverse Mercator written in the test (support/tm2.ts) and against the
 * published coordinates of Taiwan's geodetic origin.
 */
let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

/** Points across Taiwan's main island (zone 121) and the islands of zone 119. */
const MAIN = { 臺北: [121.5654, 25.0330], 臺南: [120.2050, 22.9940], 花蓮: [121.6015, 23.9872], 墾丁: [120.8010, 21.9480] } as const;
const ZONE_119 = { 馬公: [119.5665, 23.5655], 金城: [118.3171, 24.4321] } as const;

const toWgs84 = async (x: number, y: number, srid: number) =>
  (await w.db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(g) AS lon, ST_Y(g) AS lat FROM (SELECT to_wgs84(ST_SetSRID(ST_MakePoint($1, $2), $3)) AS g) s`, [x, y, srid])).rows[0]!;

const CAMERA_HEADER = ['名稱', '方向', '視角', '距離', '設置單位'];
const camera = (name: string) => [name, '北', 60, 40, '警察機關'];

describe('transformations, by PostGIS', () => {
  it('has TWD97 zones 121 and 119 and TWD67 in spatial_ref_sys, and gives TWD67 no datum shift (hence to_wgs84)', async () => {
    const { rows } = await w.db.query<{ srid: number; proj4text: string }>('SELECT srid, proj4text FROM spatial_ref_sys WHERE srid IN (3825, 3826, 3828) ORDER BY srid');
    expect(rows.map((r) => r.srid)).toEqual([3825, 3826, 3828]);
    expect(rows[0]!.proj4text).toMatch(/lon_0=119 .*ellps=GRS80/);
    expect(rows[1]!.proj4text).toMatch(/lon_0=121 .*ellps=GRS80/);
    expect(rows[2]!.proj4text).toMatch(/lon_0=121 .*ellps=aust_SA/);
    expect(rows[2]!.proj4text).not.toMatch(/towgs84/);
  });

  it('reads TWD97 / TM2 zone 121 and zone 119 as Snyder computes them, to a millimetre', async () => {
    for (const [lon, lat] of Object.values(MAIN)) {
      const [x, y] = tm2(lon, lat);
      const back = await toWgs84(x, y, 3826);
      expect(metresBetween([back.lon, back.lat], [lon, lat])).toBeLessThan(0.001);
    }
    for (const [lon, lat] of Object.values(ZONE_119)) {
      const [x, y] = tm2(lon, lat, { lon0: 119 });
      const back = await toWgs84(x, y, 3825);
      expect(metresBetween([back.lon, back.lat], [lon, lat])).toBeLessThan(0.001);
    }
  });

  it('puts Taiwan\'s geodetic origin at Hu Tzu Shan where TWD97 has it, from its TWD67 coordinates (ST_Transform alone is 850 m off)', async () => {
    // 虎子山 一等三角點: TWD67 120°58′25.975″E 23°58′32.340″N; TWD97 120°58′55.2886″E 23°58′25.9486″N.
    const twd67: [number, number] = [dms(120, 58, 25.975), dms(23, 58, 32.34)];
    const twd97: [number, number] = [dms(120, 58, 55.2886), dms(23, 58, 25.9486)];
    const [x, y] = tm2(...twd67, { e: GRS67 });
    const ours = await toWgs84(x, y, 3828);
    expect(metresBetween([ours.lon, ours.lat], twd97)).toBeLessThan(3);
    const { rows } = await w.db.query<{ lon: number; lat: number }>(
      'SELECT ST_X(g) AS lon, ST_Y(g) AS lat FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 3828), 4326) AS g) s', [x, y]);
    expect(metresBetween([rows[0]!.lon, rows[0]!.lat], twd97)).toBeGreaterThan(800);
  });
});

describe('importing coordinates', () => {
  const places = Object.entries(MAIN);

  it('reads a Big5 register in TWD97 X/Y, guesses EPSG:3826 from the values and says how TWD67 would differ', async () => {
    const rows = places.map(([name, [lon, lat]]) => [...camera(name), ...tm2(lon, lat).map((v) => v.toFixed(3))]);
    const res = await postImport(w, 'admin', 'cameras', big5(csvText([[...CAMERA_HEADER, 'X', 'Y'], ...rows])), { dryRun: true }).expect(200);
    expect(res.body.file.encoding).toEqual({ name: 'big5', how: 'detected' });
    expect(res.body.file.crs).toMatchObject({ crs: 'EPSG:3826', how: 'guessed', swapped: false });
    expect(res.body.file.crs.note).toMatch(/^TM2 公尺坐標視為 TWD97（EPSG:3826）讀取。TWD67 .*相差約 850 公尺.*請加上 crs=EPSG:3828 重新匯入。$/);
    for (const [i, [, [lon, lat]]] of places.entries()) {
      const f = res.body.preview.features[i];
      expect(metresBetween(f.geometry.coordinates, [lon, lat])).toBeLessThan(0.01);
    }
  });

  it('turns round columns that hold northings as X and eastings as Y, and stores the points where they are', async () => {
    const rows = places.map(([name, [lon, lat]]) => { const [x, y] = tm2(lon, lat); return [...camera(`${name}（對調）`), y.toFixed(2), x.toFixed(2)]; });
    const res = await postImport(w, 'admin', 'cameras', csvText([[...CAMERA_HEADER, 'TWD97_X', 'TWD97_Y'], ...rows])).expect(200);
    expect(res.body.file.crs).toMatchObject({ crs: 'EPSG:3826', swapped: true });
    expect(res.body.file.crs.note).toMatch(/X 欄放的是縱坐標（北距）、Y 欄放的是橫坐標（東距）：已對調後讀取。$/);
    const stored = await positionsBy(w, 'cameras', 'name');
    for (const [name, [lon, lat]] of places) expect(metresBetween(stored.get(`${name}（對調）`)!, [lon, lat])).toBeLessThan(0.01);
  });

  it('reads TWD67 when told (crs=EPSG:3828) or when the headers say so (TWD67_X), with the datum shift', async () => {
    const offset = ([x, y]: [number, number]) => [(x - 828.589).toFixed(2), (y + 206.915).toFixed(2)];
    const told = places.map(([name, [lon, lat]]) => [...camera(`${name}67`), ...offset(tm2(lon, lat))]);
    const res = await postImport(w, 'admin', 'cameras', csvText([[...CAMERA_HEADER, 'X', 'Y'], ...told]), { crs: 'EPSG:3828', dryRun: true }).expect(200);
    expect(res.body.file.crs).toMatchObject({ crs: 'EPSG:3828', how: 'parameter' });
    const byHeader = await postImport(w, 'admin', 'cameras', csvText([[...CAMERA_HEADER, 'TWD67_X', 'TWD67_Y'], ...told]), { dryRun: true }).expect(200);
    expect(byHeader.body.file.crs).toMatchObject({ crs: 'EPSG:3828', how: 'header' });
    for (const body of [res.body, byHeader.body]) {
      for (const [i, [, [lon, lat]]] of places.entries()) expect(metresBetween(body.preview.features[i].geometry.coordinates, [lon, lat])).toBeLessThan(0.01);
    }
  });

  it('tells zone 119 (Penghu) from zone 121 by the beats the points fall in, and takes crs= over the guess', async () => {
    // A beat around Magong: read as zone 121 the same numbers would lie in Hualien's mountains.
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      INSERT INTO beats (code, name, station_code, geom) VALUES ('PH1', '馬公第1警勤區', 'S2', ST_Multi(ST_GeomFromGeoJSON('${JSON.stringify({ ...box(119.55, 23.55, 119.58, 23.58), crs: { type: 'name', properties: { name: 'EPSG:4326' } } })}')));
      SELECT set_config('app.actor', '', false);`);
    const points: [string, [number, number]][] = [['馬公甲', [119.5665, 23.5655]], ['馬公乙', [119.5700, 23.5700]]];
    const rows = points.map(([name, [lon, lat]]) => [...camera(name), ...tm2(lon, lat, { lon0: 119 }).map((v) => v.toFixed(2))]);
    const file = csvText([[...CAMERA_HEADER, 'X', 'Y'], ...rows]);
    const guessed = await postImport(w, 'admin', 'cameras', file, { dryRun: true }).expect(200);
    expect(guessed.body.file.crs).toMatchObject({ crs: 'EPSG:3825', how: 'guessed', note: expect.stringMatching(/^TM2 公尺坐標視為 119 度分帶（澎湖、金門、馬祖：EPSG:3825）讀取/) });
    expect(guessed.body.rows.map((r: { beat: string }) => r.beat)).toEqual(['PH1', 'PH1']);
    for (const [i, [, p]] of points.entries()) expect(metresBetween(guessed.body.preview.features[i].geometry.coordinates, p)).toBeLessThan(0.01);
    const told = await postImport(w, 'admin', 'cameras', file, { dryRun: true, crs: 'EPSG:3826' }).expect(200);
    expect(told.body.file.crs).toMatchObject({ crs: 'EPSG:3826', how: 'parameter' });
    expect(told.body.preview.features[0].geometry.coordinates[0]).toBeGreaterThan(121.4);
  });

  it('refuses a crs that contradicts the values, and rows that are not in Taiwan, with reasons, writing nothing', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const degrees = csvText([[...CAMERA_HEADER, '經度', '緯度'], [...camera('甲'), 120.205, 22.995]]);
    const res = await postImport(w, 'admin', 'cameras', degrees, { crs: 'EPSG:3826' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'crs_mismatch', field: 'crs',
      message: '坐標（例如 120.205, 22.995）是經緯度（度），但參數 crs 指定的坐標系統是 EPSG:3826（TWD97 / TM2 121（臺灣本島））；請以 crs=… 指定與坐標相符的坐標系統，例如 crs=EPSG:4326（WGS84 經緯度）。' });
    const far = csvText([[...CAMERA_HEADER, '經度', '緯度'], [...camera('廈門'), 118.13, 24.54], [...camera('東京'), 139.69, 35.68], [...camera('對調'), 22.995, 120.205], [...camera('公尺'), 170000, 2544000]]);
    const bad = await postImport(w, 'admin', 'cameras', far).expect(422);
    expect(bad.body.committed).toBe(false);
    expect(rowOf(bad.body, 2).errors![0]!.message).toMatch(/坐標 \(118\.13, 24\.54\) 不在臺灣及其離島/);
    expect(rowOf(bad.body, 3).errors![0]!.message).toMatch(/坐標 \(139\.69, 35\.68\) 不在臺灣及其離島/);
    expect(rowOf(bad.body, 4).errors![0]!.message).toMatch(/的經度與緯度寫反了/);
    expect(rowOf(bad.body, 5).errors![0]!.message).toMatch(/看起來是 TWD97 的公尺坐標（EPSG:3826），不是經緯度/);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it.skipIf(!hasSharedData)('reads the real 桃園市 police-unit list into police units: UTF-8 with BOM, labels lat/lon the wrong way round, one typo', async () => {
    const file = readFileSync(`${SHARED_DATA}taoyuan-police-units/police.csv`);
    const res = await postImport(w, 'admin', 'police-units', file, { dryRun: true, defaults: { kind: '派出所' } }).expect(200);
    expect(res.body.file.encoding).toEqual({ name: 'utf-8', how: 'bom' });
    expect(res.body.file.crs).toMatchObject({ crs: 'EPSG:4326', swapped: true });
    expect(res.body.counts).toMatchObject({ rows: 106, error: 1 });
    const typo = res.body.rows.find((r: { status: string }) => r.status === 'error');
    expect(typo.errors[0].message).toMatch(/1121\.277736.*不是以度為單位的經緯度/);
    const first = res.body.preview.features.find((f: { properties: { name: string } }) => f.properties.name === '桃園分局');
    expect(first.geometry.coordinates).toEqual([121.2991068, 25.0000839]);
    expect(res.body.columns.find((c: { column: string }) => c.column === 'name_eng').target).toBeNull();
    expect(res.body.columns.find((c: { column: string }) => c.column === 'telephone').target).toBe('phone');
    expect(first.properties).toMatchObject({ address: '桃園市桃園區力行路258號', phone: '03 3323811', kind: 'station' });
  });
});
