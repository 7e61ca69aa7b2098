import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * 電子巡簽 (issue 16, part 2): an officer signs in at a patrol point of their beat, within 50 m
 * or with the point's QR code; every way round that is refused with its reason, logged, and
 * writes nothing. The world's officer is of beat B1 (120.20–120.21°E); B2 is a colleague's beat
 * of the same station, B3 another precinct's.
 */
let w: World;
const ids: Record<'a' | 'a2' | 'b' | 'c', number> = { a: 0, a2: 0, b: 0, c: 0 };
const AT: Record<keyof typeof ids, [number, number]> = { a: [120.205, 22.995], a2: [120.207, 22.993], b: [120.215, 22.995], c: [120.225, 22.995] };
/** A phone's report `m` metres north of `at` (a degree of latitude is about 110.8 km here), sure to `accuracy` m. */
const north = (at: [number, number], m: number, accuracy = 5) => ({ lon: at[0], lat: at[1] + m / 110_800, accuracy });

const signIn = (role: Parameters<World['as']>[0], point: number, body: object) => w.as(role).post(`/api/patrol-points/${point}/sign-in`).send(body);
const signins = async () => (await writeCounts(w.db, 'patrol_signins'));
const refusals = async () => (await w.db.query<{ code: string }>(`SELECT detail->>'code' AS code FROM audit_log WHERE action = 'patrol_signin_refused' ORDER BY id`)).rows.map((r) => r.code);

beforeAll(async () => {
  w = await openWorld();
  for (const [key, role] of [['a', 'planner'], ['a2', 'planner'], ['b', 'planner'], ['c', 'admin']] as const) {
    const res = await w.as(role).post('/api/layers/patrol-points/features').send({
      type: 'Feature', geometry: { type: 'Point', coordinates: AT[key] }, properties: { name: `巡簽點${key}`, kind: key === 'a' ? 'patrol_box' : 'atm' },
    }).expect(201);
    ids[key] = res.body.id;
  }
});
afterAll(async () => { await w?.close(); });

describe('signing in by position', () => {
  it('accepts the officer within 50 m of a point of their beat, with the distance PostGIS measures', async () => {
    const at = north(AT.a, 20);
    const res = await signIn('officer', ids.a, at).expect(201);
    const { rows: [truth] } = await w.db.query<{ m: number }>(
      `SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS m FROM patrol_points WHERE id = $3`, [at.lon, at.lat, ids.a]);
    expect(Math.abs(res.body.signIn.distanceM - truth!.m)).toBeLessThanOrEqual(0.5);
    expect(res.body.signIn).toMatchObject({ point: { id: ids.a, name: '巡簽點a' }, method: 'position' });
    expect(res.body.message).toBe(`已在「巡簽點a」簽到（距離 ${Math.round(truth!.m)} 公尺）。`);
    const { rows: [row] } = await w.db.query<{ officer: string; beat_code: string; station_code: string; method: string; created_by: string | null }>(
      `SELECT officer, beat_code, station_code, method FROM patrol_signins WHERE id = $1`, [res.body.signIn.id]);
    expect(row).toMatchObject({ officer: 'officer', beat_code: 'B1', station_code: 'S1', method: 'position' });
    // The planner reads it in the layer, attributed.
    const listed = await w.as('planner').get(`/api/layers/patrol-signins/features?point_id=${ids.a}`).expect(200);
    expect(listed.body.features.map((f: { properties: { officer: string } }) => f.properties.officer)).toEqual(['officer']);
  });

  it('refuses 230 m away saying how far, and a second sign-in within 10 minutes, writing nothing and logging why', async () => {
    const before = await signins();
    const far = await signIn('officer', ids.a2, north(AT.a2, 230, 10)).expect(422);
    expect(far.body.error).toMatchObject({ code: 'signin_too_far', message: '距離簽到點 230 公尺，請靠近後再簽（須在 50 公尺內），或掃描簽到點的 QR code。' });
    const again = await signIn('officer', ids.a, north(AT.a, 5)).expect(409);
    expect(again.body.error.code).toBe('signin_repeat');
    expect(again.body.error.message).toMatch(/^你 10 分鐘內已在「巡簽點a」簽到過（\d{2}:\d{2}），不必再簽。$/);
    const vague = await signIn('officer', ids.a2, north(AT.a2, 10, 150)).expect(422);
    expect(vague.body.error.code).toBe('signin_inaccurate');
    expect(await signins()).toEqual(before);
    expect((await refusals()).slice(-3)).toEqual(['signin_too_far', 'signin_repeat', 'signin_inaccurate']);
  });
});

