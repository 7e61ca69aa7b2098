import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../server/auth/users.js';
import { LAYERS } from '../server/layers/registry.js';
import { tileAt } from '../server/tiles/coords.js';
import { binary, decodeTile } from './support/mvt.js';
import { PASSWORD, box, openWorld, writeCounts, type World } from './support/world.js';

/**
 * Who may see and change what, through every endpoint that exists: the registry's rules as the
 * community, the public, a planner and an officer meet them, and how accounts sign in and out.
 * World (test/support/world.ts): P1/S1 = beats B1 [120.20,120.21] and B2 [120.21,120.22],
 * P2/S2 = B3 [120.22,120.23], all lat 22.99–23.00; the community account's area is
 * [120.200,120.205]×[22.990,22.995], the south-west quarter of B1.
 */
let w: World;
const ids: Record<string, number> = {};
const SECRET = '秘密聯絡人 0912-345-678';
const BEAT_OFFICER = '王警員';
type Role = Parameters<World['as']>[0];
type Outsider = 'public' | 'community';

/** What the community view may never receive (issue 2, item 7; DESIGN.md). */
const SENSITIVE_LAYERS = ['key-places', 'visits', 'incidents', 'drone-surveys'];
/** Everything else: the reference ground, unit boundaries and contacts, public cameras, watch teams and blocks. */
const OUTSIDE_LAYERS = ['blocks', 'villages', 'towns', 'addresses', 'counties', 'bureaus', 'precincts', 'stations', 'beats', 'police-units', 'buildings',
  'cameras', 'camera-coverage', 'watch-teams', 'watch-blocks'];
const sensitiveProps = (layer: string) => LAYERS.find((l) => l.id === layer)!.properties.filter((p) => p.sensitive).map((p) => p.name);
const tableOf = (layer: string) => LAYERS.find((l) => l.id === layer)!.table;

/** A second planner, of P2, signed in: for checks that one precinct never sees another's. */
let planner2 = '';
const asPlanner2 = { get: (url: string) => request(w.app).get(url).set('Authorization', `Bearer ${planner2}`) };

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const feature = (geometry: object | null, properties: Record<string, unknown>) => ({ type: 'Feature', geometry, properties });
const place = (lon: number, lat: number) => feature(point(lon, lat), { name: '出租套房', category: 'subdivided_house' });
const login = (username: string, password: string) => request(w.app).post('/api/login').send({ username, password });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  w = await openWorld();
  const insert = async (name: string, sql: string) => {
    ids[name] = (await w.db.query<{ id: number }>(`${sql} RETURNING id::int AS id`)).rows[0]!.id;
  };
  await w.db.exec(`SELECT set_config('app.actor', 'fixture', false)`);
  const cam = (name: string, isPublic: boolean, lon: number, lat: number) =>
    insert(name, `INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, contact, geom)
      VALUES ('${name}', 0, 90, 30, 'community', ${isPublic}, '${SECRET}', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`);
  await cam('publicInArea', true, 120.202, 22.992);
  await cam('publicInB2', true, 120.215, 22.995);
  await cam('privateInArea', false, 120.203, 22.993);
  await cam('publicInP2', true, 120.225, 22.995);
  await cam('privateInP2', false, 120.226, 22.996);
  const keyPlace = (name: string, lon: number, lat: number) =>
    insert(name, `INSERT INTO key_places (name, category, notes, geom) VALUES ('${name}', 'iron_sheet_house', '${SECRET}', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`);
  await keyPlace('placeP1', 120.203, 22.994);
  await keyPlace('placeB2', 120.214, 22.994);
  await keyPlace('placeP2', 120.225, 22.994);
  await insert('incidentP1', `INSERT INTO incidents (type, occurred_at, description, geom) VALUES ('drugs', now(), '${SECRET}', ST_SetSRID(ST_MakePoint(120.204, 22.991), 4326))`);
  await insert('incidentP2', `INSERT INTO incidents (type, occurred_at, geom) VALUES ('drugs', now(), ST_SetSRID(ST_MakePoint(120.226, 22.991), 4326))`);
  await insert('visitP1', `INSERT INTO visits (place_id, officer, visited_at, findings) VALUES (${ids.placeP1}, '${BEAT_OFFICER}', now(), '${SECRET}')`);
  await insert('visitP2', `INSERT INTO visits (place_id, officer, visited_at) VALUES (${ids.placeP2}, '陳警員', now())`);
  await insert('survey', `INSERT INTO drone_surveys (name, purpose, geom) VALUES ('空拍', 'factory_check', ST_Multi(ST_MakeEnvelope(120.201, 22.991, 120.204, 22.994, 4326)))`);
  await insert('surveyP2', `INSERT INTO drone_surveys (name, purpose, geom) VALUES ('空拍乙', 'factory_check', ST_Multi(ST_MakeEnvelope(120.224, 22.991, 120.226, 22.993, 4326)))`);
  await insert('team', `INSERT INTO watch_teams (name, precinct_code, leader, phone) VALUES ('東門隊', 'P1', '${SECRET}', '${SECRET}')`);
  await insert('blockInArea', `INSERT INTO watch_blocks (name, adopter, adopter_kind, contact, geom) VALUES ('區塊甲', '國小', 'school', '${SECRET}', ST_Multi(ST_MakeEnvelope(120.201, 22.991, 120.202, 22.992, 4326)))`);
  await insert('blockOutside', `INSERT INTO watch_blocks (name, adopter, adopter_kind, geom) VALUES ('區塊乙', '公司', 'company', ST_Multi(ST_MakeEnvelope(120.215, 22.996, 120.216, 22.997, 4326)))`);
  await insert('blockP2', `INSERT INTO watch_blocks (name, adopter, adopter_kind, geom) VALUES ('區塊丙', '商店', 'shop', ST_Multi(ST_MakeEnvelope(120.225, 22.996, 120.226, 22.997, 4326)))`);
  await w.db.exec(`SELECT set_config('app.actor', '', false)`);
  ids.beatB1 = (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM beats WHERE code = 'B1'`)).rows[0]!.id;
  await upsertUser(w.db, { username: 'planner2', password: PASSWORD, role: 'planner', precinctCode: 'P2' });
  planner2 = (await login('planner2', PASSWORD).expect(200)).body.token;
});
afterAll(async () => { await w?.close(); });

const listIds = async (role: Role, layer: string) =>
  (await w.as(role).get(`/api/layers/${layer}/features?limit=1000`).expect(200)).body.features.map((f: { id: number }) => f.id).sort((a: number, b: number) => a - b);
const sorted = (...xs: (number | undefined)[]) => xs.map(Number).sort((a, b) => a - b);

/** Feature ids (and property names) in the z16 tile of a layer holding (lon, lat), or [] for 204. */
async function tileContent(get: (url: string) => request.Test, layer: string, lon: number, lat: number) {
  const t = tileAt(lon, lat, 16);
  const res = await get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`).buffer(true).parse(binary);
  expect([200, 204], `tile of ${layer}`).toContain(res.status);
  const fs = res.status === 200 ? decodeTile(res.body as Buffer)[layer] ?? [] : [];
  return { ids: fs.map((f) => Number(f.id)), keys: [...new Set(fs.flatMap((f) => Object.keys(f.properties)))] };
}

