import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileAt } from '../server/tiles/coords.js';
import { PASSWORD, openWorld, writeCounts, type World } from './support/world.js';

/**
 * Who may see and change what, through every endpoint that exists: the registry's rules as the
 * community, the public, a planner and an officer meet them. World: P1 = beats B1, B2; P2 = B3;
 * the community account's area is the south-west quarter of B1.
 */
let w: World;
const ids: Record<string, number> = {};
const SECRET = '秘密聯絡人 0912-345-678';
const SENSITIVE_LAYERS = ['key-places', 'visits', 'incidents', 'drone-surveys'];
type Role = Parameters<World['as']>[0];

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
  await insert('placeP1', `INSERT INTO key_places (name, category, geom) VALUES ('鐵皮屋', 'iron_sheet_house', ST_SetSRID(ST_MakePoint(120.203, 22.994), 4326))`);
  await insert('placeP2', `INSERT INTO key_places (name, category, geom) VALUES ('空屋', 'vacant_house', ST_SetSRID(ST_MakePoint(120.225, 22.994), 4326))`);
  await insert('incidentP1', `INSERT INTO incidents (type, occurred_at, description, geom) VALUES ('drugs', now(), '${SECRET}', ST_SetSRID(ST_MakePoint(120.204, 22.991), 4326))`);
  await insert('incidentP2', `INSERT INTO incidents (type, occurred_at, geom) VALUES ('drugs', now(), ST_SetSRID(ST_MakePoint(120.226, 22.991), 4326))`);
  await insert('visitP1', `INSERT INTO visits (place_id, officer, visited_at) VALUES (${ids.placeP1}, '王警員', now())`);
  await insert('survey', `INSERT INTO drone_surveys (name, purpose, geom) VALUES ('空拍', 'factory_check', ST_Multi(ST_MakeEnvelope(120.201, 22.991, 120.204, 22.994, 4326)))`);
  await insert('team', `INSERT INTO watch_teams (name, precinct_code, leader, phone) VALUES ('東門隊', 'P1', '${SECRET}', '${SECRET}')`);
  await insert('blockInArea', `INSERT INTO watch_blocks (name, adopter, adopter_kind, contact, geom) VALUES ('區塊甲', '國小', 'school', '${SECRET}', ST_Multi(ST_MakeEnvelope(120.201, 22.991, 120.202, 22.992, 4326)))`);
  await insert('blockOutside', `INSERT INTO watch_blocks (name, adopter, adopter_kind, geom) VALUES ('區塊乙', '公司', 'company', ST_Multi(ST_MakeEnvelope(120.215, 22.996, 120.216, 22.997, 4326)))`);
  await w.db.exec(`SELECT set_config('app.actor', '', false)`);
});
afterAll(async () => { await w?.close(); });

const listIds = async (role: Role, layer: string) =>
  (await w.as(role).get(`/api/layers/${layer}/features?limit=1000`).expect(200)).body.features.map((f: { id: number }) => f.id).sort((a: number, b: number) => a - b);