describe('signing in by QR code', () => {
  it('gives planners a code per point and accepts it for that point alone, with the phone not far from it', async () => {
    const codes = await w.as('planner').get('/api/patrol-points/codes?station=S1').expect(200);
    const tokenOf = (id: number) => codes.body.codes.find((c: { id: number }) => c.id === id).token as string;
    expect(codes.body.codes.map((c: { id: number }) => c.id).sort()).toEqual([ids.a, ids.a2, ids.b].sort());
    expect(codes.body.codes.find((c: { id: number }) => c.id === ids.a).beat).toBe('東門派出所第1警勤區');
    // Another point's code, a made-up one, this point's code with no position or surely far from it, are refused.
    const near = north(AT.a2, 120, 60);
    expect((await signIn('officer', ids.a2, { token: tokenOf(ids.a), ...near }).expect(422)).body.error.code).toBe('signin_token_foreign');
    expect((await signIn('officer', ids.a2, { token: `${ids.a2}.${'A'.repeat(22)}`, ...near }).expect(422)).body.error.code).toBe('signin_token_foreign');
    expect((await signIn('officer', ids.a2, { token: tokenOf(ids.a2) }).expect(400)).body.error.code).toBe('signin_no_position');
    const spoofed = await signIn('officer', ids.a2, { token: tokenOf(ids.a2), ...north(AT.a2, 2000, 10) }).expect(422);
    expect(spoofed.body.error).toMatchObject({ code: 'signin_token_far', message: expect.stringMatching(/^你的位置距離簽到點 (1,99\d|2,00\d) 公尺/) });
    // 120 m off, unsure to 60 m (a lobby's 簽章表): the code proves the point.
    const ok = await signIn('officer', ids.a2, { token: tokenOf(ids.a2), ...near }).expect(201);
    expect(ok.body.signIn).toMatchObject({ method: 'qr' });
    expect(ok.body.message).toBe('已在「巡簽點a2」簽到（QR code）。');
    // The same code printed again is the same code.
    const again = await w.as('admin').get('/api/patrol-points/codes').expect(200);
    expect(again.body.codes.find((c: { id: number }) => c.id === ids.a2).token).toBe(tokenOf(ids.a2));
    expect((await w.as('officer').get('/api/patrol-points/codes').expect(403)).body.error.code).toBe('patrol_codes_planners_only');
  });

  it('voids a copied code when a planner makes a new one, attributed; the new one is taken', async () => {
    const old = (await w.as('planner').get('/api/patrol-points/codes?station=S1').expect(200)).body.codes.find((c: { id: number }) => c.id === ids.a2).token;
    const renewed = await w.as('planner').post(`/api/patrol-points/${ids.a2}/new-code`).send({}).expect(200);
    expect(renewed.body.token).not.toBe(old);
    expect(renewed.body.message).toBe('已產生新的 QR code：舊的 QR code 不能再簽到，請列印新的並換貼。');
    expect((await signIn('officer', ids.a2, { token: old, ...north(AT.a2, 5) }).expect(422)).body.error.code).toBe('signin_token_foreign');
    // The new code passes (and meets the repeat rule: the officer signed in here minutes ago).
    expect((await signIn('officer', ids.a2, { token: renewed.body.token, ...north(AT.a2, 5) }).expect(409)).body.error.code).toBe('signin_repeat');
    const { rows } = await w.db.query<{ actor: string }>(`SELECT actor FROM feature_history WHERE layer_table = 'patrol_points' AND feature_id = $1 ORDER BY id DESC LIMIT 1`, [ids.a2]);
    expect(rows[0]!.actor).toBe('planner');
    expect((await w.as('officer').post(`/api/patrol-points/${ids.a2}/new-code`).send({}).expect(403)).body.error.code).toBe('role_may_not_write');
    await w.as('planner').post(`/api/patrol-points/${ids.c}/new-code`).send({}).expect(404);
  });
});