describe('community and public', () => {
  /** Every way to reach a layer that exists now, as [description, request]. */
  const endpoints = (layer: string, id: number) => {
    const t = tileAt(120.203, 22.993, 16);
    const low = tileAt(120.203, 22.993, 12);
    const f = `/api/layers/${layer}/features`;
    return [
      ['layer description', (r: Role) => w.as(r).get(`/api/layers/${layer}`)],
      ['layer features', (r: Role) => w.as(r).get(f)],
      ['features in a bbox', (r: Role) => w.as(r).get(`${f}?bbox=120.2,22.99,120.23,23&limit=5`)],
      ['one feature', (r: Role) => w.as(r).get(`${f}/${id}`)],
      ['one feature, HEAD', (r: Role) => w.as(r).head(`${f}/${id}`)],
      ['history', (r: Role) => w.as(r).get(`${f}/${id}/history`)],
      ['create', (r: Role) => w.as(r).post(f).send({ type: 'Feature', geometry: null, properties: {} })],
      ['update', (r: Role) => w.as(r).patch(`${f}/${id}`).set('If-Match', '*').send({ properties: {} })],
      ['delete', (r: Role) => w.as(r).delete(`${f}/${id}`).set('If-Match', '*')],
      ['restore', (r: Role) => w.as(r).post(`${f}/${id}/restore`)],
      ['tile', (r: Role) => w.as(r).get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`)],
      ['clustered tile', (r: Role) => w.as(r).get(`/tiles/${layer}/${low.z}/${low.x}/${low.y}.mvt`)],
      ['composite tile', (r: Role) => w.as(r).get(`/tiles/cameras,${layer}/${t.z}/${t.x}/${t.y}.mvt`)],
      ['TileJSON', (r: Role) => w.as(r).get(`/tiles/${layer}.json`)],
      ['OGC collection', (r: Role) => w.as(r).get(`/ogc/collections/${layer}`)],
      ['OGC items', (r: Role) => w.as(r).get(`/ogc/collections/${layer}/items`)],
      ['OGC item', (r: Role) => w.as(r).get(`/ogc/collections/${layer}/items/${id}`)],
      ['OGC schema', (r: Role) => w.as(r).get(`/ogc/collections/${layer}/schemas/feature`)],
    ] as const;
  };

  it.each(['public', 'community'] as const)('%s: the layer list, map style and OGC catalogue name exactly the outside layers', async (role) => {
    const listed = (await w.as(role).get('/api/layers').expect(200)).body.layers.map((l: { id: string }) => l.id);
    expect(listed).toEqual(OUTSIDE_LAYERS);
    const ogc = (await w.as(role).get('/ogc/collections').expect(200)).body.collections.map((c: { id: string }) => c.id);
    expect(ogc).toEqual(OUTSIDE_LAYERS.filter((l) => LAYERS.find((x) => x.id === l)!.geometry));
    const catalogues = [
      JSON.stringify((await w.as(role).get('/tiles/style.json').expect(200)).body),
      JSON.stringify((await w.as(role).get('/ogc/api').expect(200)).body),
      JSON.stringify((await w.as(role).get('/ogc/collections').expect(200)).body),
    ];
    for (const body of catalogues) {
      for (const layer of SENSITIVE_LAYERS) {
        expect(body).not.toContain(`/${layer}`);
        expect(body).not.toContain(`"${layer}"`);
      }
    }
    // Police accounts do see them, so the checks above can fail.
    const internal = (await w.as('officer').get('/api/layers').expect(200)).body.layers.map((l: { id: string }) => l.id);
    expect(internal).toEqual(expect.arrayContaining(SENSITIVE_LAYERS));
    expect(JSON.stringify((await w.as('officer').get('/ogc/api').expect(200)).body)).toContain('/key-places');
  });

  it.each(['public', 'community'] as const)('%s: sensitive layers answer exactly like layers that do not exist, everywhere, and nothing is written', async (role) => {
    const idOf: Record<string, number> = { 'key-places': ids.placeP1!, visits: ids.visitP1!, incidents: ids.incidentP1!, 'drone-surveys': ids.survey! };
    const unknownLayer = 'no-such-layer';
    let compared = 0;
    for (const layer of SENSITIVE_LAYERS) {
      const before = await writeCounts(w.db, tableOf(layer));
      for (const [what, call] of endpoints(layer, idOf[layer]!)) {
        const hidden = await call(role);
        const unknown = await endpoints(unknownLayer, idOf[layer]!).find(([x]) => x === what)![1](role);
        expect(hidden.status, `${layer} ${what}: ${JSON.stringify(hidden.body)}`).toBe(404);
        expect(unknown.status, `unknown ${what}`).toBe(404);
        expect(JSON.stringify(hidden.body).replaceAll(layer, 'X'), `${layer} ${what}`).toBe(JSON.stringify(unknown.body).replaceAll(unknownLayer, 'X'));
        expect(hidden.headers['content-type'], `${layer} ${what}`).toBe(unknown.headers['content-type']);
        compared++;
      }
      expect(await writeCounts(w.db, tableOf(layer)), layer).toEqual(before);
    }
    expect(compared).toBe(SENSITIVE_LAYERS.length * endpoints('x', 1).length);
    // Through the layers it may read, a hidden id is never confirmed either: a private camera
    // answers like an id that was never used.
    const priv = await w.as(role).get(`/api/layers/cameras/features/${ids.privateInArea}`).expect(404);
    const never = await w.as(role).get('/api/layers/cameras/features/987654').expect(404);
    expect(JSON.stringify(priv.body).replace(String(ids.privateInArea), 'N')).toBe(JSON.stringify(never.body).replace('987654', 'N'));
    const ogcPriv = await w.as(role).get(`/ogc/collections/cameras/items/${ids.privateInArea}`).expect(404);
    const ogcNever = await w.as(role).get('/ogc/collections/cameras/items/987654').expect(404);
    expect(JSON.stringify(ogcPriv.body).replace(String(ids.privateInArea), 'N')).toBe(JSON.stringify(ogcNever.body).replace('987654', 'N'));
  });

  it.each(['public', 'community'] as const)('%s: no sensitive property in any answer: features, OGC, schemas, tiles, TileJSON, layer list', async (role) => {
    const bodies: [string, string][] = [];
    for (const layer of OUTSIDE_LAYERS) {
      const list = (await w.as(role).get(`/api/layers/${layer}/features?limit=1000`).expect(200)).body;
      for (const f of list.features as { properties: Record<string, unknown> }[]) {
        for (const name of sensitiveProps(layer)) expect(Object.keys(f.properties), `${layer}.${name}`).not.toContain(name);
      }
      bodies.push([`${layer} features`, JSON.stringify(list)]);
      const described = (await w.as(role).get('/api/layers').expect(200)).body.layers.find((l: { id: string }) => l.id === layer);
      const described_names = described.properties.map((p: { name: string }) => p.name);
      for (const name of sensitiveProps(layer)) expect(described_names, `/api/layers ${layer}.${name}`).not.toContain(name);
      // Filtering by a sensitive property would be an oracle for its value: it is not a known parameter.
      for (const name of sensitiveProps(layer)) {
        const probe = await w.as(role).get(`/api/layers/${layer}/features?${name}=${encodeURIComponent(SECRET)}`).expect(400);
        const nonsense = await w.as(role).get(`/api/layers/${layer}/features?zzz=${encodeURIComponent(SECRET)}`).expect(400);
        expect(probe.body.error.message.replace(`「${name}」`, '「?」')).toBe(nonsense.body.error.message.replace('「zzz」', '「?」'));
        expect(probe.body.error.details).toEqual(nonsense.body.error.details);
        expect(probe.body.error.details.accepted).not.toContain(name);
      }
    }
    for (const layer of ['cameras', 'watch-blocks', 'beats']) {
      bodies.push([`OGC ${layer} items`, JSON.stringify((await w.as(role).get(`/ogc/collections/${layer}/items?limit=1000`).expect(200)).body)]);
      const schema = (await w.as(role).get(`/ogc/collections/${layer}/schemas/feature`).expect(200)).body;
      for (const name of sensitiveProps(layer)) expect(Object.keys(schema.properties ?? {}), `schema ${layer}.${name}`).not.toContain(name);
      const tilejson = (await w.as(role).get(`/tiles/${layer}.json`).expect(200)).body;
      for (const name of sensitiveProps(layer)) expect(Object.keys(tilejson.vector_layers[0].fields), `TileJSON ${layer}.${name}`).not.toContain(name);
    }
    bodies.push(['one camera', JSON.stringify((await w.as(role).get(`/api/layers/cameras/features/${ids.publicInArea}`).expect(200)).body)]);
    bodies.push(['one OGC camera', JSON.stringify((await w.as(role).get(`/ogc/collections/cameras/items/${ids.publicInArea}`).expect(200)).body)]);
    bodies.push(['locate', JSON.stringify((await w.as(role).get('/api/locate?lon=120.203&lat=22.993').expect(200)).body)]);
    for (const [what, body] of bodies) {
      expect(body, what).not.toContain(SECRET);
      expect(body, what).not.toContain(BEAT_OFFICER);
    }
    const camTile = await tileContent(w.as(role).get, 'cameras', 120.202, 22.992);
    expect(camTile.ids).toContain(ids.publicInArea);
    expect(camTile.keys).not.toContain('contact');
    const blockTile = await tileContent(w.as(role).get, 'watch-blocks', 120.2015, 22.9915);
    expect(blockTile.ids).toContain(ids.blockInArea);
    expect(blockTile.keys).not.toContain('contact');
    // Police accounts do get these properties, so every check above can fail.
    expect(JSON.stringify((await w.as('planner').get(`/api/layers/cameras/features/${ids.publicInArea}`).expect(200)).body)).toContain(SECRET);
    expect((await tileContent(w.as('planner').get, 'cameras', 120.202, 22.992)).keys).toContain('contact');
    expect(JSON.stringify((await w.as('officer').get('/api/layers/beats/features').expect(200)).body)).toContain(BEAT_OFFICER);
  });

  it('the public and the community see every public camera and no other', async () => {
    expect(await listIds('public', 'cameras')).toEqual(sorted(ids.publicInArea, ids.publicInB2, ids.publicInP2));
    // A 里 account never sees less than a visitor: public cameras outside its area too.
    expect(await listIds('community', 'cameras')).toEqual(await listIds('public', 'cameras'));
    // The coverage of exactly the cameras each sees (a private camera's is never shown).
    expect(await listIds('public', 'camera-coverage')).toEqual(await listIds('public', 'cameras'));
    expect(await listIds('community', 'camera-coverage')).toEqual(await listIds('public', 'cameras'));
    expect(await listIds('planner', 'camera-coverage')).toEqual(await listIds('planner', 'cameras'));
    const hidden = await w.as('public').get('/api/layers/cameras/features?is_public=false').expect(200);
    expect([hidden.body.numberMatched, hidden.body.numberReturned]).toEqual([0, 0]);
    const ogc = (await w.as('public').get('/ogc/collections/cameras/items?limit=1000').expect(200)).body.features.map((f: { id: number }) => Number(f.id));
    expect(ogc.sort((a: number, b: number) => a - b)).toEqual(sorted(ids.publicInArea, ids.publicInB2, ids.publicInP2));
    await w.as('community').get(`/api/layers/cameras/features/${ids.privateInArea}`).expect(404);
    await w.as('community').get(`/api/layers/cameras/features/${ids.publicInB2}`).expect(200);
    await w.as('public').get(`/api/layers/cameras/features/${ids.publicInB2}`).expect(200);
    // Tiles: the private camera is drawn for the planner, never for the public or the community.
    for (const role of ['public', 'community'] as const) {
      expect((await tileContent(w.as(role).get, 'cameras', 120.203, 22.993)).ids, role).not.toContain(ids.privateInArea);
      expect((await tileContent(w.as(role).get, 'cameras', 120.226, 22.996)).ids, role).not.toContain(ids.privateInP2);
    }
    expect((await tileContent(w.as('planner').get, 'cameras', 120.203, 22.993)).ids).toContain(ids.privateInArea);
    for (const role of ['public', 'community'] as const) {
      expect((await tileContent(w.as(role).get, 'cameras', 120.215, 22.995)).ids, role).toContain(ids.publicInB2);
    }
  });

  it('watch blocks: the public and the community all of them; unit contacts are public', async () => {
    expect(await listIds('public', 'watch-blocks')).toEqual(sorted(ids.blockInArea, ids.blockOutside, ids.blockP2));
    expect(await listIds('community', 'watch-blocks')).toEqual(await listIds('public', 'watch-blocks'));
    const stations = (await w.as('public').get('/api/layers/stations/features').expect(200)).body.features;
    expect(stations.map((f: { properties: { phone: string } }) => f.properties.phone).sort()).toEqual(['06-2220001', '06-3330001']);
    const here = await w.as('public').get('/api/locate?lon=120.203&lat=22.993').expect(200);
    expect(here.body).toMatchObject({ beat: { code: 'B1' }, station: { code: 'S1', phone: '06-2220001' }, precinct: { code: 'P1' } });
  });

  it('cannot write any layer: the public is asked to sign in, the community is refused, nothing is written', async () => {
    const visible: Record<string, number> = {
      cameras: ids.publicInArea!, 'watch-blocks': ids.blockInArea!, 'watch-teams': ids.team!, beats: ids.beatB1!,
    };
    const bodies: Record<string, object> = {
      cameras: feature(point(120.202, 22.992), { name: 'x', azimuth: 0, fov: 90, range_m: 30, owner_kind: 'community' }),
      'watch-blocks': feature(box(120.2011, 22.9911, 120.2019, 22.9919), { name: 'x', adopter: 'x', adopter_kind: 'community' }),
      'watch-teams': feature(null, { name: 'x', precinct_code: 'P1' }),
      beats: feature(box(120.2011, 22.9911, 120.2019, 22.9919), { code: 'B9', name: 'x', station_code: 'S1' }),
    };
    for (const [layer, id] of Object.entries(visible)) {
      const before = await writeCounts(w.db, tableOf(layer));
      const url = `/api/layers/${layer}/features`;
      for (const [role, status, message] of [['public', 401, /^請先登入（POST \/api\/login）才能(新增|修改|刪除)/], ['community', 403, /^你的帳號不能(新增|修改|刪除)/]] as const) {
        const answers = [
          await w.as(role).post(url).send(bodies[layer]),
          await w.as(role).patch(`${url}/${id}`).set('If-Match', '*').send({ properties: { name: 'y' } }),
          await w.as(role).delete(`${url}/${id}`).set('If-Match', '*'),
          await w.as(role).post(`${url}/${id}/restore`),
        ];
        for (const res of answers) {
          expect(res.status, `${role} ${layer} ${JSON.stringify(res.body)}`).toBe(status);
          expect(res.body.error.message).toMatch(message);
        }
      }
      // History (who changed what) is for police accounts only.
      await w.as('community').get(`${url}/${id}/history`).expect(403);
      await w.as('public').get(`${url}/${id}/history`).expect(403);
      expect(await writeCounts(w.db, tableOf(layer)), layer).toEqual(before);
    }
  });
});

describe('planner', () => {
  it('reads its own precinct only, and a feature of another precinct is like one that does not exist', async () => {
    expect(await listIds('planner', 'key-places')).toEqual(sorted(ids.placeP1, ids.placeB2));
    expect(await listIds('planner', 'incidents')).toEqual([ids.incidentP1]);
    expect(await listIds('planner', 'visits')).toEqual([ids.visitP1]);
    expect(await listIds('planner', 'drone-surveys')).toEqual([ids.survey]);
    expect(await listIds('planner', 'cameras')).toEqual(sorted(ids.publicInArea, ids.publicInB2, ids.privateInArea));
    expect(await listIds('planner', 'watch-blocks')).toEqual(sorted(ids.blockInArea, ids.blockOutside));
    expect((await listIds('planner', 'beats')).length).toBe(3); // unit boundaries: all of them
    const other = await w.as('planner').get(`/api/layers/key-places/features/${ids.placeP2}`).expect(404);
    const never = await w.as('planner').get('/api/layers/key-places/features/987654').expect(404);
    expect(JSON.stringify(other.body).replace(String(ids.placeP2), 'N')).toBe(JSON.stringify(never.body).replace('987654', 'N'));
    await w.as('planner').get(`/api/layers/key-places/features/${ids.placeP2}/history`).expect(404);
    await w.as('planner').get(`/ogc/collections/key-places/items/${ids.placeP2}`).expect(404);
    // And the other precinct's planner the mirror image.
    const p2 = (await asPlanner2.get('/api/layers/key-places/features').expect(200)).body.features.map((f: { id: number }) => f.id);
    expect(p2).toEqual([ids.placeP2]);
  });

  it('tiles are cut per precinct: the planner of P2 never gets a tile the planner of P1 warmed', async () => {
    const p1 = await tileContent(w.as('planner').get, 'key-places', 120.203, 22.994);
    expect(p1.ids).toContain(ids.placeP1);
    const p2 = await tileContent(asPlanner2.get, 'key-places', 120.203, 22.994);
    expect(p2.ids).toEqual([]);
    const again = await tileContent(asPlanner2.get, 'key-places', 120.225, 22.994);
    expect(again.ids).toEqual([ids.placeP2]);
    expect((await tileContent(w.as('planner').get, 'key-places', 120.225, 22.994)).ids).toEqual([]);
  });

  it('writes inside P1 only: a point in P2 is refused; a shape sticking out is told by how many m²', async () => {
    const before = await writeCounts(w.db, 'key_places');
    const inP2 = await w.as('planner').post('/api/layers/key-places/features').send(place(120.225, 22.995)).expect(403);
    expect(inP2.body.error).toMatchObject({ code: 'outside_precinct', field: 'geometry', message: '這筆資料不在你的分局（P1）轄區內：你只能寫入轄區內的資料。' });
    const outsideAll = await w.as('planner').post('/api/layers/key-places/features').send(place(120.3, 22.995)).expect(403);
    expect(outsideAll.body.error.field).toBe('geometry');
    expect(await writeCounts(w.db, 'key_places')).toEqual(before);

    const blocks = await writeCounts(w.db, 'watch_blocks');
    // 120.218–120.222 × 22.990–22.991: 0.002° (≈205 m) × 0.001° (≈111 m) of it lies in P2.
    const straddling = await w.as('planner').post('/api/layers/watch-blocks/features').send(feature(
      box(120.218, 22.99, 120.222, 22.991), { name: '跨區', adopter: '里辦公處', adopter_kind: 'community' })).expect(403);
    expect(straddling.body.error.field).toBe('geometry');
    expect(straddling.body.error).toMatchObject({ code: 'outside_precinct_by', message: expect.stringMatching(/^圖形有 [\d,]+ 平方公尺超出你的分局（P1）轄區/) });
    const m2 = straddling.body.error.details.outsideM2 as number;
    expect(m2).toBeGreaterThan(205 * 111 * 0.97);
    expect(m2).toBeLessThan(205 * 111 * 1.03);
    // Mostly in P2: refused as well.
    const mostly = await w.as('planner').post('/api/layers/watch-blocks/features').send(feature(
      box(120.219, 22.99, 120.229, 22.991), { name: '跨區', adopter: '里辦公處', adopter_kind: 'community' })).expect(403);
    expect(mostly.body.error).toMatchObject({ field: 'geometry', message: expect.stringMatching(/P1/) });
    // 0.009° (≈922 m) × 0.001° (≈111 m) of it lies in P2, and the message says so.
    const mostlyM2 = Number(/^圖形有 ([\d,]+) 平方公尺超出/.exec(mostly.body.error.message)![1]!.replaceAll(',', ''));
    expect(mostly.body.error.details.outsideM2).toBe(mostlyM2);
    expect(mostlyM2).toBeGreaterThan(922 * 111 * 0.97);
    expect(mostlyM2).toBeLessThan(922 * 111 * 1.03);
    const drone = await w.as('planner').post('/api/layers/drone-surveys/features').send(feature(
      box(120.225, 22.991, 120.226, 22.992), { name: '越區', purpose: 'factory_check' })).expect(403);
    expect(drone.body.error.field).toBe('geometry');
    expect(await writeCounts(w.db, 'watch_blocks')).toEqual(blocks);
  });

  it('cannot move a feature out of P1, touch P2 features, or point at them', async () => {
    const cam = `/api/layers/cameras/features/${ids.publicInB2}`;
    const { body: was } = await w.as('planner').get(cam).expect(200);
    const moved = await w.as('planner').patch(cam).set('If-Match', `"${was.properties.version}"`).send({ geometry: point(120.225, 22.995) }).expect(403);
    expect(moved.body.error.field).toBe('geometry');
    const { body: now } = await w.as('admin').get(cam).expect(200);
    expect([now.geometry, now.properties.version, now.properties.precinct_code]).toEqual([was.geometry, was.properties.version, 'P1']);

    const before = await writeCounts(w.db, 'cameras');
    await w.as('planner').patch(`/api/layers/cameras/features/${ids.publicInP2}`).set('If-Match', '*').send({ properties: { status: 'broken' } }).expect(404);
    await w.as('planner').delete(`/api/layers/cameras/features/${ids.publicInP2}`).set('If-Match', '*').expect(404);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);

    const teams = await writeCounts(w.db, 'watch_teams');
    await w.as('planner').post('/api/layers/watch-teams/features').send(feature(null, { name: '海安隊', precinct_code: 'P2' })).expect(403);
    await w.as('planner').patch(`/api/layers/watch-teams/features/${ids.team}`).set('If-Match', '*').send({ properties: { precinct_code: 'P2' } }).expect(403);
    expect(await writeCounts(w.db, 'watch_teams')).toEqual(teams);

    const surveys = await writeCounts(w.db, 'drone_surveys');
    const target = await w.as('planner').post('/api/layers/drone-surveys/features').send(feature(
      box(120.201, 22.991, 120.202, 22.992), { name: '目標越區', purpose: 'factory_check', target_place_ids: [ids.placeP1, ids.placeP2] })).expect(400);
    expect(target.body.error).toMatchObject({ field: 'properties.target_place_ids', message: expect.stringContaining(String(ids.placeP2)) });
    expect(await writeCounts(w.db, 'drone_surveys')).toEqual(surveys);
  });

  it('edits only the layers issue 2 gives it: not incidents, visits or unit boundaries', async () => {
    for (const [layer, body] of [
      ['incidents', feature(point(120.205, 22.995), { type: 'drugs', occurred_at: '2026-01-01T00:00:00+08:00' })],
      ['visits', feature(null, { place_id: ids.placeP1, officer: '王警員', visited_at: '2026-01-05T10:00:00+08:00' })],
      ['beats', feature(box(120.2011, 22.9911, 120.2019, 22.9919), { code: 'B9', name: 'x', station_code: 'S1' })],
    ] as const) {
      const before = await writeCounts(w.db, tableOf(layer));
      const res = await w.as('planner').post(`/api/layers/${layer}/features`).send(body).expect(403);
      expect(res.body.error).toMatchObject({ code: 'role_may_not_write', message: expect.stringMatching(/^你的帳號不能新增/) });
      expect(await writeCounts(w.db, tableOf(layer))).toEqual(before);
    }
    await w.as('planner').patch(`/api/layers/incidents/features/${ids.incidentP1}`).set('If-Match', '*').send({ properties: { type: 'fraud' } }).expect(403);
    await w.as('planner').delete(`/api/layers/visits/features/${ids.visitP1}`).set('If-Match', '*').expect(403);
    const layer = (await w.as('planner').get('/api/layers').expect(200)).body.layers;
    const writable = Object.fromEntries(layer.map((l: { id: string; writable: string[] }) => [l.id, l.writable.length > 0]));
    expect(Object.keys(writable).filter((k) => writable[k]).sort()).toEqual(['addresses', 'buildings', 'cameras', 'drone-surveys', 'key-places', 'patrol-points', 'watch-blocks', 'watch-teams']);
  });

  it('every change is signed with the planner\'s name: rows, history, deletion', async () => {
    const url = '/api/layers/key-places/features';
    const created = await w.as('planner').post(url).send(place(120.206, 22.996)).expect(201);
    const id = created.body.id as number;
    expect(created.body.properties.precinct_code).toBe('P1');
    await w.as('planner').patch(`${url}/${id}`).set('If-Match', '"1"').send({ properties: { notes: '夜間有人進出' } }).expect(200);
    await w.as('planner').delete(`${url}/${id}`).set('If-Match', '"2"').expect(204);
    const row = (await w.db.query<{ created_by: string; updated_by: string; deleted_by: string }>(
      'SELECT created_by, updated_by, deleted_by FROM key_places WHERE id = $1', [id])).rows[0]!;
    expect(row).toEqual({ created_by: 'planner', updated_by: 'planner', deleted_by: 'planner' });
    await w.as('planner').post(`${url}/${id}/restore`).expect(200);
    const history = (await w.as('planner').get(`${url}/${id}/history`).expect(200)).body.history;
    expect(history.map((h: { action: string; actor: string; version: number }) => [h.action, h.actor, h.version])).toEqual([
      ['create', 'planner', 1], ['update', 'planner', 2], ['delete', 'planner', 3], ['restore', 'planner', 4],
    ]);
    const stored = await w.db.query<{ actor: string }>(`SELECT actor FROM feature_history WHERE layer_table = 'key_places' AND feature_id = $1`, [id]);
    expect(stored.rows.map((r) => r.actor)).toEqual(['planner', 'planner', 'planner', 'planner']);
  });
});

describe('officer', () => {
  it('reads its precinct, with the internal properties', async () => {
    const p1Places = (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM key_places WHERE precinct_code = 'P1' AND deleted_at IS NULL ORDER BY id`)).rows.map((r) => r.id);
    expect(p1Places).toEqual(expect.arrayContaining([ids.placeP1, ids.placeB2]));
    expect(await listIds('officer', 'key-places')).toEqual(p1Places);
    expect(await listIds('officer', 'incidents')).toEqual([ids.incidentP1]);
    expect(await listIds('officer', 'visits')).toEqual([ids.visitP1]);
    expect(await listIds('officer', 'drone-surveys')).toEqual([ids.survey]);
    expect(await listIds('officer', 'cameras')).toEqual(sorted(ids.publicInArea, ids.publicInB2, ids.privateInArea));
    await w.as('officer').get(`/api/layers/cameras/features/${ids.privateInP2}`).expect(404);
    const incident = await w.as('officer').get(`/api/layers/incidents/features/${ids.incidentP1}`).expect(200);
    expect(incident.body.properties.description).toBe(SECRET);
  });

  it('records visits to places of its precinct, signed with its name, and may not delete them', async () => {
    const url = '/api/layers/visits/features';
    const before = await writeCounts(w.db, 'visits');
    const visit = await w.as('officer').post(url).send(feature(null, { place_id: ids.placeP1, officer: '王警員', visited_at: '2026-01-05T10:00:00+08:00', outcome: 'normal' })).expect(201);
    expect(visit.body.properties).toMatchObject({ beat_code: 'B1', precinct_code: 'P1' });
    // The registry scopes officers' visits to the precinct, so a place in the neighbouring beat is allowed.
    const b2 = await w.as('officer').post(url).send(feature(null, { place_id: ids.placeB2, officer: '王警員', visited_at: '2026-01-05T11:00:00+08:00' })).expect(201);
    expect(b2.body.properties.beat_code).toBe('B2');
    const p2 = await w.as('officer').post(url).send(feature(null, { place_id: ids.placeP2, officer: '王警員', visited_at: '2026-01-05T10:00:00+08:00' })).expect(400);
    expect(p2.body.error).toMatchObject({ code: 'reference_unknown', field: 'properties.place_id', message: expect.stringMatching(/不存在、已刪除，或不是你能使用的資料/) });
    expect(await writeCounts(w.db, 'visits')).toEqual({ rows: before.rows + 2, history: before.history + 2 });

    await w.as('officer').patch(`${url}/${visit.body.id}`).set('If-Match', '"1"').send({ properties: { findings: '門窗緊閉' } }).expect(200);
    await w.as('officer').patch(`${url}/${ids.visitP2}`).set('If-Match', '*').send({ properties: { findings: 'x' } }).expect(404);
    const del = await w.as('officer').delete(`${url}/${visit.body.id}`).set('If-Match', '*').expect(403);
    expect(del.body.error).toMatchObject({ code: 'role_may_not_write', message: '你的帳號不能刪除查訪紀錄；需要時請洽分局承辦人。' });
    const row = (await w.db.query<{ created_by: string; updated_by: string; deleted_at: string | null }>(
      'SELECT created_by, updated_by, deleted_at FROM visits WHERE id = $1', [visit.body.id])).rows[0]!;
    expect(row).toEqual({ created_by: 'officer', updated_by: 'officer', deleted_at: null });
    const history = (await w.as('officer').get(`${url}/${visit.body.id}/history`).expect(200)).body.history;
    expect(history.map((h: { action: string; actor: string }) => `${h.action}:${h.actor}`)).toEqual(['create:officer', 'update:officer']);
    // The place learns its last visit.
    const placeNow = await w.as('officer').get(`/api/layers/key-places/features/${ids.placeP1}`).expect(200);
    expect(Date.parse(placeNow.body.properties.last_visited_at)).toBeGreaterThanOrEqual(Date.parse('2026-01-05T10:00:00+08:00'));
  });

  it('corrects only its own visits: a colleague\'s visit is refused (403) and left as it was; the bureau may correct any', async () => {
    const url = `/api/layers/visits/features/${ids.visitP1}`;
    const got = await w.as('officer').get(url).expect(200);
    expect(got.body.properties.officer).toBe(BEAT_OFFICER);
    const before = await writeCounts(w.db, 'visits');
    for (const body of [{ properties: { findings: '改寫同事的紀錄' } }, { properties: { outcome: 'anomaly' } }]) {
      const res = await w.as('officer').patch(url).set('If-Match', String(got.headers.etag)).send(body).expect(403);
      expect(res.body.error).toMatchObject({ code: 'not_own_record', message: expect.stringMatching(/這筆查訪紀錄是同事建立的：員警只能修改自己建立的紀錄/) });
    }
    expect(await writeCounts(w.db, 'visits')).toEqual(before);
    expect((await w.as('officer').get(url).expect(200)).body).toEqual(got.body);
    // The planner reads visits and writes none; the bureau corrects any (and its change is attributed).
    await w.as('planner').patch(url).set('If-Match', '*').send({ properties: { findings: 'x' } }).expect(403);
    const fixed = await w.as('admin').patch(url).set('If-Match', String(got.headers.etag)).send({ properties: { findings: `${SECRET}（更正）` } }).expect(200);
    expect((await w.db.query<{ u: string }>('SELECT updated_by AS u FROM visits WHERE id = $1', [ids.visitP1])).rows[0]!.u).toBe('admin');
    await w.as('admin').patch(url).set('If-Match', String(fixed.headers.etag)).send({ properties: { findings: SECRET } }).expect(200);
  });

  it('changes camera status and nothing else', async () => {
    const url = `/api/layers/cameras/features/${ids.publicInB2}`;
    const cam = await w.as('officer').get(url).expect(200);
    await w.as('officer').patch(url).set('If-Match', String(cam.headers.etag)).send({ properties: { status: 'broken' } }).expect(200);
    const history = (await w.as('officer').get(`${url}/history`).expect(200)).body.history;
    expect(history.at(-1)).toMatchObject({ action: 'update', actor: 'officer', after: { properties: { status: 'broken' } } });
    const before = await writeCounts(w.db, 'cameras');
    const other = await w.as('officer').patch(url).set('If-Match', '*').send({ properties: { azimuth: 90 } }).expect(403);
    expect(other.body.error.message).toMatch(/azimuth/);
    const moved = await w.as('officer').patch(url).set('If-Match', '*').send({ geometry: point(120.2151, 22.995) }).expect(403);
    expect(moved.body.error.field).toBe('geometry');
    await w.as('officer').patch(`/api/layers/cameras/features/${ids.publicInP2}`).set('If-Match', '*').send({ properties: { status: 'broken' } }).expect(404);
    await w.as('officer').delete(url).set('If-Match', '*').expect(403);
    await w.as('officer').post('/api/layers/cameras/features').send(feature(point(120.205, 22.995), { name: 'x', azimuth: 0, fov: 90, range_m: 30, owner_kind: 'police' })).expect(403);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    for (const layer of ['key-places', 'incidents', 'watch-blocks', 'drone-surveys']) {
      const n = await writeCounts(w.db, tableOf(layer));
      await w.as('officer').post(`/api/layers/${layer}/features`).send(place(120.205, 22.995)).expect(403);
      expect(await writeCounts(w.db, tableOf(layer)), layer).toEqual(n);
    }
  });
});