describe('community and public', () => {
  /** Every way to reach a layer, as [description, request]. */
  const endpoints = (layer: string, id: number) => {
    const t = tileAt(120.203, 22.993, 16);
    return [
      ['layer features', (r: Role) => w.as(r).get(`/api/layers/${layer}/features`)],
      ['one feature', (r: Role) => w.as(r).get(`/api/layers/${layer}/features/${id}`)],
      ['history', (r: Role) => w.as(r).get(`/api/layers/${layer}/features/${id}/history`)],
      ['create', (r: Role) => w.as(r).post(`/api/layers/${layer}/features`).send({ type: 'Feature', geometry: null, properties: {} })],
      ['update', (r: Role) => w.as(r).patch(`/api/layers/${layer}/features/${id}`).set('If-Match', '*').send({ properties: {} })],
      ['delete', (r: Role) => w.as(r).delete(`/api/layers/${layer}/features/${id}`).set('If-Match', '*')],
      ['tile', (r: Role) => w.as(r).get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`)],
      ['TileJSON', (r: Role) => w.as(r).get(`/tiles/${layer}.json`)],
      ['OGC collection', (r: Role) => w.as(r).get(`/ogc/collections/${layer}`)],
      ['OGC items', (r: Role) => w.as(r).get(`/ogc/collections/${layer}/items`)],
    ] as const;
  };

  it.each(['public', 'community'] as const)('%s: sensitive layers answer exactly like layers that do not exist, everywhere', async (role) => {
    const listed = (await w.as(role).get('/api/layers').expect(200)).body.layers.map((l: { id: string }) => l.id);
    const ogc = (await w.as(role).get('/ogc/collections').expect(200)).body.collections.map((c: { id: string }) => c.id);
    const style = JSON.stringify((await w.as(role).get('/tiles/style.json').expect(200)).body);
    const idOf: Record<string, number> = { 'key-places': ids.placeP1!, visits: ids.visitP1!, incidents: ids.incidentP1!, 'drone-surveys': ids.survey! };
    for (const layer of SENSITIVE_LAYERS) {
      expect(listed).not.toContain(layer);
      expect(ogc).not.toContain(layer);
      expect(style).not.toContain(layer);
      const before = await writeCounts(w.db, layer.replace('-', '_'));
      for (const [what, call] of endpoints(layer, idOf[layer]!)) {
        const hidden = await call(role);
        const unknown = await endpoints('no-such-layer', idOf[layer]!).find(([x]) => x === what)![1](role);
        expect(hidden.status, `${layer} ${what}`).toBe(404);
        expect(unknown.status, `unknown ${what}`).toBe(404);
        expect(JSON.stringify(hidden.body).replaceAll(layer, 'X'), `${layer} ${what}`).toBe(JSON.stringify(unknown.body).replaceAll('no-such-layer', 'X'));
      }
      expect(await writeCounts(w.db, layer.replace('-', '_'))).toEqual(before);
    }
  });

  it.each(['public', 'community'] as const)('%s: no contact, leader or description anywhere it can read', async (role) => {
    const bodies: string[] = [];
    for (const layer of ['cameras', 'watch-teams', 'watch-blocks', 'beats', 'stations', 'precincts']) {
      bodies.push(JSON.stringify((await w.as(role).get(`/api/layers/${layer}/features?limit=1000`).expect(200)).body));
    }
    bodies.push(JSON.stringify((await w.as(role).get(`/api/layers/cameras/features/${ids.publicInArea}`).expect(200)).body));
    bodies.push(JSON.stringify((await w.as(role).get('/ogc/collections/cameras/items').expect(200)).body));
    bodies.push(JSON.stringify((await w.as(role).get('/api/layers').expect(200)).body));
    for (const body of bodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toMatch(/"(contact|leader|phone_private|description|officer_name)"/);
    }
    // Internal roles do get them (so the check above can fail).
    expect(JSON.stringify((await w.as('planner').get(`/api/layers/cameras/features/${ids.publicInArea}`).expect(200)).body)).toContain(SECRET);
  });

  it('public sees public cameras; community only public ones in its area', async () => {
    expect(await listIds('public', 'cameras')).toEqual([ids.publicInArea, ids.publicInB2, ids.publicInP2].sort((a, b) => a! - b!));
    expect(await listIds('community', 'cameras')).toEqual([ids.publicInArea]);
    await w.as('public').get(`/api/layers/cameras/features/${ids.privateInArea}`).expect(404);
    await w.as('community').get(`/api/layers/cameras/features/${ids.publicInB2}`).expect(404);
    expect(await listIds('community', 'watch-blocks')).toEqual([ids.blockInArea]);
    expect(await listIds('public', 'watch-blocks')).toEqual([ids.blockInArea, ids.blockOutside]);
  });

  it('cannot write: the public is asked to sign in, the community account is refused, nothing is written', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const camera = { type: 'Feature', geometry: { type: 'Point', coordinates: [120.202, 22.992] }, properties: { name: 'x', azimuth: 0, fov: 90, range_m: 30, owner_kind: 'community' } };
    const anon = await w.as('public').post('/api/layers/cameras/features').send(camera).expect(401);
    expect(anon.body.error.message).toMatch(/sign in/);
    await w.as('community').post('/api/layers/cameras/features').send(camera).expect(403);
    await w.as('community').patch(`/api/layers/cameras/features/${ids.publicInArea}`).set('If-Match', '*').send({ properties: { status: 'broken' } }).expect(403);
    await w.as('public').delete(`/api/layers/cameras/features/${ids.publicInArea}`).set('If-Match', '*').expect(401);
    await w.as('community').get(`/api/layers/cameras/features/${ids.publicInArea}/history`).expect(403);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });
});

describe('planner and officer', () => {
  it('planner of P1 reads and writes only P1, and is told how far a shape sticks out', async () => {
    expect(await listIds('planner', 'incidents')).toEqual([ids.incidentP1]);
    await w.as('planner').get(`/api/layers/incidents/features/${ids.incidentP2}`).expect(404);
    const before = await writeCounts(w.db, 'incidents');
    const inP2 = await w.as('planner').post('/api/layers/incidents/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.225, 22.995] }, properties: { type: 'drugs', occurred_at: '2026-01-01T00:00:00+08:00' },
    }).expect(403);
    expect(inP2.body.error.field).toBe('geometry');
    expect(await writeCounts(w.db, 'incidents')).toEqual(before);
    // A block from 120.218 to 120.222: 0.002° (≈205 m) × 0.001° (≈111 m) of it lies in P2.
    const straddling = await w.as('planner').post('/api/layers/watch-blocks/features').send({
      type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[120.218, 22.99], [120.222, 22.99], [120.222, 22.991], [120.218, 22.991], [120.218, 22.99]]] },
      properties: { name: '跨區', adopter: '里辦公處', adopter_kind: 'community' },
    }).expect(403);
    const m2 = Number(/(\d+) m² of the shape lies outside your precinct P1/.exec(straddling.body.error.message)![1]);
    expect(m2).toBeGreaterThan(205 * 111 * 0.97);
    expect(m2).toBeLessThan(205 * 111 * 1.03);
    const created = await w.as('planner').post('/api/layers/incidents/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.205, 22.995] }, properties: { type: 'drugs', occurred_at: '2026-01-01T00:00:00+08:00' },
    }).expect(201);
    const history = await w.as('planner').get(`/api/layers/incidents/features/${created.body.id}/history`).expect(200);
    expect(history.body.history[0]).toMatchObject({ action: 'create', actor: 'planner' });
    const row = (await w.db.query<{ created_by: string }>('SELECT created_by FROM incidents WHERE id = $1', [created.body.id])).rows[0]!;
    expect(row.created_by).toBe('planner');
  });

  it('officer records visits and camera status, nothing else', async () => {
    const visit = await w.as('officer').post('/api/layers/visits/features').send({
      type: 'Feature', geometry: null, properties: { place_id: ids.placeP1, officer: '王警員', visited_at: '2026-01-05T10:00:00+08:00' },
    }).expect(201);
    expect(visit.body.properties.beat_code).toBe('B1');
    await w.as('officer').post('/api/layers/visits/features').send({
      type: 'Feature', geometry: null, properties: { place_id: ids.placeP2, officer: '王警員', visited_at: '2026-01-05T10:00:00+08:00' },
    }).expect(400).expect((res) => expect(res.body.error).toMatchObject({ field: 'properties.place_id', message: expect.stringMatching(/do not exist/) }));
    const cam = await w.as('officer').get(`/api/layers/cameras/features/${ids.publicInB2}`).expect(200);
    await w.as('officer').patch(`/api/layers/cameras/features/${ids.publicInB2}`).set('If-Match', String(cam.headers.etag))
      .send({ properties: { status: 'broken' } }).expect(200);
    const other = await w.as('officer').patch(`/api/layers/cameras/features/${ids.publicInB2}`).set('If-Match', '*')
      .send({ properties: { azimuth: 90 } }).expect(403);
    expect(other.body.error.message).toMatch(/azimuth/);
    await w.as('officer').post('/api/layers/incidents/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: [120.205, 22.995] }, properties: { type: 'drugs', occurred_at: '2026-01-01T00:00:00+08:00' },
    }).expect(403);
    expect(await listIds('officer', 'incidents')).not.toContain(ids.incidentP2);
  });
});

describe('signing in', () => {
  const login = (username: string, password: string) => request(w.app).post('/api/login').send({ username, password });

  it('says the same for a wrong password and an unknown user, and keeps scrypt hashes only', async () => {
    const wrong = await login('planner', 'not the password').expect(401);
    const nobody = await login('nobody', 'not the password').expect(401);
    expect(wrong.body).toEqual(nobody.body);
    const { rows } = await w.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w+/=]+\$[\w+/=]+$/);
      expect(r.password_hash).not.toContain(PASSWORD);
    }
    const sessions = await w.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    for (const s of sessions.rows) expect(Object.values(w.tokens)).not.toContain(s.token_hash);
  });

  it('works with the session cookie, and signing out ends the session', async () => {
    const res = await login('officer', PASSWORD).expect(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/emap_session=[\w-]+;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const me = await request(w.app).get('/api/me').set('Cookie', session).expect(200);
    expect(me.body).toMatchObject({ username: 'officer', role: 'officer', beatCode: 'B1' });
    await request(w.app).post('/api/logout').set('Cookie', session).expect(204);
    const after = await request(w.app).get('/api/me').set('Cookie', session).expect(401);
    expect(after.body.error.code).toBe('invalid_session');
    await request(w.app).get('/api/me').set('Authorization', 'Bearer not-a-token').expect(401);
  });

  it('stops password guessing after 10 failures for one username', async () => {
    for (let i = 0; i < 10; i++) await login('admin', `guess ${i}`).expect(401);
    const blocked = await login('admin', PASSWORD).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    await login('planner', PASSWORD).expect(200); // other accounts are not locked out
    const audit = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'admin' AND action = 'login-failed'`);
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(10);
  });
});
