import * as turf from '@turf/turf';
import iconv from 'iconv-lite';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoWorld, type DemoWorld } from './support/demo-world.js';
import { addressColumnCsv, big5, houseHoldCsv, taoyuanGazetteer, twd67, type GazetteerRow } from './support/gazetteer.js';
import { postImport, rowOf, type RowReport } from './support/imports.js';
import { metresBetween } from './support/tm2.js';
import { PASSWORD } from './support/world.js';

/**
 * GET /api/search on the demo city (the real ground of 桃園市) with a 門牌 gazetteer imported
 * through POST /api/import/addresses: 村里 (every one of a name, with its district), 鄉鎮市區,
 * police units with their address and phone, beats, features by role, addresses in their
 * Taiwanese variants and what stands in for one the gazetteer lacks; the gazetteer's import
 * with its row-level report; and bad input, answered 400 in Chinese or with nothing, never 500.
 */

let w: DemoWorld;
const gazetteer = taoyuanGazetteer();
/** Half the rows come in the 戶政 layout in Big5, half with one address column in UTF-8. */
const householdRows = gazetteer.filter((_, i) => i % 2 === 0);
const addressRows = gazetteer.filter((_, i) => i % 2 === 1);

type Role = Parameters<DemoWorld['as']>[0];
interface Result {
  kind: string; layer: string; id?: number; name: string; label: string; bbox: number[]; match: string;
  geometry?: { type: string; coordinates: unknown }; approximate?: boolean; note?: string; [k: string]: unknown;
}

const search = async (role: Role, q: string, extra = ''): Promise<Result[]> =>
  (await w.as(role).get(`/api/search?q=${encodeURIComponent(q)}${extra}`).expect(200)).body.results;
const ofKind = (results: Result[], kind: string) => results.filter((r) => r.kind === kind);
const rowByAddress = (address: string) => gazetteer.find((r) => r.address === address)!;
/** The address as the gazetteer keeps it: the 戶政 file's parts put together, or the address column. */
const storedAddress = (r: GazetteerRow) => (householdRows.includes(r)
  ? `${r.village}${r.lin ? `${Number(r.lin)}鄰` : ''}${r.street}${r.area}${r.lane}${r.alley}${r.number}` : r.address);

beforeAll(async () => {
  // Hundreds of anonymous searches from one address: the public's budget (60 a minute) is
  // test/fair-share.test.ts's to test, not this file's.
  w = await openDemoWorld(0.1, { limits: { searchPerMinute: 100_000 } });
  const first = await postImport(w, 'planner', 'addresses', big5(houseHoldCsv(householdRows)), { source: '桃園市門牌坐標（戶政）' }).expect(200);
  expect(first.body).toMatchObject({ committed: true, counts: { rows: householdRows.length, error: 0, create: householdRows.length } });
  const second = await postImport(w, 'planner', 'addresses', addressColumnCsv(addressRows)).expect(200);
  expect(second.body).toMatchObject({ committed: true, counts: { rows: addressRows.length, error: 0, create: addressRows.length } });
}, 600_000);
afterAll(async () => { await w?.close(); });