describe('who, where and when', () => {
  it('refuses a colleague\'s beat by its name, another precinct\'s point as unknown, and every other role', async () => {
    const before = await signins();
    const other = await signIn('officer', ids.b, north(AT.b, 5)).expect(403);
    expect(other.body.error).toMatchObject({ code: 'signin_other_beat', message: '「巡簽點b」在東門派出所第2警勤區，不是你的警勤區，不能在此簽到；請到你警勤區的簽到點簽到。' });
    expect((await signIn('officer', ids.c, north(AT.c, 5)).expect(404)).body.error.code).toBe('signin_point_unknown');
    for (const role of ['planner', 'admin', 'community', 'public'] as const) {
      expect((await signIn(role, ids.a2, north(AT.a2, 5)).expect(403)).body.error.code).toBe('signin_officers_only');
    }
    expect(await signins()).toEqual(before);
  });

  it('takes the moment from the server, and refuses no position, an unsure-free position and a malformed request', async () => {
    const before = await signins();
    const logged = (await refusals()).length;
    expect((await signIn('officer', ids.a2, { ...north(AT.a2, 5), at: new Date().toISOString() }).expect(400)).body.error.code).toBe('signin_body');
    expect((await signIn('officer', ids.a2, {}).expect(400)).body.error.code).toBe('signin_no_position');
    expect((await signIn('officer', ids.a2, { lon: 120.2 }).expect(400)).body.error).toMatchObject({ code: 'signin_body', field: 'lat' });
    expect((await signIn('officer', ids.a2, { lon: AT.a2[0], lat: AT.a2[1] }).expect(400)).body.error).toMatchObject({ code: 'signin_body', field: 'accuracy' });
    expect((await signIn('officer', ids.a2, { ...north(AT.a2, 5), accuracy: 0 }).expect(400)).body.error).toMatchObject({ code: 'signin_body', field: 'accuracy' });
    expect((await signIn('officer', ids.a2, { ...north(AT.a2, 5), officer: 'someone' }).expect(400)).body.error.code).toBe('signin_body');
    expect((await signIn('officer', ids.a2, { lon: 500, lat: 22.99, accuracy: 5 }).expect(400)).body.error).toMatchObject({ code: 'signin_body', field: 'lon' });
    expect((await w.as('officer').post('/api/patrol-points/x/sign-in').send(north(AT.a2, 5)).expect(400)).body.error.field).toBe('id');
    expect(await signins()).toEqual(before);
    // Every one of them is in the log, the malformed ones too.
    expect((await refusals()).length).toBe(logged + 8);
  });

  it('keeps points and sign-ins from the community and the public by every route', async () => {
    for (const role of ['community', 'public'] as const) {
      const layers = await w.as(role).get('/api/layers').expect(200);
      expect(layers.body.layers.map((l: { id: string }) => l.id)).not.toEqual(expect.arrayContaining(['patrol-points']));
      expect(layers.body.layers.map((l: { id: string }) => l.id)).not.toContain('patrol-signins');
      await w.as(role).get('/api/layers/patrol-points/features').expect(404);
      await w.as(role).get('/api/layers/patrol-signins/features').expect(404);
      await w.as(role).get('/api/patrol-points/codes').expect(403);
      const found = await w.as(role).get(`/api/search?q=${encodeURIComponent('巡簽點')}`).expect(200);
      expect(JSON.stringify(found.body)).not.toContain('巡簽點a');
      const rolled = await w.as(role).get('/api/rollups?by=beat').expect(200);
      expect(rolled.body.sections).not.toContain('patrol');
      expect(rolled.body).not.toHaveProperty('patrolPoints');
    }
    // Police do find them.
    expect(JSON.stringify((await w.as('planner').get(`/api/search?q=${encodeURIComponent('巡簽點a')}`).expect(200)).body)).toContain('巡簽點a');
  });

  it('refuses writes to sign-ins through the feature API, whoever asks: they are made by signing in', async () => {
    const before = await signins();
    for (const role of ['officer', 'planner', 'admin'] as const) {
      const res = await w.as(role).post('/api/layers/patrol-signins/features')
        .send({ type: 'Feature', geometry: null, properties: { point_id: ids.a2, officer: 'officer', signed_at: new Date().toISOString(), method: 'position' } });
      expect(res.status, role).toBe(403);
      expect(res.body.error.code).toBe('role_may_not_write');
    }
    expect(await signins()).toEqual(before);
  });
});
