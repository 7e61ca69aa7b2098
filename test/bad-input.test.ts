import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerFor } from '../server/http/errors.js';
import { postImport } from './support/imports.js';
import { box, openWorld, writeCounts, type World } from './support/world.js';

/**
 * Bad input is refused with a 4xx whose message says what is wrong and whose `field` names
 * the part of the request at fault, and a refused write leaves no row and no history row.
 */

let w: World;
/** Fixtures made by admin in beforeAll; ids are read by the case tables at run time. */
const ids = { place: 0, deletedPlace: 0, team: 0, camera: 0, block: 0, incident: 0 };

const TABLE: Record<string, string> = {
  cameras: 'cameras',
  'watch-blocks': 'watch_blocks',
  visits: 'visits',
  'drone-surveys': 'drone_surveys',
  incidents: 'incidents',
  'key-places': 'key_places',
};

type Props = Record<string, unknown>;
const point = (lon: unknown, lat: unknown) => ({ type: 'Point', coordinates: [lon, lat] });
const feature = (geometry: unknown, properties: Props) => ({ type: 'Feature', geometry, properties });
const CAMERA: Props = { name: '民族路口', azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police', is_public: true };
const camera = (geometry: unknown = point(120.205, 22.995), props: Props = {}) => feature(geometry, { ...CAMERA, ...props });
const BLOCK: Props = { name: '府前社區', adopter: '府前國小', adopter_kind: 'school' };
const block = (geometry: unknown = box(120.201, 22.991, 120.203, 22.993), props: Props = {}) => feature(geometry, { ...BLOCK, ...props });
const incident = (props: Props = {}) => feature(point(120.202, 22.992), { type: 'drugs', occurred_at: '2025-05-05T23:00:00+08:00', ...props });
const visit = (props: Props = {}) => feature(null, { place_id: ids.place, officer: '王警員', visited_at: '2025-06-01T10:00:00+08:00', ...props });
const ring = (...positions: unknown[][]) => ({ type: 'Polygon', coordinates: [positions] });
const tomorrow = () => new Date(Date.now() + 24 * 3600_000).toISOString();

beforeAll(async () => {
  w = await openWorld();
  const admin = w.as('admin');
  const post = async (layer: string, body: object) => (await admin.post(`/api/layers/${layer}/features`).send(body).expect(201)).body.id as number;
  ids.place = await post('key-places', feature(point(120.203, 22.993), { name: '鐵皮屋A', category: 'iron_sheet_house' }));
  ids.deletedPlace = await post('key-places', feature(point(120.204, 22.994), { name: '空屋B', category: 'vacant_house' }));
  await admin.delete(`/api/layers/key-places/features/${ids.deletedPlace}`).set('If-Match', '"1"').expect(204);
  ids.team = await post('watch-teams', feature(null, { name: '東門守望相助隊', precinct_code: 'P1' }));
  ids.camera = await post('cameras', camera());
  ids.block = await post('watch-blocks', block());
  ids.incident = await post('incidents', incident());
});
afterAll(async () => { await w?.close(); });

interface Refusal {
  status: number;
  /** Key phrase the message must contain. */
  message: RegExp;
  /** The field the error names; null: the error names none (the body as a whole is at fault). */
  field?: string | null;
  code?: string;
}

function expectRefusal(res: { status: number; body: { error?: { code?: string; message?: string; field?: string } } }, r: Refusal) {
  expect(res.status, JSON.stringify(res.body)).toBe(r.status);
  expect(res.body.error?.message).toMatch(r.message);
  if (r.field !== undefined) expect(res.body.error?.field ?? null).toBe(r.field);
  if (r.code) expect(res.body.error?.code).toBe(r.code);
}

const versionOf = async (table: string, id: number) =>
  (await w.db.query<{ version: number }>(`SELECT version FROM ${table} WHERE id = $1`, [id])).rows[0]!.version;

describe('POST refuses bad features, names the field and writes nothing', () => {
  interface PostCase extends Refusal { name: string; layer: string; body?: () => unknown; raw?: () => string }
  const cases: PostCase[] = [
    // The request body as a whole.
    { name: 'malformed JSON', layer: 'cameras', raw: () => '{"type": "Feature", "geometry": ', status: 400, code: 'malformed_json', message: /^請求內容不是有效的 JSON（.+）；請修正 JSON 的寫法後再送出。$/, field: null },
    { name: 'a JSON array, not a Feature', layer: 'cameras', body: () => [camera()], status: 400, code: 'feature_body_not_object', message: /請求內容必須是 GeoJSON Feature 物件/ },
    { name: 'a FeatureCollection', layer: 'cameras', body: () => ({ type: 'FeatureCollection', features: [camera()] }), status: 400, code: 'feature_body_type', message: /type 必須是 "Feature"/, field: 'type' },
    { name: 'properties that are not an object', layer: 'cameras', body: () => feature(point(120.205, 22.995), ['民族路口'] as unknown as Props), status: 400, code: 'properties_not_object', message: /properties 必須是 JSON 物件/, field: 'properties' },
    { name: 'a body over the 256 kB limit', layer: 'cameras', raw: () => JSON.stringify({ ...camera(), padding: 'x'.repeat(300_000) }), status: 413, code: 'body_too_large', message: /請求內容超過 256 KB 的上限（BODY_LIMIT）/, field: null },

    // Geometry structure.
    { name: 'no geometry', layer: 'cameras', body: () => camera(null), status: 400, code: 'geometry_required', message: /新增錄影監視系統需要點（Point）圖形/, field: 'geometry' },
    { name: 'geometry as WKT text', layer: 'cameras', body: () => camera('POINT(120.205 22.995)'), status: 400, code: 'geometry_not_object', message: /圖形必須是 GeoJSON 的 geometry 物件/, field: 'geometry' },
    { name: 'a Polygon on a point layer', layer: 'cameras', body: () => camera(box(120.201, 22.991, 120.203, 22.993)), status: 400, code: 'geometry_type', message: /這裡的圖形必須是點（Point），不能是 "Polygon"/, field: 'geometry.type' },
    { name: 'a Point on a polygon layer', layer: 'watch-blocks', body: () => block(point(120.202, 22.992)), status: 400, code: 'geometry_type', message: /必須是面（Polygon 或 MultiPolygon），不能是 "Point"/, field: 'geometry.type' },
    { name: 'a LineString on a polygon layer', layer: 'watch-blocks', body: () => block({ type: 'LineString', coordinates: [[120.201, 22.991], [120.203, 22.993]] }), status: 400, code: 'geometry_type', message: /不能是 "LineString"/, field: 'geometry.type' },
    { name: 'a non-numeric longitude', layer: 'cameras', body: () => camera(point('120.205', 22.995)), status: 400, code: 'coordinates_not_numbers', message: /坐標必須是數字/, field: 'geometry.coordinates[0]' },
    { name: 'a position with one number', layer: 'cameras', body: () => camera({ type: 'Point', coordinates: [120.205] }), status: 400, code: 'position_format', message: /每個位置必須是 \[經度, 緯度\] 兩個數字/, field: 'geometry.coordinates' },
    { name: 'a non-numeric polygon vertex', layer: 'watch-blocks', body: () => block(ring([120.201, 22.991], [120.203, 22.991], [120.203, 'north'], [120.201, 22.993], [120.201, 22.991])), status: 400, code: 'coordinates_not_numbers', message: /坐標必須是數字/, field: 'geometry.coordinates[0][2][1]' },
    { name: 'a ring with too few positions', layer: 'watch-blocks', body: () => block(ring([120.201, 22.991], [120.203, 22.991], [120.201, 22.991])), status: 400, code: 'ring_too_short', message: /環至少要有 4 個位置/, field: 'geometry.coordinates[0]' },
    { name: 'an unclosed ring', layer: 'watch-blocks', body: () => block(ring([120.201, 22.991], [120.203, 22.991], [120.203, 22.993], [120.201, 22.993], [120.2011, 22.9911])), status: 400, code: 'ring_not_closed', message: /多邊形的環沒有閉合/, field: 'geometry.coordinates[0]' },
    { name: 'an unclosed hole', layer: 'watch-blocks', body: () => block({ type: 'Polygon', coordinates: [box(120.201, 22.991, 120.204, 22.994).coordinates[0], [[120.202, 22.992], [120.203, 22.992], [120.203, 22.993], [120.202, 22.993]]] }), status: 400, code: 'ring_not_closed', message: /多邊形的環沒有閉合/, field: 'geometry.coordinates[1]' },

    // Where the coordinates are.
    { name: 'a point in Shanghai', layer: 'cameras', body: () => camera(point(121.47, 31.23)), status: 400, code: 'position_outside_taiwan', message: /坐標 \(121\.47, 31\.23\) 不在臺灣及其離島/, field: 'geometry.coordinates' },
    { name: 'a point in the Taiwan Strait between Penghu and Chiayi', layer: 'cameras', body: () => camera(point(119.85, 23.5)), status: 400, code: 'position_outside_taiwan', message: /不在臺灣及其離島/, field: 'geometry.coordinates' },
    { name: 'a point at Xiamen Gaoqi airport, beside Kinmen', layer: 'cameras', body: () => camera(point(118.1275, 24.544)), status: 400, code: 'position_outside_taiwan', message: /不在臺灣及其離島/, field: 'geometry.coordinates' },
    { name: 'a polygon vertex in Tokyo', layer: 'watch-blocks', body: () => block(ring([120.201, 22.991], [120.203, 22.991], [139.7, 35.7], [120.201, 22.993], [120.201, 22.991])), status: 400, code: 'position_outside_taiwan', message: /\(139\.7, 35\.7\) 不在臺灣/, field: 'geometry.coordinates[0][2]' },
    { name: 'a vertex outside Taiwan in the second part of a MultiPolygon', layer: 'watch-blocks', body: () => block({ type: 'MultiPolygon', coordinates: [box(120.201, 22.991, 120.202, 22.992).coordinates, [[[120.203, 22.993], [120.204, 22.993], [125, 22.994], [120.203, 22.994], [120.203, 22.993]]]] }), status: 400, code: 'position_outside_taiwan', message: /不在臺灣/, field: 'geometry.coordinates[1][0][2]' },
    { name: 'a longitude beyond 180°', layer: 'cameras', body: () => camera(point(200.5, 22.995)), status: 400, code: 'position_not_degrees', message: /不是以度為單位的經緯度/, field: 'geometry.coordinates' },
    { name: 'latitude and longitude swapped', layer: 'cameras', body: () => camera(point(22.995, 120.205)), status: 400, code: 'position_swapped', message: /經度與緯度寫反了.*應為 \(120\.205, 22\.995\)/, field: 'geometry.coordinates' },
    { name: 'a swapped polygon vertex', layer: 'watch-blocks', body: () => block(ring([120.201, 22.991], [22.991, 120.203], [120.203, 22.993], [120.201, 22.993], [120.201, 22.991])), status: 400, code: 'position_swapped', message: /寫反了/, field: 'geometry.coordinates[0][1]' },
    { name: 'TWD97 metres', layer: 'cameras', body: () => camera(point(169_500, 2_544_000)), status: 400, code: 'position_projected', message: /看起來是 TWD97 的公尺坐標/, field: 'geometry.coordinates' },
    { name: 'TWD97 metres, northing first', layer: 'cameras', body: () => camera(point(2_544_000, 169_500)), status: 400, code: 'position_projected', message: /TWD97 的公尺坐標/, field: 'geometry.coordinates' },
    { name: 'a TWD97 polygon', layer: 'watch-blocks', body: () => block(ring([169_500, 2_544_000], [169_700, 2_544_000], [169_700, 2_544_200], [169_500, 2_544_000])), status: 400, code: 'position_projected', message: /TWD97 的公尺坐標/, field: 'geometry.coordinates[0][0]' },

    // Topology, judged by PostGIS.
    { name: 'a hole outside its shell', layer: 'watch-blocks', body: () => block({ type: 'Polygon', coordinates: [box(120.201, 22.991, 120.202, 22.992).coordinates[0], box(120.203, 22.993, 120.204, 22.994).coordinates[0]] }), status: 400, code: 'invalid_geometry', message: /「geometry」的圖形無效：內環（洞）位於外環之外（Hole lies outside shell），位置約在 \(120\.20\d*, 22\.99\d*\)/, field: 'geometry' },
    { name: 'a self-intersecting drone survey area', layer: 'drone-surveys', body: () => feature(ring([120.201, 22.991], [120.203, 22.993], [120.203, 22.991], [120.201, 22.993], [120.201, 22.991]), { name: '工業區', purpose: 'factory_check' }), status: 400, code: 'invalid_geometry', message: /「geometry」的圖形無效：邊線自相交（Self-intersection），位置約在 \(/, field: 'geometry' },

    // Properties.
    { name: 'an unknown property', layer: 'cameras', body: () => camera(undefined, { colour: 'red' }), status: 400, code: 'property_unknown', message: /錄影監視系統沒有「colour」這個欄位；可用的欄位：「名稱」（name）/, field: 'properties.colour' },
    { name: 'a missing required property', layer: 'cameras', body: () => feature(point(120.205, 22.995), { name: 'x', fov: 60, range_m: 40, owner_kind: 'police' }), status: 400, code: 'properties_missing', message: /缺少必填欄位：「[^」]+」（azimuth）/, field: 'properties.azimuth' },
    { name: 'a required property set to null', layer: 'cameras', body: () => camera(undefined, { name: null }), status: 400, code: 'property_required', message: /（name）為必填/, field: 'properties.name' },
    { name: 'azimuth 360', layer: 'cameras', body: () => camera(undefined, { azimuth: 360 }), status: 400, code: 'property_invalid', message: /（azimuth）必須不小於 0、小於 360。/, field: 'properties.azimuth' },
    { name: 'a negative azimuth', layer: 'cameras', body: () => camera(undefined, { azimuth: -5 }), status: 400, message: /（azimuth）必須不小於 0、小於 360。/, field: 'properties.azimuth' },
    { name: 'azimuth as a string', layer: 'cameras', body: () => camera(undefined, { azimuth: '90' }), status: 400, message: /（azimuth）必須是數字/, field: 'properties.azimuth' },
    { name: 'a field of view of 0°', layer: 'cameras', body: () => camera(undefined, { fov: 0 }), status: 400, message: /（fov）必須大於 0、不超過 360。/, field: 'properties.fov' },
    { name: 'a field of view over 360°', layer: 'cameras', body: () => camera(undefined, { fov: 400 }), status: 400, message: /（fov）必須大於 0、不超過 360。/, field: 'properties.fov' },
    { name: 'a range of 5 km', layer: 'cameras', body: () => camera(undefined, { range_m: 5000 }), status: 400, message: /（range_m）必須大於 0、不超過 1000。/, field: 'properties.range_m' },
    { name: 'an install year in the future', layer: 'cameras', body: () => camera(undefined, { install_year: new Date().getFullYear() + 1 }), status: 400, message: /（install_year）必須是 1990 到 \d{4} 之間的整數/, field: 'properties.install_year' },
    { name: 'a drone flight above the legal 120 m', layer: 'drone-surveys', body: () => feature(box(120.201, 22.991, 120.203, 22.993), { name: '工業區', purpose: 'factory_check', altitude_m: 150 }), status: 400, code: 'property_invalid', message: /^「飛行高度（公尺）」（altitude_m）必須大於 0、不超過 120。$/, field: 'properties.altitude_m' },
    { name: 'a wrong enum value', layer: 'cameras', body: () => camera(undefined, { owner_kind: 'alien' }), status: 400, message: /（owner_kind）必須是下列其中之一：police（[^）]+）、community（[^）]+）、private/, field: 'properties.owner_kind' },
    { name: 'a boolean given as text', layer: 'cameras', body: () => camera(undefined, { lpr: 'yes' }), status: 400, message: /（lpr）必須是 true 或 false/, field: 'properties.lpr' },
    { name: 'setting the derived beat_code', layer: 'cameras', body: () => camera(undefined, { beat_code: 'B3' }), status: 400, code: 'property_derived', message: /（beat_code）由系統依位置或紀錄自動產生，不能直接設定/, field: 'properties.beat_code' },
    { name: 'setting the derived last_visited_at', layer: 'key-places', body: () => feature(point(120.203, 22.993), { name: 'x', category: 'vacant_house', last_visited_at: '2025-01-01T00:00:00+08:00' }), status: 400, code: 'property_derived', message: /（last_visited_at）由系統/, field: 'properties.last_visited_at' },
    { name: 'a key-place category that does not exist', layer: 'key-places', body: () => feature(point(120.203, 22.993), { name: 'x', category: 'casino' }), status: 400, message: /（category）必須是下列其中之一：dance_hall（/, field: 'properties.category' },
    { name: 'an unknown crime indicator sign', layer: 'key-places', body: () => feature(point(120.203, 22.993), { name: 'x', category: 'work_shed', indicators: { drug_lab: ['loud_music'] } }), status: 400, message: /的跡象必須是下列其中之一：covered_windows（門窗緊閉或遮蔽）/, field: 'properties.indicators' },
    { name: 'an impossible date', layer: 'key-places', body: () => feature(point(120.203, 22.993), { name: 'x', category: 'work_shed', listed_on: '2025-02-30' }), status: 400, code: 'datetime_format', message: /「properties\.listed_on」的「2025-02-30」不是 ISO 8601/, field: 'properties.listed_on' },
    { name: 'an incident dated tomorrow', layer: 'incidents', body: () => incident({ occurred_at: tomorrow() }), status: 400, message: /（occurred_at）不能是未來的時間/, field: 'properties.occurred_at' },
    { name: 'an incident time that is not ISO 8601', layer: 'incidents', body: () => incident({ occurred_at: 'last night' }), status: 400, code: 'datetime_format', message: /「last night」不是 ISO 8601/, field: 'properties.occurred_at' },
    { name: 'a visit dated tomorrow', layer: 'visits', body: () => visit({ visited_at: tomorrow() }), status: 400, message: /（visited_at）不能是未來的時間/, field: 'properties.visited_at' },
    { name: 'a visit with a geometry', layer: 'visits', body: () => ({ ...visit(), geometry: point(120.203, 22.993) }), status: 400, code: 'geometry_not_taken', message: /查訪紀錄沒有圖形/, field: 'geometry' },

    // References to other features.
    { name: 'a visit to a place that does not exist', layer: 'visits', body: () => visit({ place_id: 987_654 }), status: 400, code: 'reference_unknown', message: /（place_id）指向的治安重點處所編號 987654 不存在/, field: 'properties.place_id' },
    { name: 'a visit to a deleted place', layer: 'visits', body: () => visit({ place_id: ids.deletedPlace }), status: 400, message: /（place_id）指向的治安重點處所編號 \d+ 不存在/, field: 'properties.place_id' },
    { name: 'a watch block adopted by a team that does not exist', layer: 'watch-blocks', body: () => block(undefined, { team_id: 987_654 }), status: 400, message: /（team_id）指向的守望相助隊編號 987654/, field: 'properties.team_id' },
    { name: 'a drone survey targeting a place that does not exist', layer: 'drone-surveys', body: () => feature(box(120.201, 22.991, 120.204, 22.994), { name: '工業區', purpose: 'factory_check', target_place_ids: [ids.place, 987_654] }), status: 400, message: /（target_place_ids）指向的治安重點處所編號 987654 不存在/, field: 'properties.target_place_ids' },
  ];

  it.each(cases)('$name → $status', async (c) => {
    const table = TABLE[c.layer]!;
    const before = await writeCounts(w.db, table);
    let req = w.as('admin').post(`/api/layers/${c.layer}/features`);
    if (c.raw) req = req.set('Content-Type', 'application/json').send(c.raw());
    else req = req.send(c.body!() as object);
    expectRefusal(await req, c);
    expect(await writeCounts(w.db, table)).toEqual(before);
  });

  it('says where a bow-tie polygon crosses itself', async () => {
    const before = await writeCounts(w.db, 'watch_blocks');
    // The diagonals of [120.201, 120.203] × [22.991, 22.993] cross at its centre.
    const res = await w.as('admin').post('/api/layers/watch-blocks/features')
      .send(block(ring([120.201, 22.991], [120.203, 22.993], [120.203, 22.991], [120.201, 22.993], [120.201, 22.991])));
    expectRefusal(res, { status: 400, code: 'invalid_geometry', message: /邊線自相交（Self-intersection）/, field: 'geometry' });
    const at = /\((-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\)/.exec(res.body.error.message);
    expect(at, res.body.error.message).not.toBeNull();
    expect(Number(at![1])).toBeCloseTo(120.202, 6);
    expect(Number(at![2])).toBeCloseTo(22.992, 6);
    expect(await writeCounts(w.db, 'watch_blocks')).toEqual(before);
  });

  it('refuses a write to an unknown layer with 404', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await w.as('admin').post('/api/layers/no-such-layer/features').send(camera());
    expectRefusal(res, { status: 404, code: 'layer_unknown', message: /沒有「no-such-layer」這個圖層/ });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('refuses a body the JSON parser cannot read as sent, a charset or a Content-Encoding it lacks, with 415 in Chinese', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const send = (headers: Record<string, string>) => w.as('admin').post('/api/layers/cameras/features').set(headers).send(JSON.stringify(camera()));
    expectRefusal(await send({ 'Content-Type': 'application/json; charset=latin1' }),
      { status: 415, code: 'body_charset', message: /^請求內容的字元集「latin1」不受支援；請以 UTF-8 編碼/, field: null });
    expectRefusal(await send({ 'Content-Type': 'application/json', 'Content-Encoding': 'compress' }),
      { status: 415, code: 'body_encoding', message: /^請求內容的壓縮方式（Content-Encoding: compress）不受支援；請改用 gzip、deflate 或 br 壓縮/, field: null });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('keeps the status of a refusal Express raises itself (a path that is not percent-encoding), in Chinese with its own words in brackets', async () => {
    const res = await w.as('admin').get('/api/layers/%E0%A4/features');
    expectRefusal(res, { status: 400, code: 'invalid_request', message: /^無法處理這個請求（Failed to decode param '%E0%A4'）；請檢查網址、參數與請求內容後再送出。$/, field: null });
  });
});

describe('accepted input (so the refusals above are not refusing everything)', () => {
  it.each([
    ['澎湖', 119.57, 23.57],
    ['金門', 118.32, 24.43],
    ['馬祖南竿', 119.94, 26.16],
    ['綠島', 121.49, 22.66],
    ['蘭嶼', 121.55, 22.04],
    ['臺南 (B1)', 120.205, 22.995],
  ])('a camera on %s (%f, %f) is created', async (_name, lon, lat) => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await w.as('admin').post('/api/layers/cameras/features').send(camera(point(lon, lat))).expect(201);
    expect(res.body.geometry).toEqual({ type: 'Point', coordinates: [lon, lat] });
    expect(await writeCounts(w.db, 'cameras')).toEqual({ rows: before.rows + 1, history: before.history + 1 });
  });

  it('takes a 3D position and keeps it 2D, and a body just under the limit', async () => {
    const res = await w.as('admin').post('/api/layers/cameras/features').send(camera({ type: 'Point', coordinates: [120.2051, 22.9951, 12.5] })).expect(201);
    expect(res.body.geometry.coordinates).toEqual([120.2051, 22.9951]);
    // A circle of 4000 vertices is about 130 kB of JSON: inside the 256 kB limit.
    const n = 4000;
    const circle = Array.from({ length: n + 1 }, (_, i) => {
      const a = (2 * Math.PI * (i % n)) / n;
      return [Number((120.205 + 0.002 * Math.cos(a)).toFixed(9)), Number((22.995 + 0.002 * Math.sin(a)).toFixed(9))];
    });
    const body = JSON.stringify(block({ type: 'Polygon', coordinates: [circle] }));
    expect(body.length).toBeGreaterThan(100_000);
    expect(body.length).toBeLessThan(256 * 1024);
    const big = await w.as('admin').post('/api/layers/watch-blocks/features').set('Content-Type', 'application/json').send(body);
    expect(big.status, JSON.stringify(big.body).slice(0, 500)).toBe(201);
    expect(big.body.properties.beat_code).toBe('B1');
  });
});

describe('PATCH that would make a valid feature invalid changes nothing', () => {
  interface PatchCase extends Refusal { name: string; layer: string; id: () => number; body: () => unknown }
  const cases: PatchCase[] = [
    { name: 'azimuth 400', layer: 'cameras', id: () => ids.camera, body: () => ({ properties: { azimuth: 400 } }), status: 400, message: /（azimuth）必須不小於 0、小於 360/, field: 'properties.azimuth' },
    { name: 'a required name set to null', layer: 'cameras', id: () => ids.camera, body: () => ({ properties: { name: null } }), status: 400, message: /（name）為必填，不能是空值/, field: 'properties.name' },
    { name: 'an unknown property', layer: 'cameras', id: () => ids.camera, body: () => ({ properties: { colour: 'red' } }), status: 400, message: /沒有「colour」這個欄位/, field: 'properties.colour' },
    { name: 'the derived beat_code', layer: 'cameras', id: () => ids.camera, body: () => ({ properties: { beat_code: 'B3' } }), status: 400, code: 'property_derived', message: /（beat_code）由系統/, field: 'properties.beat_code' },
    { name: 'a valid change together with an invalid one', layer: 'cameras', id: () => ids.camera, body: () => ({ properties: { status: 'broken', range_m: 0 } }), status: 400, message: /（range_m）必須大於 0、不超過 1000/, field: 'properties.range_m' },
    { name: 'a move outside Taiwan', layer: 'cameras', id: () => ids.camera, body: () => ({ geometry: point(121.47, 31.23) }), status: 400, code: 'position_outside_taiwan', message: /不在臺灣及其離島/, field: 'geometry.coordinates' },
    { name: 'a move with swapped coordinates', layer: 'cameras', id: () => ids.camera, body: () => ({ geometry: point(22.995, 120.205) }), status: 400, code: 'position_swapped', message: /經度與緯度寫反了/, field: 'geometry.coordinates' },
    { name: 'a polygon for a camera', layer: 'cameras', id: () => ids.camera, body: () => ({ geometry: box(120.201, 22.991, 120.203, 22.993) }), status: 400, code: 'geometry_type', message: /必須是點（Point）/, field: 'geometry.type' },
    { name: 'a bow-tie watch block', layer: 'watch-blocks', id: () => ids.block, body: () => ({ geometry: ring([120.201, 22.991], [120.203, 22.993], [120.203, 22.991], [120.201, 22.993], [120.201, 22.991]) }), status: 400, code: 'invalid_geometry', message: /邊線自相交（Self-intersection），位置約在 \(120\.20\d*, 22\.99\d*\)/, field: 'geometry' },
    { name: 'an unclosed watch block', layer: 'watch-blocks', id: () => ids.block, body: () => ({ geometry: ring([120.201, 22.991], [120.203, 22.991], [120.203, 22.993], [120.201, 22.993]) }), status: 400, code: 'ring_not_closed', message: /環沒有閉合/, field: 'geometry.coordinates[0]' },
    { name: 'a team that does not exist', layer: 'watch-blocks', id: () => ids.block, body: () => ({ properties: { team_id: 987_654 } }), status: 400, message: /（team_id）指向的守望相助隊編號 987654/, field: 'properties.team_id' },
    { name: 'an incident moved into the future', layer: 'incidents', id: () => ids.incident, body: () => ({ properties: { occurred_at: tomorrow() } }), status: 400, message: /不能是未來的時間/, field: 'properties.occurred_at' },
    { name: 'a body that is a FeatureCollection', layer: 'cameras', id: () => ids.camera, body: () => ({ type: 'FeatureCollection', features: [] }), status: 400, message: /type 必須是 "Feature"/, field: 'type' },
  ];

  it.each(cases)('$name → $status', async (c) => {
    const table = TABLE[c.layer]!;
    const before = await writeCounts(w.db, table);
    const url = `/api/layers/${c.layer}/features/${c.id()}`;
    const got = await w.as('admin').get(url).expect(200);
    // If-Match * so that one wrongly accepted case does not turn every later one into a 412.
    const res = await w.as('admin').patch(url).set('If-Match', '*').send(c.body() as object);
    expectRefusal(res, c);
    expect(await writeCounts(w.db, table)).toEqual(before);
    expect(await versionOf(table, c.id())).toBe(1);
    const after = await w.as('admin').get(url).expect(200);
    expect(after.body).toEqual(got.body);
  });

  it('the fixtures themselves are still patchable (control)', async () => {
    const url = `/api/layers/cameras/features/${ids.camera}`;
    const before = await writeCounts(w.db, 'cameras');
    const res = await w.as('admin').patch(url).set('If-Match', '"1"').send({ properties: { azimuth: 359.5 } }).expect(200);
    expect(res.body.properties.azimuth).toBe(359.5);
    expect(await writeCounts(w.db, 'cameras')).toEqual({ rows: before.rows, history: before.history + 1 });
    await w.as('admin').patch(url).set('If-Match', '"2"').send({ properties: { azimuth: 90 } }).expect(200);
  });
});

describe('listing refuses bad query parameters, naming the parameter', () => {
  const cases: (Refusal & { query: string; layer?: string })[] = [
    { query: 'bbox=a,b,c,d', status: 400, code: 'bbox_format', message: /「bbox」必須是 4 個以逗號分隔的十進位數字/, field: 'bbox' },
    { query: 'bbox=120.2,22.99,120.21', status: 400, code: 'bbox_format', message: /必須是 4 個/, field: 'bbox' },
    { query: 'bbox=22.99,120.2,23.0,120.21', status: 400, code: 'bbox_out_of_range', message: /緯度須在 -90 到 90 度之間.*寫反/, field: 'bbox' },
    { query: 'bbox=169000,2543000,171000,2545000', status: 400, code: 'bbox_projected', message: /投影座標/, field: 'bbox' },
    { query: 'bbox=120.21,22.99,120.2,23.0', status: 400, code: 'bbox_antimeridian', message: /西界大於東界.*180 度經線/, field: 'bbox' },
    { query: 'bbox=200,22.9,210,23.1', status: 400, code: 'bbox_out_of_range', message: /經度須在 -180 到 180 度/, field: 'bbox' },
    { query: 'limit=0', status: 400, code: 'limit_out_of_range', message: /limit 必須是 1 到 10000 之間的整數/, field: 'limit' },
    { query: 'limit=ten', status: 400, code: 'limit_out_of_range', message: /limit 必須是/, field: 'limit' },
    { query: 'limit=2.5', status: 400, code: 'limit_out_of_range', message: /limit 必須是/, field: 'limit' },
    { query: 'limit=10001', status: 400, code: 'limit_out_of_range', message: /1 到 10000/, field: 'limit' },
    { query: 'limit=5&limit=6', status: 400, code: 'repeated_parameter', message: /參數「limit」只能給一次/, field: 'limit' },
    { query: 'cursor=not-a-cursor', status: 400, code: 'cursor_invalid', message: /cursor 不是本服務給出的分頁游標/, field: 'cursor' },
    { query: 'colour=red', status: 400, code: 'unknown_parameter', message: /不認得參數「colour」。可用的參數：bbox、limit、cursor、name、.*status/, field: 'colour' },
    { query: 'lpr=maybe', status: 400, code: 'filter_not_boolean', message: /「lpr」必須是 true 或 false/, field: 'lpr' },
    // Names every object has are no booleans either (a lookup that found them sent a function to the database).
    { query: 'lpr=constructor', status: 400, code: 'filter_not_boolean', message: /「lpr」必須是 true 或 false/, field: 'lpr' },
    { query: 'lpr=__proto__', status: 400, code: 'filter_not_boolean', message: /「lpr」必須是 true 或 false/, field: 'lpr' },
    { query: 'install_year=recent', status: 400, code: 'integer_out_of_range', message: /「install_year」必須是 1990 到 \d{4} 之間的整數/, field: 'install_year' },
    { query: 'status=borken', status: 400, code: 'filter_not_a_choice', message: /「status」沒有「borken」這個值；可用的值：working（[^）]+）、broken（[^）]+）、offline/, field: 'status' },
    { query: 'datetime=2025-01-01/2025-02-01', status: 400, code: 'layer_untimed', message: /錄影監視系統沒有時間欄位，不能以「datetime」篩選/, field: 'datetime' },
    { layer: 'incidents', query: 'datetime=yesterday', status: 400, code: 'datetime_format', message: /「datetime」的「yesterday」不是 ISO 8601/, field: 'datetime' },
    // A layer without positions has no bbox to filter by (it once reached the database as t.geom: a 500).
    { layer: 'bureaus', query: 'bbox=120.19,22.98,120.2,22.99', status: 400, code: 'unknown_parameter', message: /不認得參數「bbox」。可用的參數：limit、cursor/, field: 'bbox' },
  ];

  it.each(cases)('GET …/features?$query → $status', async (c) => {
    const res = await w.as('admin').get(`/api/layers/${c.layer ?? 'cameras'}/features?${c.query}`);
    expectRefusal(res, c);
  });

  it('a layer without positions refuses a bbox in its export too', async () => {
    expectRefusal(await w.as('public').get('/api/export/bureaus?bbox=120.19,22.98,120.2,22.99'),
      { status: 400, code: 'unknown_parameter', message: /不認得參數「bbox」/, field: 'bbox' });
  });

  it('a well-formed listing answers (control)', async () => {
    const res = await w.as('admin').get('/api/layers/cameras/features?bbox=120.2,22.99,120.21,23.0&limit=10&status=working').expect(200);
    expect(res.body.features.map((f: { id: number }) => f.id)).toContain(ids.camera);
  });

  it('an unknown layer is 404', async () => {
    const res = await w.as('admin').get('/api/layers/no-such-layer/features');
    expectRefusal(res, { status: 404, code: 'layer_unknown', message: /沒有「no-such-layer」這個圖層，或你的帳號不能讀取它；可用的圖層列在 GET \/api\/layers/ });
  });
});

describe('feature ids in the URL', () => {
  const bad = ['abc', '0', '-3', '1.5', '99999999999999999999', '0x1', '1e3', '+1', '9007199254740992'];
  it.each(bad.flatMap((id) => (['get', 'patch', 'delete'] as const).map((method) => ({ id, method }))))(
    '$method …/features/$id → 400 naming id', async ({ id, method }) => {
      const before = await writeCounts(w.db, 'cameras');
      let req = w.as('admin')[method](`/api/layers/cameras/features/${id}`);
      if (method !== 'get') req = req.set('If-Match', '*');
      if (method === 'patch') req = req.send({ properties: { status: 'broken' } });
      expectRefusal(await req, { status: 400, code: 'id_invalid', message: new RegExp(`「id」的「${id.replace(/[.+]/g, '\\$&')}」不是有效的編號：編號是 1 到 9007199254740991 之間的十進位整數`), field: 'id' });
      expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    });

  it.each(['get', 'patch', 'delete'] as const)('%s of a feature that does not exist → 404', async (method) => {
    const before = await writeCounts(w.db, 'cameras');
    let req = w.as('admin')[method]('/api/layers/cameras/features/987654');
    if (method !== 'get') req = req.set('If-Match', '*');
    if (method === 'patch') req = req.send({ properties: { status: 'broken' } });
    expectRefusal(await req, { status: 404, code: 'feature_unknown', message: /錄影監視系統沒有編號 987654 的資料/ });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });
});

describe('every value is checked to its type\'s range at the edge: a 4xx in Chinese naming the field, never a 5xx', () => {
  const CHINESE = /[\u4e00-\u9fff]/;
  const cursorFor = (id: string) => Buffer.from(`id:${id}`).toString('base64url');
  interface RangeCase { role?: 'public' | 'admin'; url: string; code: string; field: string }
  const reads: RangeCase[] = [
    // NUL and text that is not Unicode, wherever text arrives.
    { role: 'public', url: '/api/search?q=%00', code: 'text_nul', field: 'q' },
    { role: 'public', url: '/api/search?q=a%00b', code: 'text_nul', field: 'q' },
    { role: 'public', url: '/api/layers/cameras/features?name=%00', code: 'text_nul', field: 'name' },
    { role: 'public', url: '/ogc/collections/beats/items?code=B%001', code: 'text_nul', field: 'code' },
    { role: 'public', url: '/api/analysis/hot-hours?station=%00', code: 'text_nul', field: 'station' },
    { role: 'public', url: '/api/search?q=%ED%A0%80', code: 'query_not_utf8', field: 'q' },
    { role: 'public', url: '/api/search?q=%FF', code: 'query_not_utf8', field: 'q' },
    { role: 'public', url: '/api/search?q=100%', code: 'query_not_utf8', field: 'q' },
    { role: 'public', url: '/api/search?q=x&zzz=1', code: 'unknown_parameter', field: 'zzz' },
    // Integers and ids against the range of their column.
    { role: 'public', url: '/api/layers/cameras/features?install_year=2147483648', code: 'integer_out_of_range', field: 'install_year' },
    { role: 'public', url: '/api/layers/cameras/features?install_year=-2147483649', code: 'integer_out_of_range', field: 'install_year' },
    { role: 'public', url: '/api/layers/cameras/features?install_year=0x7e7', code: 'integer_out_of_range', field: 'install_year' },
    { role: 'public', url: '/api/layers/buildings/features?levels=99999999999999999999', code: 'integer_out_of_range', field: 'levels' },
    { role: 'public', url: '/api/layers/watch-blocks/features?team_id=9223372036854775808', code: 'id_invalid', field: 'team_id' },
    { role: 'public', url: `/api/layers/cameras/features?cursor=${cursorFor('9223372036854775808')}`, code: 'cursor_invalid', field: 'cursor' },
    { role: 'public', url: `/api/layers/cameras/features?cursor=${cursorFor('99999999999999999999999')}`, code: 'cursor_invalid', field: 'cursor' },
    { role: 'public', url: '/api/layers/cameras/features/0x1', code: 'id_invalid', field: 'id' },
    { role: 'public', url: '/api/search?q=x&limit=0x10', code: 'integer_out_of_range', field: 'limit' },
    { role: 'public', url: '/api/locate?lon=0x78&lat=23', code: 'number_not_decimal', field: 'lon' },
    { role: 'public', url: '/api/locate?lon=%20120.2&lat=23', code: 'number_not_decimal', field: 'lon' },
    { role: 'public', url: '/api/rollups?replaceAfter=0x5', code: 'integer_out_of_range', field: 'replaceAfter' },
    // Dates: years 1–9999, real days, offsets within ±14:00.
    { role: 'admin', url: '/api/layers/incidents/features?datetime=0000-01-01', code: 'datetime_year', field: 'datetime' },
    { role: 'admin', url: '/api/layers/incidents/features?datetime=2026-01-01T00:00:00%2B15:59', code: 'datetime_offset', field: 'datetime' },
    { role: 'admin', url: '/api/layers/incidents/features?datetime=2026-01-01T00:00:00-14:01/..', code: 'datetime_offset', field: 'datetime' },
    { role: 'admin', url: '/api/layers/incidents/features?datetime=2026-01-01T24:00:00', code: 'datetime_format', field: 'datetime' },
    { role: 'public', url: '/api/analysis/hot-hours?datetime=0000-01-01/2026-01-01', code: 'datetime_year', field: 'datetime' },
    { role: 'public', url: '/api/rollups?period=0000H1', code: 'datetime_year', field: 'period' },
    { role: 'public', url: '/api/rollups?period=9999H2', code: 'datetime_year', field: 'period' },
    { role: 'public', url: '/api/rollups?from=2050-13-22&to=2051-01-01', code: 'datetime_format', field: 'from' },
    { role: 'public', url: '/api/rollups?from=0001-01-01&to=0001-02-01', code: 'datetime_year', field: 'from' },
    // Boxes: four finite decimal numbers, west below east.
    { role: 'public', url: '/api/layers/cameras/features?bbox=,,,', code: 'bbox_format', field: 'bbox' },
    { role: 'public', url: '/api/layers/cameras/features?bbox=120,22,121,23,0,0', code: 'bbox_format', field: 'bbox' },
    { role: 'public', url: '/api/layers/cameras/features?bbox=0x78,22,121,23', code: 'bbox_format', field: 'bbox' },
    { role: 'public', url: '/api/layers/cameras/features?bbox=120,22,Infinity,23', code: 'bbox_format', field: 'bbox' },
    { role: 'public', url: '/api/layers/cameras/features?bbox=120,22,120,23', code: 'bbox_empty', field: 'bbox' },
    { role: 'public', url: '/api/layers/cameras/features?bbox=179,22,-179,23', code: 'bbox_antimeridian', field: 'bbox' },
    { role: 'public', url: '/api/analysis/hotspots?bbox=,,,', code: 'bbox_format', field: 'bbox' },
  ];

  it.each(reads)('$role GET $url → 400 $code naming $field', async (c) => {
    const res = await w.as(c.role ?? 'public').get(c.url);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: c.code, field: c.field });
    expect(res.body.error.message).toMatch(CHINESE);
  });

  it.each([
    '/api/layers/incidents/features?datetime=0001-01-01/9999-12-31',
    '/api/layers/incidents/features?datetime=2025-05-05T23:00:00%2B14:00/2025-05-05T23:00:00-14:00',
    '/api/layers/incidents/features?datetime=0001-01-01T00:00:00Z/..',
    '/api/analysis/hot-hours?datetime=0001-01-01/9999-12-31',
    '/api/layers/cameras/features?install_year=1990,2025&bbox=120.2,22.99,120.21,23.0',
    '/api/rollups?from=0002-01-01&to=0002-12-31',
  ])('the edges themselves are accepted: %s', async (url) => {
    const res = await w.as('admin').get(url);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  });

  interface WriteCase { name: string; layer: string; raw: () => string; code: string; field?: string }
  const cam = (geometry: unknown, props: Props = {}, extra: object = {}) => JSON.stringify({ ...camera(geometry as never, props), ...extra });
  const writes: WriteCase[] = [
    { name: 'a NUL in a name', layer: 'cameras', raw: () => cam(undefined, { name: 'a\u0000b' }), code: 'text_nul', field: 'properties.name' },
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a client would send it.
    { name: 'a lone surrogate in a name', layer: 'cameras', raw: () => cam(undefined, { name: 'a\ud800b' }), code: 'text_lone_surrogate', field: 'properties.name' },
    { name: 'a lone low surrogate in a property name', layer: 'cameras', raw: () => cam(undefined, { ['\udc00']: 1 }), code: 'text_lone_surrogate', field: 'properties.\udc00' },
    // A surrogate written as UTF-8 bytes (ED A0 80), which a lenient decoder turns into U+FFFD.
    { name: 'bytes that are not UTF-8', layer: 'cameras', raw: () => JSON.stringify(camera(undefined, { name: 'X' })).replace(/[^\x00-\x7f]/g, '').replace('"X"', '"\xed\xa0\x80"'), code: 'body_not_utf8' },
    { name: 'a Point in TWD97 declared by a crs member', layer: 'cameras', raw: () => cam({ ...point(169_500, 2_544_000), crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3826' } } }), code: 'crs_not_wgs84', field: 'geometry.crs' },
    { name: 'a Point in degrees declared EPSG:3826', layer: 'cameras', raw: () => cam({ ...point(120.205, 22.995), crs: { type: 'name', properties: { name: 'EPSG:3826' } } }), code: 'crs_not_wgs84', field: 'geometry.crs' },
    { name: 'a Feature whose crs member names TWD67', layer: 'cameras', raw: () => cam(undefined, {}, { crs: { type: 'name', properties: { name: 'EPSG:3828' } } }), code: 'crs_not_wgs84', field: 'crs' },
    { name: 'a crs member that is not a named crs', layer: 'cameras', raw: () => cam({ ...point(120.205, 22.995), crs: 'EPSG:4326' }), code: 'crs_invalid', field: 'geometry.crs' },
    { name: 'an incident in year 0', layer: 'incidents', raw: () => JSON.stringify(incident({ occurred_at: '0000-05-05T23:00:00+08:00' })), code: 'datetime_year', field: 'properties.occurred_at' },
    { name: 'an incident with an offset of +15:00', layer: 'incidents', raw: () => JSON.stringify(incident({ occurred_at: '2025-05-05T23:00:00+15:00' })), code: 'datetime_offset', field: 'properties.occurred_at' },
    { name: 'a listing date in year 10000', layer: 'key-places', raw: () => JSON.stringify(feature(point(120.203, 22.993), { name: 'x', category: 'work_shed', listed_on: '10000-01-01' })), code: 'datetime_format', field: 'properties.listed_on' },
  ];

  it.each(writes)('POST $name → 400 $code, nothing written', async (c) => {
    const table = TABLE[c.layer]!;
    const before = await writeCounts(w.db, table);
    // Sent as bytes: the text of each case, one byte per character where it spells bytes.
    const raw = c.raw();
    const res = await w.as('admin').post(`/api/layers/${c.layer}/features`).set('Content-Type', 'application/json')
      .serialize((x: string) => x).send(typeof raw === 'string' && /[\x80-\xff]/.test(raw) ? Buffer.from(raw, 'latin1') as never : raw);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe(c.code);
    if (c.field) expect(res.body.error.field).toBe(c.field);
    expect(res.body.error.message).toMatch(CHINESE);
    expect(await writeCounts(w.db, table)).toEqual(before);
  });

  it('a reference beyond bigint is refused by the schema, not by the database', async () => {
    const before = await writeCounts(w.db, 'visits');
    const res = await w.as('admin').post('/api/layers/visits/features').send(visit({ place_id: 2 ** 63 })).expect(400);
    expect(res.body.error.field).toBe('properties.place_id');
    expect(await writeCounts(w.db, 'visits')).toEqual(before);
  });

  it('a crs member naming WGS84 (CRS84 or EPSG:4326) is taken: it says what GeoJSON means anyway', async () => {
    for (const name of ['urn:ogc:def:crs:OGC:1.3:CRS84', 'EPSG:4326', 'urn:ogc:def:crs:EPSG::4326']) {
      const res = await w.as('admin').post('/api/layers/cameras/features')
        .send({ ...camera({ ...point(120.2052, 22.9952), crs: { type: 'name', properties: { name } } } as never), crs: { type: 'name', properties: { name } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.geometry).toEqual({ type: 'Point', coordinates: [120.2052, 22.9952] });
    }
  });

  it('a lone surrogate in a PATCH changes nothing, and text that is whole Unicode (a surrogate pair) is kept exactly', async () => {
    const url = `/api/layers/cameras/features/${ids.camera}`;
    const got = await w.as('admin').get(url).expect(200);
    const etag = String(got.headers.etag);
    const bad = await w.as('admin').patch(url).set('If-Match', etag).send({ properties: { name: '\ud842' } }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'text_lone_surrogate', field: 'properties.name' });
    expect((await w.as('admin').get(url).expect(200)).headers.etag).toBe(etag);
    const ok = await w.as('admin').patch(url).set('If-Match', etag).send({ properties: { name: '𠮷野家前' } }).expect(200);
    expect(ok.body.properties.name).toBe('𠮷野家前');
    await w.as('admin').patch(url).set('If-Match', String(ok.headers.etag)).send({ properties: { name: CAMERA.name } }).expect(200);
  });
});

describe('text an import file holds: the same rules as the API', () => {
  const header = 'name,azimuth,fov,range_m,owner_kind,lon,lat';
  const sources = async () => (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_sources')).rows[0]!.n;

  it('a column name with NUL is refused before anything is saved (the source keeps its column names)', async () => {
    const [before, kept] = [await writeCounts(w.db, 'cameras'), await sources()];
    const res = await postImport(w, 'admin', 'cameras', `${header},備\u0000註\n甲,1,2,3,police,120.2,22.99,x\n`, { source: '測試' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'column_name_invalid', field: 'file', message: expect.stringMatching(/欄位名稱.*空字元/) });
    expect([await writeCounts(w.db, 'cameras'), await sources()]).toEqual([before, kept]);
  });

  it('a cell with NUL is that row\'s error, naming the property; the file is refused whole', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await postImport(w, 'admin', 'cameras', `${header}\n甲\u0000乙,1,2,3,police,120.2,22.99\n`).expect(422);
    expect(res.body.rows[0].errors[0]).toMatchObject({ code: 'text_nul', field: 'properties.name' });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('a NUL in a multipart field is refused like one in the query string', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await w.as('admin').post('/api/import/cameras').field('source', 'a\u0000b').attach('file', Buffer.from(`${header}\n甲,1,2,3,police,120.2,22.99\n`), 'c.csv').expect(400);
    expect(res.body.error).toMatchObject({ code: 'text_nul', field: 'source' });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });
});

describe('what PostgreSQL refuses and what nobody foresaw: their statuses and codes, in Chinese', () => {
  const pg = (code: string, message: string, detail?: string) => Object.assign(new Error(message), { code, ...(detail ? { detail } : {}) });

  it.each([
    ['23505', 409, 'conflict', /^這筆資料與既有的資料重複（duplicate key value violates unique constraint "u": Key \(code\)=\(B1\) already exists\.）；請檢查代碼或編號/],
    ['23503', 400, 'invalid_reference', /^指向的資料不存在或已刪除（duplicate key .*）；請檢查參照的編號或代碼。$/],
    ['23514', 400, 'invalid_value', /^有值不符資料庫的規定（duplicate key .*）；請修正這個值後再送出。$/],
    ['23502', 400, 'missing_value', /^缺少必填的值（duplicate key .*）；請補上後再送出。$/],
    ['XX000', 400, 'invalid_geometry', /^圖形無效，資料庫無法處理（duplicate key .*）。請修正圖形/],
  ] as const)('SQLSTATE %s → %i %s', (sqlstate, status, code, message) => {
    const h = answerFor(pg(sqlstate, 'duplicate key value violates unique constraint "u"', 'Key (code)=(B1) already exists.'));
    expect([h.status, h.code]).toEqual([status, code]);
    expect(h.message).toMatch(message);
  });

  it('answers an error nobody foresaw with a 500 that says so in Chinese (and logs it)', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const h = answerFor(new Error('boom'));
      expect([h.status, h.code, h.message]).toEqual([500, 'internal', '伺服器發生未預期的錯誤，這項要求沒有完成；請稍後再試，若一再發生，請通知系統管理者。']);
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });
});