describe('signing in', () => {
  it('says the same for a wrong password, an unknown user and a disabled account, and takes as long', async () => {
    await upsertUser(w.db, { username: 'retired', password: PASSWORD, role: 'officer', precinctCode: 'P1' });
    await w.db.query(`UPDATE users SET disabled = true WHERE username = 'retired'`);
    const wrong = await login('officer', 'not the password').expect(401);
    const nobody = await login('nobody', 'not the password').expect(401);
    const disabled = await login('retired', PASSWORD).expect(401);
    expect(wrong.body).toEqual({ error: { code: 'invalid_credentials', message: '帳號或密碼錯誤。' } });
    expect(nobody.body).toEqual(wrong.body);
    expect(disabled.body).toEqual(wrong.body);
    // Timing must not tell them apart either: an unknown name costs a password check too.
    const timed = async (username: string) => {
      const t = performance.now();
      await login(username, 'not the password').expect(401);
      return performance.now() - t;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timed('community'));
      unknown.push(await timed(`ghost-${i}`));
    }
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('keeps scrypt hashes, never passwords or tokens', async () => {
    const { rows } = await w.db.query<{ password_hash: string; whole: string }>('SELECT password_hash, u::text AS whole FROM users u');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w+/=]{24}\$[\w+/=]{44}$/);
      expect(r.whole).not.toContain(PASSWORD);
    }
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(rows.length); // salted
    const sessions = await w.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    const hashes = sessions.rows.map((s) => s.token_hash);
    for (const token of Object.values(w.tokens)) {
      expect(hashes).not.toContain(token);
      expect(hashes).toContain(sha256(token));
    }
  });

  it('works with the httpOnly session cookie for reads; signing out ends it', async () => {
    const res = await login('officer', PASSWORD).expect(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/emap_session=[\w-]+;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    expect(session).toBe(`emap_session=${res.body.token}`);
    const me = await request(w.app).get('/api/me').set('Cookie', session).expect(200);
    expect(me.body).toMatchObject({ username: 'officer', role: 'officer', beatCode: 'B1' });
    const places = await request(w.app).get('/api/layers/key-places/features').set('Cookie', session).expect(200);
    const bearer = await w.as('officer').get('/api/layers/key-places/features').expect(200);
    expect(places.body.numberMatched).toBeGreaterThanOrEqual(2);
    expect(places.body.numberMatched).toBe(bearer.body.numberMatched);
    const t = tileAt(120.203, 22.994, 16);
    await request(w.app).get(`/tiles/key-places/${t.z}/${t.x}/${t.y}.mvt`).set('Cookie', session).expect(200);
    const out = await request(w.app).post('/api/logout').set('Cookie', session).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/emap_session=;/);
    const after = await request(w.app).get('/api/me').set('Cookie', session).expect(401);
    expect(after.body.error).toMatchObject({ code: 'invalid_session', message: '登入已過期或權杖無效：請重新登入（POST /api/login）。' });
    await request(w.app).get('/api/layers/key-places/features').set('Cookie', session).expect(401);
    await request(w.app).get(`/tiles/key-places/${t.z}/${t.x}/${t.y}.mvt`).set('Cookie', session).expect(401);
  });

  it('asks for a username and password sent as JSON', async () => {
    const res = await request(w.app).post('/api/login').send({ username: 'officer' }).expect(400);
    expect(res.body.error).toEqual({ code: 'login_body', field: 'password', message: '登入請以 JSON 送出帳號與密碼，例如 {"username": "你的帳號", "password": "你的密碼"}。' });
  });

  it('signing out ends a bearer token too', async () => {
    const { body } = await login('planner', PASSWORD).expect(200);
    const auth = `Bearer ${body.token}`;
    await request(w.app).get('/api/layers/key-places/features').set('Authorization', auth).expect(200);
    await request(w.app).post('/api/logout').set('Authorization', auth).expect(204);
    await request(w.app).get('/api/layers/key-places/features').set('Authorization', auth).expect(401);
    expect((await w.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [sha256(body.token)])).rows.length).toBe(0);
  });

  it('a garbage, malformed, expired or disabled token is 401 everywhere, never 500 and never the public', async () => {
    const { body: fresh } = await login('community', PASSWORD).expect(200);
    await w.db.query(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [sha256(fresh.token)]);
    await upsertUser(w.db, { username: 'leaving', password: PASSWORD, role: 'officer', precinctCode: 'P1' });
    const { body: leaving } = await login('leaving', PASSWORD).expect(200);
    await w.db.query(`UPDATE users SET disabled = true WHERE username = 'leaving'`);
    const t = tileAt(120.203, 22.993, 16);
    const credentials: [string, string, string][] = [
      ['garbage bearer', 'Authorization', 'Bearer not-a-token'],
      ['expired bearer', 'Authorization', `Bearer ${fresh.token}`],
      ['disabled account', 'Authorization', `Bearer ${leaving.token}`],
      ['garbage cookie', 'Cookie', 'emap_session=not-a-token'],
      ['malformed cookie', 'Cookie', 'emap_session=%E0%A4%A'],
    ];
    for (const [what, header, value] of credentials) {
      for (const url of ['/api/me', '/api/layers', '/api/layers/cameras/features', `/tiles/cameras/${t.z}/${t.x}/${t.y}.mvt`, '/ogc/collections']) {
        const res = await request(w.app).get(url).set(header, value);
        expect(res.status, `${what} ${url}: ${JSON.stringify(res.body)}`).toBe(401);
        expect(res.body.error.code, `${what} ${url}`).toBe('invalid_session');
      }
    }
    // The scheme name is case-insensitive: a lower-case "bearer" is the account, not the public.
    const lower = await request(w.app).get('/api/me').set('Authorization', `bearer ${w.tokens.officer}`).expect(200);
    expect(lower.body.username).toBe('officer');
  });

  it('a stale cookie does not lock the browser out: the 401 clears it, and signing in and out still work', async () => {
    const stale = 'emap_session=stale-token';
    const refused = await request(w.app).get('/api/layers').set('Cookie', stale).expect(401);
    expect(String(refused.headers['set-cookie'])).toMatch(/emap_session=;.*Expires=Thu, 01 Jan 1970/);
    const again = await request(w.app).post('/api/login').set('Cookie', stale).send({ username: 'officer', password: PASSWORD }).expect(200);
    expect(String(again.headers['set-cookie'])).toMatch(new RegExp(`emap_session=${again.body.token}`));
    await request(w.app).post('/api/logout').set('Cookie', stale).expect(204);
    // A bad bearer token is not cleared (it is not a cookie) but is refused all the same.
    const bearer = await request(w.app).get('/api/layers').set('Authorization', 'Bearer stale').expect(401);
    expect(bearer.headers['set-cookie']).toBeUndefined();
  });

  it('audits sign-ins and failed sign-ins by name', async () => {
    const before = await w.db.query<{ ok: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE action = 'login')::int AS ok, count(*) FILTER (WHERE action = 'login-failed')::int AS failed FROM audit_log WHERE actor = 'community'`);
    await login('community', 'wrong').expect(401);
    await login('community', PASSWORD).expect(200);
    const after = await w.db.query<{ ok: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE action = 'login')::int AS ok, count(*) FILTER (WHERE action = 'login-failed')::int AS failed FROM audit_log WHERE actor = 'community'`);
    expect(after.rows[0]).toEqual({ ok: before.rows[0]!.ok + 1, failed: before.rows[0]!.failed + 1 });
  });
  // Guessing and its throttling: login-throttle.test.ts.
});