describe('村里, 鄉鎮市區, police units and beats', () => {
  it('lists every 成功里 with its district and city, each with its outline and the box the database has', async () => {
    const { rows } = await w.db.query<{ id: number; town: string; county: string; w: number; s: number; e: number; n: number; m2: number }>(
      `SELECT id::int, town_name AS town, county_name AS county, ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n,
              ST_Area(geom::geography) AS m2 FROM villages WHERE name = '成功里' AND deleted_at IS NULL ORDER BY town_code`);
    expect(rows.map((r) => r.town)).toEqual(['桃園區', '中壢區']);
    const results = await search('public', '成功里');
    expect(results[0]!.kind).toBe('village');
    const villages = ofKind(results, 'village');
    expect(villages.map((v) => [v.id, v.name, v.label, v.match])).toEqual(rows.map((r) => [r.id, '成功里', `${r.county}${r.town}`, 'exact']));
    villages.forEach((v, i) => {
      const r = rows[i]!;
      v.bbox.forEach((x, k) => expect(x).toBeCloseTo([r.w, r.s, r.e, r.n][k]!, 7));
      // Simplified, but the same area to within 2 %.
      const area = turf.area(v.geometry as turf.AllGeoJSON);
      expect(Math.abs(area - r.m2) / r.m2).toBeLessThan(0.02);
    });
  });

  it('narrows to the district the text names, and lists all five 中山里', async () => {
    const one = ofKind(await search('public', '中壢區成功里'), 'village');
    expect(one.map((v) => v.label)).toEqual(['桃園市中壢區']);
    const all = ofKind(await search('public', '中山里'), 'village');
    const { rows } = await w.db.query<{ town: string }>(`SELECT town_name AS town FROM villages WHERE name = '中山里' ORDER BY town_code`);
    expect(rows).toHaveLength(5);
    expect(all.map((v) => v.label)).toEqual(rows.map((r) => `桃園市${r.town}`));
  });

  it('finds a district by its name, whole before part', async () => {
    const results = await search('public', '中壢區');
    expect(results[0]).toMatchObject({ kind: 'town', name: '中壢區', label: '桃園市', match: 'exact' });
    expect(results[0]!.geometry!.type).toMatch(/Polygon/);
  });

  it('finds a police unit by its name and code, with its address and phone, marked at its point', async () => {
    const { rows: [u] } = await w.db.query<{ id: number; address: string; phone: string; x: number; y: number; code: string }>(
      `SELECT id::int, address, phone, ST_X(geom) x, ST_Y(geom) y, unit_code AS code FROM police_units WHERE name = '中壢分局'`);
    const results = await search('public', '中壢分局');
    expect(results[0]).toMatchObject({ kind: 'unit', id: u!.id, name: '中壢分局', address: u!.address, phone: u!.phone, unitKind: 'precinct', match: 'exact' });
    expect(results[0]!.label).toBe(`分局・${u!.address}`);
    expect(results[0]!.geometry).toEqual({ type: 'Point', coordinates: [u!.x, u!.y] });
    expect(results[0]!.bbox).toEqual([u!.x, u!.y, u!.x, u!.y]);
    // Stations by their code, as officers know them.
    const { rows: [s] } = await w.db.query<{ name: string; code: string }>(`SELECT name, unit_code AS code FROM police_units WHERE kind = 'station' ORDER BY unit_code DESC LIMIT 1`);
    expect((await search('officer', s!.code.toLowerCase()))[0]).toMatchObject({ kind: 'unit', name: s!.name, unitCode: s!.code });
  });

  it('finds a beat by its code, with its station, and a beat name in every station that has it', async () => {
    const { rows: [b] } = await w.db.query<{ code: string; station: string }>(
      `SELECT b.code, s.name AS station FROM beats b JOIN stations s ON s.code = b.station_code ORDER BY b.code DESC LIMIT 1`);
    const results = await search('public', b!.code);
    expect(results[0]).toMatchObject({ kind: 'beat', code: b!.code, label: `${b!.code}・${b!.station}`, match: 'exact' });
    expect(results[0]!.geometry!.type).toMatch(/Polygon/);
    const named = ofKind(await search('public', '第3警勤區', '&limit=50'), 'beat');
    expect(named.length).toBeGreaterThan(10);
    expect(named.every((r) => r.name === '第3警勤區' && r.match === 'exact')).toBe(true);
  });

  it('groups the results by kind, the kind that matches best first', async () => {
    const results = await search('public', '中壢');
    const kinds = results.map((r) => r.kind);
    // A whole name puts its kind first.
    expect((await search('public', '中壢分局'))[0]!.kind).toBe('unit');
    // Each kind in one run.
    expect(kinds.filter((k, i) => i === 0 || k !== kinds[i - 1])).toEqual([...new Set(kinds)]);
    // 中壢里, 中壢區 and 中壢分局 all start with it, equally good: in SEARCH_KINDS order, features last.
    expect([...new Set(kinds)].slice(0, 3)).toEqual(['village', 'town', 'unit']);
    expect(['village', 'town', 'unit'].map((k) => results.find((r) => r.kind === k)!.match)).toEqual(['prefix', 'prefix', 'prefix']);
    // Within a kind, starts before parts (units whose address holds 中壢 come after 中壢分局).
    const units = ofKind(results, 'unit').map((r) => r.match);
    expect(units).toEqual([...units].sort((a, b) => (a === b ? 0 : a === 'prefix' ? -1 : 1)));
  });
});

describe('features, by what each role may read', () => {
  it('finds key places for the police of their precinct, never for the public or a community account', async () => {
    const { rows: [kp] } = await w.db.query<{ id: number; name: string; precinct: string }>(
      `SELECT id::int, name, precinct_code AS precinct FROM key_places WHERE precinct_code = 'P01' AND name LIKE '%KTV' ORDER BY id LIMIT 1`);
    const found = (rs: Result[]) => rs.filter((r) => r.kind === 'feature' && r.layer === 'key-places').map((r) => r.id);
    expect(found(await search('planner', kp!.name))).toContain(kp!.id);
    expect(found(await search('officer', kp!.name))).toContain(kp!.id);
    expect(found(await search('public', kp!.name))).toEqual([]);
    expect(found(await search('community', kp!.name))).toEqual([]);
    const token = (await request(w.app).post('/api/login').send({ username: 'planner2', password: PASSWORD }).expect(200)).body.token;
    const other = await request(w.app).get(`/api/search?q=${encodeURIComponent(kp!.name)}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(found(other.body.results)).not.toContain(kp!.id);
  });

  it('gives the public and a community account only public cameras, never a sensitive layer or property', async () => {
    const { rows: cameras } = await w.db.query<{ id: number; name: string; public: boolean }>(
      `SELECT DISTINCT ON (is_public) id::int, name, is_public AS public FROM cameras ORDER BY is_public, id`);
    const hidden = cameras.find((c) => !c.public)!;
    const open = cameras.find((c) => c.public)!;
    const publicIds = new Set((await w.db.query<{ id: number }>('SELECT id::int FROM cameras WHERE is_public')).rows.map((r) => r.id));
    for (const role of ['public', 'community'] as const) {
      for (const q of [hidden.name, open.name, '監視器', 'KTV', '空屋', '成功']) {
        const features = ofKind(await search(role, q, '&limit=50'), 'feature');
        expect(features.every((f) => ['cameras', 'watch-blocks', 'counties'].includes(f.layer)), `${role} ${q}`).toBe(true);
        expect(features.filter((f) => f.layer === 'cameras').every((f) => publicIds.has(f.id!)), `${role} ${q}`).toBe(true);
        expect(JSON.stringify(features)).not.toMatch(/"contact"|officer_name/);
      }
    }
    expect(ofKind(await search('public', open.name), 'feature').map((f) => f.id)).toContain(open.id);
    expect(ofKind(await search('admin', hidden.name), 'feature').map((f) => f.id)).toContain(hidden.id);
  });
});

describe('addresses', () => {
  /** The gazetteer's 門牌 of a row of the test files. */
  const stored = async (address: string) => (await w.db.query<{ id: number; address: string }>(
    `SELECT id::int, address FROM addresses WHERE address = $1 AND deleted_at IS NULL`, [storedAddress(rowByAddress(address))])).rows[0]!;

  it('finds every imported 門牌 at its point, from either file', async () => {
    for (const row of gazetteer.filter((r, i) => i % 9 === 0 && !r.number.includes('樓'))) {
      const [hit] = await search('public', row.address);
      expect(hit, row.address).toMatchObject({ kind: 'address', layer: 'addresses', match: 'exact', label: `桃園市${row.town}` });
      const [lon, lat] = (hit!.geometry as { coordinates: [number, number] }).coordinates;
      expect(metresBetween([lon, lat], row.lonLat), row.address).toBeLessThan(0.01);
    }
  });

  it.each([
    ['桃園市觀音區草新里1鄰大觀路2段77號', ['觀音區大觀路二段７７號', '大觀路2段77號', '臺灣省桃園縣觀音鄉大觀路二段77號5樓', '桃園市 觀音區 大觀路 2 段 77 號', '328桃園市觀音區大觀路２段７７號']],
    ['桃園市桃園區力行路258之1號', ['力行路258-1號', '桃園區力行路２５８號之１', '台灣桃園市桃園區力行路258之1號', '力行路258之1號3樓之2']],
    ['桃園市中壢區延平路607號', ['桃園縣中壢市延平路607號5樓', '中壢區延平路六百零七號', '延平路607', '中壢區 延平路 607 號']],
    ['桃園市蘆竹區南山路二段394巷67號', ['南山路2段394巷67號', '蘆竹區南山路二段三百九十四巷六十七號']],
    ['桃園市復興區華陵里9鄰44號', ['復興區華陵里44號', '華陵里９鄰44號']],
    ['桃園市復興區羅浮里河流2鄰51之2號', ['羅浮里河流51-2號']],
  ])('finds %s however it is written', async (address, variants) => {
    const want = await stored(address);
    expect(want).toBeDefined();
    for (const q of variants) {
      const hits = ofKind(await search('public', q), 'address');
      expect(hits.map((h) => [h.id, h.match]), q).toEqual([[want.id, 'exact']]);
    }
  });

  it('lists the addresses that start with what is typed, and a road typed whole as the extent of its 門牌', async () => {
    const typed = ofKind(await search('public', '力行路25'), 'address');
    expect(typed.length).toBeGreaterThan(2);
    expect(typed.every((h) => h.match === 'prefix' && /力行路25\d/.test(h.name))).toBe(true);
    const [road] = ofKind(await search('public', '桃園區力行路'), 'address');
    const { rows: [r] } = await w.db.query<{ n: number; w: number; s: number; e: number; no: number }>(
      `SELECT count(*)::int n, ST_XMin(ST_Extent(geom)) w, ST_YMin(ST_Extent(geom)) s, ST_XMax(ST_Extent(geom)) e, ST_YMax(ST_Extent(geom)) no
         FROM addresses WHERE addr_town = '桃園區' AND addr_road = '力行路' AND deleted_at IS NULL`);
    expect(road).toMatchObject({ name: '力行路', label: `桃園市桃園區・${r!.n} 筆門牌`, addresses: r!.n, match: 'exact' });
    expect(road!.approximate).toBeUndefined();
    road!.bbox.forEach((x, k) => expect(x).toBeCloseTo([r!.w, r!.s, r!.e, r!.no][k]!, 7));
    expect((road!.geometry as { type: string; coordinates: unknown[] })).toMatchObject({ type: 'MultiPoint' });
    expect((road!.geometry as { coordinates: unknown[] }).coordinates).toHaveLength(r!.n);
  });

  it('stands in for a number the gazetteer lacks with the nearest one of the same side, and says so', async () => {
    const [hit] = await search('public', '桃園區力行路300號');
    const nearest = await stored('桃園市桃園區力行路262號');
    expect(hit).toMatchObject({ kind: 'address', id: nearest.id, approximate: true, match: 'approximate' });
    expect(hit!.note).toBe(`地址庫沒有「桃園區力行路300號」，標示同一條路上最接近的門牌「${nearest.address}」。`);
  });

  it('falls back to the road, the village or the district the address names, and says so', async () => {
    const [road] = await search('public', '桃園區力行路999巷3號');
    expect(road).toMatchObject({ kind: 'address', name: '力行路', approximate: true });
    expect(road!.note).toMatch(/^地址庫沒有「桃園區力行路999巷3號」，標示「力行路」沿線 \d+ 筆門牌的範圍。$/);
    const [village] = await search('public', '桃園市觀音區草新里大觀路3段1號');
    expect(village).toMatchObject({ kind: 'village', name: '草新里', label: '桃園市觀音區', approximate: true });
    expect(village!.note).toBe('地址庫沒有「桃園市觀音區草新里大觀路3段1號」，標示地址所在的村里「草新里」。');
    expect(village!.geometry!.type).toMatch(/Polygon/);
    const [town] = await search('public', '中壢區環北路400號');
    expect(town).toMatchObject({ kind: 'town', name: '中壢區', approximate: true });
    expect(town!.note).toBe('地址庫沒有「中壢區環北路400號」，標示地址所在的「中壢區」。');
  });
});

describe('the gazetteer import', () => {
  const importAs = (body: string | Uint8Array, params: Record<string, string | boolean> = {}) =>
    postImport(w, 'planner', 'addresses', body, params);
  const count = async () => (await w.db.query<{ n: number }>('SELECT count(*)::int n FROM addresses')).rows[0]!.n;

  it('reads the 戶政 columns (Big5, TWD97) and puts each row\'s address together', async () => {
    const res = await importAs(big5(houseHoldCsv(householdRows)), { dryRun: true, source: '桃園市門牌坐標（戶政）' }).expect(200);
    expect(res.body.file).toMatchObject({ encoding: { name: 'big5' }, crs: { crs: 'EPSG:3826' } });
    const targets = Object.fromEntries((res.body.columns as { column: string; target: string | null }[]).map((c) => [c.column, c.target]));
    expect(targets).toMatchObject({ 村里: 'village', 鄰: 'neighbourhood', 街_路段: 'street', 地區: 'area', 巷: 'lane', 弄: 'alley', 號: 'number', 橫坐標: 'x', 縱坐標: 'y' });
    // The same file again changes nothing: each 門牌 is known by its address.
    expect(res.body.counts).toMatchObject({ rows: householdRows.length, create: 0, update: 0, unchanged: householdRows.length, error: 0 });
    const rural = householdRows.find((r) => r.area !== '' && r.lin !== '')!;
    const { rows } = await w.db.query<{ address: string; town: string }>(
      `SELECT address, town_name AS town FROM addresses WHERE village = $1 AND number = $2`, [rural.village, rural.number]);
    expect(rows).toEqual([{ address: `${rural.village}${Number(rural.lin)}鄰${rural.area}${rural.number}`, town: rural.town }]);
  });

  it('moves a 門牌 that a newer file places elsewhere, and adds none', async () => {
    const row = addressRows[3]!;
    const before = await count();
    const moved: GazetteerRow = { ...row, x: row.x + 6, y: row.y - 4 };
    const res = await importAs(addressColumnCsv([moved])).expect(200);
    expect(res.body.counts).toMatchObject({ update: 1, create: 0 });
    expect(await count()).toBe(before);
    const after = (await w.db.query<{ x: number }>(`SELECT ST_X(ST_Transform(geom, 3826)) x FROM addresses WHERE address = $1`, [row.address])).rows[0]!;
    expect(after.x).toBeCloseTo(row.x + 6, 2);
    await importAs(addressColumnCsv([row])).expect(200);
  });

  it('refuses a file in an encoding it cannot read, with the line, and writes nothing', async () => {
    const before = await count();
    const text = `門牌,X,Y\r\n桃園市桃園區力行路900號,280000,2765000\r\nテスト,280000,2765000\r\n`;
    const res = await importAs(iconv.encode(text, 'shift_jis')).expect(400);
    expect(res.body.error.code).toBe('wrong_encoding');
    expect(res.body.error.message).toMatch(/^檔案既不是 UTF-8，也不是 Big5（950 字碼頁）：從第 \d+ 行起無法解讀，沒有寫入任何資料。/);
    expect(await count()).toBe(before);
  });

  it('reports bad coordinates, duplicates and addresses that are not 門牌 row by row, and writes nothing', async () => {
    const base = rowByAddress('桃園市桃園區力行路258號');
    const at = (dx: number) => [base.x + dx, base.y] as [number, number];
    const lines = [
      ['桃園市桃園區力行路500號', ...at(3)],
      ['桃園市桃園區力行路５００號', ...at(4)],
      ['桃園市桃園區力行路502號', 340000, 2420000],
      ['桃園市桃園區力行路504號', base.y, base.x],
      ['桃園市桃園區力行路', ...at(5)],
      ['桃園市中壢區力行路506號', ...at(6)],
      ['桃園市桃園區力行路508號', ...at(7)],
    ];
    const before = await count();
    const res = await importAs(`門牌,X,Y\n${lines.map((l) => l.join(',')).join('\n')}\n`).expect(422);
    expect(res.body.committed).toBe(false);
    const codes = (row: number) => (rowOf(res.body, row).errors ?? []).map((e) => e.code);
    expect(rowOf(res.body, 2).status).toBe('ok');
    expect(codes(3)).toEqual(['address_duplicate']);
    expect(rowOf(res.body, 3).errors![0]!.message).toMatch(/^與第 2 列是同一個門牌/);
    expect(codes(4)).toHaveLength(1);
    expect(rowOf(res.body, 4).errors![0]!.message).toMatch(/Taiwan|臺灣|台灣/);
    expect(codes(5)).toEqual(['invalid_geometry']);
    expect(rowOf(res.body, 5).errors![0]!.message).toMatch(/^這一列的 X（\d+(\.\d+)?）與 Y（\d+(\.\d+)?）寫反了：X 是橫坐標（東距）/);
    expect(codes(6)).toEqual(['address_no_number']);
    expect(codes(7)).toEqual(['address_outside_town']);
    expect(rowOf(res.body, 7).errors![0]!.message).toMatch(/^地址在「中壢區」，坐標卻落在「桃園區」，距中壢區 \d+ 公尺/);
    expect(rowOf(res.body, 8).status).toBe('ok');
    expect(await count()).toBe(before);
  });

  it('warns of a point outside the village its address names', async () => {
    const row = rowByAddress('桃園市桃園區力行路254號');
    const { rows: [other] } = await w.db.query<{ name: string }>(
      `SELECT name FROM villages WHERE town_name = '桃園區' AND name <> $1 ORDER BY code LIMIT 1`, [row.village]);
    const text = `門牌,X,Y\n桃園市桃園區${other!.name}力行路254號,${row.x},${row.y}\n`;
    const res = await importAs(text, { dryRun: true }).expect(200);
    const r: RowReport = rowOf(res.body, 2);
    expect(r.status).toBe('warning');
    expect(r.warnings!.map((x) => x.code)).toEqual(['address_outside_village']);
    expect(r.warnings![0]!.message).toMatch(new RegExp(`^地址寫「${other!.name}」，坐標卻在「${row.village}」`));
  });

  it('refuses TWD67 metres read as TWD97, says which crs to send, and reads them with it', async () => {
    const before = await count();
    const sample = householdRows.slice(0, 60);
    const refused = await importAs(big5(houseHoldCsv(sample, twd67))).expect(422);
    expect(refused.body.committed).toBe(false);
    expect(refused.body.errors).toEqual([expect.objectContaining({ code: 'address_datum', field: 'crs' })]);
    expect(refused.body.errors[0].message).toMatch(/^坐標看來是 TWD67，不是 TWD97.*請加上 crs=EPSG:3828 重新匯入。$/);
    expect(await count()).toBe(before);
    const read = await importAs(big5(houseHoldCsv(sample, twd67)), { crs: 'EPSG:3828', dryRun: true }).expect(200);
    expect(read.body.errors).toEqual([]);
    expect(read.body.counts).toMatchObject({ error: 0, unchanged: sample.length });
  });

  it('is for the bureau and planners: officers and the public may not import', async () => {
    await postImport(w, 'officer', 'addresses', addressColumnCsv(addressRows.slice(0, 1))).expect(403);
    await postImport(w, 'public', 'addresses', addressColumnCsv(addressRows.slice(0, 1))).expect(401);
  });
});

describe('bad input', () => {
  const raw = (role: Role, query: string) => w.as(role).get(`/api/search?${query}`);

  it.each([
    ['a 1,000-character text', `q=${encodeURIComponent('中'.repeat(1000))}`, 'text_too_long', 'q'],
    ['a NUL byte', 'q=%00', 'text_nul', 'q'],
    ['a NUL inside a name', 'q=%E6%88%90%00%E5%8A%9F', 'text_nul', 'q'],
    ['a lone surrogate', 'q=%ED%A0%80', 'query_not_utf8', 'q'],
    ['a cut-off character', 'q=%E6%88', 'query_not_utf8', 'q'],
    ['Latin-1 bytes', 'q=%E9t%E9', 'query_not_utf8', 'q'],
    ['a % without two hex digits', 'q=100%', 'query_not_utf8', 'q'],
    ['no text', 'q=', 'search_query_missing', 'q'],
    ['only spaces', 'q=+%20+', 'search_query_missing', 'q'],
    ['no q', 'limit=5', 'search_query_missing', 'q'],
    ['q twice', 'q=a&q=b', 'repeated_parameter', 'q'],
    ['limit twice', 'q=a&limit=1&limit=2', 'repeated_parameter', 'limit'],
    ['an unknown parameter', 'q=a&bbox=1,2,3,4', 'unknown_parameter', 'bbox'],
    ['limit 0', 'q=%E6%88%90&limit=0', 'integer_out_of_range', 'limit'],
    ['limit 51', 'q=%E6%88%90&limit=51', 'integer_out_of_range', 'limit'],
    ['limit not a number', 'q=%E6%88%90&limit=ten', 'integer_out_of_range', 'limit'],
    ['limit in hexadecimal', 'q=%E6%88%90&limit=0x10', 'integer_out_of_range', 'limit'],
  ])('refuses %s with a 400 in Chinese', async (_what, query, code, field) => {
    for (const role of ['public', 'community', 'admin'] as const) {
      const res = await raw(role, query).expect(400);
      expect(res.body.error).toMatchObject({ code, field });
      expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it.each([['only punctuation', '!!!?'], ['CJK punctuation and spaces', '，。、 「」'], ['percent signs', '%%'], ['an underscore', '_'],
    ['control characters', '\u0001\u001f']])(
    'answers %s with nothing', async (_what, q) => {
      expect(await search('admin', q)).toEqual([]);
    });

  it('searches numbers no address has (a box pasted in, 30 digits, twelve Chinese numerals before 號) instead of failing', async () => {
    for (const q of ['120.19,22.98,120.2,22.990000000000002', '1'.repeat(30), '中山路一二三四五六七八九〇一二號', '大樹里123456789012鄰']) {
      for (const role of ['public', 'admin'] as const) expect(Array.isArray(await search(role, q)), q).toBe(true);
    }
    // Nine digits are still a number: the smallest refused is the tenth.
    const { rows } = await w.db.query<{ nine: number; ten: number | null }>(`SELECT small_number('123456789') AS nine, small_number('1234567890') AS ten`);
    expect(rows[0]).toEqual({ nine: 123456789, ten: null });
  });

  it('takes 100 characters, and % and _ as letters', async () => {
    expect(await search('public', '桃'.repeat(100))).toEqual([]);
    expect(await search('public', '100%')).toEqual([]);
  });
});
