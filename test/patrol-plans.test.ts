import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../server/auth/users.js';
import { comingMonday, insertPlan } from '../server/patrol/plans.js';
import { PASSWORD, openWorld, type World } from './support/world.js';

/**
 * 熱時熱點 patrol plans (issue 16, part 3), in the test world's station S1 (東門派出所):
 * incidents made here at two places and hours over the sixteen weeks before the coming week W, the
 * draft for W checked against counts made here (its places, windows, points and back-test), who
 * may draft, edit, approve and read, edits by version, and plan against done from sign-ins made
 * here against a plan of a week gone by.
 */
let w: World;
/** The week planned: the coming one (a plan is for this week or the next). */
const W = comingMonday();
const day = (offset: number) => { const d = new Date(`${W}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + offset); return d.toISOString().slice(0, 10); };
/** Place A: scooter thefts at 23:30; place B, 1 km east: 車手提款 at 00:20. */
const A = [120.2051, 22.9951] as const;
const B = [120.2151, 22.9951] as const;
const points: Record<string, number> = {};
let planner2 = '';

/** `count` incidents at a place and time of day, one every `step` days from W + firstDay. */
async function incidents(type: string, [lon, lat]: readonly [number, number], firstDay: number, count: number, time: string, step = 2): Promise<void> {
  await w.db.query(`INSERT INTO incidents (type, occurred_at, geom)
    SELECT $1, (($2::date + k * $6::int) || ' ${time}')::timestamp AT TIME ZONE 'Asia/Taipei', ST_SetSRID(ST_MakePoint($3, $4), 4326)
      FROM generate_series(0, $5 - 1) k`, [type, day(firstDay), lon, lat, count, step]);
}

beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`SELECT set_config('app.actor', 'fixture', false)`);
  // Training weeks [W−16w, W−8w): 30 at A. Draft weeks [W−8w, W): 24 at A, 6 at B, and 8 lone ones.
  await incidents('scooter_theft', A, -112, 30, '23:30', 1);
  await incidents('scooter_theft', A, -56, 24, '23:30');
  await incidents('fraud_withdrawal', B, -50, 6, '00:20');
  for (let k = 0; k < 8; k++) await incidents('violence', [120.201 + k * 0.0024, 22.9915], -40 + k, 1, `${String(8 + k).padStart(2, '0')}:00`);
  const point = async (name: string, lon: number, lat: number) => {
    points[name] = (await w.db.query<{ id: number }>(`INSERT INTO patrol_points (name, kind, geom) VALUES ($1, 'patrol_box', ST_SetSRID(ST_MakePoint($2, $3), 4326)) RETURNING id::int AS id`,
      [name, lon, lat])).rows[0]!.id;
  };
  await point('近A', A[0] + 0.0005, A[1]); // ~50 m
  await point('稍遠A', A[0] + 0.003, A[1]); // ~300 m
  await point('遠A', A[0] + 0.006, A[1]); // ~600 m: too far
  await point('海安', 120.2251, 22.9951); // station S2
  await w.db.exec(`SELECT set_config('app.actor', '', false)`);
  await upsertUser(w.db, { username: 'planner2', password: PASSWORD, role: 'planner', precinctCode: 'P2' });
  planner2 = (await request(w.app).post('/api/login').send({ username: 'planner2', password: PASSWORD }).expect(200)).body.token;
});
afterAll(async () => { await w?.close(); });

let planId = 0;
let etag = '';

describe('drafting a plan', () => {
  it('finds the hot places and their hours from the eight weeks before, with the nearest points and a dosage', async () => {
    const res = await w.as('planner').post('/api/patrol-plans').send({ station: 'S1', week: W }).expect(201);
    const plan = res.body.plan;
    planId = plan.id;
    etag = String(res.headers.etag);
    expect(res.body.message).toBe(`已產生 東門派出所 ${W} 起一週的巡邏計畫草案（2 處熱點）；請檢查後核定。`);
    expect(plan).toMatchObject({ status: 'draft', weekStart: W, station: { code: 'S1', name: '東門派出所' }, types: null, version: 1 });
    const [a, b] = plan.items;
    // A: 24 thefts, all at 23:30; its two-hour window holds them all. B: 6 at 00:20.
    expect(a).toMatchObject({ incidents: 24, inWindow: 24, hours: 2, weekdays: [1, 2, 3, 4, 5, 6, 7], minutes: 15, visits: 3, place: '東區東門里一帶' });
    expect([22, 23]).toContain(a.from);
    expect(a.points).toEqual([points['近A'], points['稍遠A']]);
    expect(a.pointNames).toEqual(['近A', '稍遠A']);
    expect(b).toMatchObject({ incidents: 6, inWindow: 6, visits: 2, points: [] });
    expect([23, 0]).toContain(b.from);
    // The lone incidents (one a place) make no place.
    expect(plan.items).toHaveLength(2);
    expect(plan.basis).toMatchObject({ weeks: 8, incidents: 24 + 6 + 8, cellM: 250, from: day(-56), to: W });
  });

  it('is held to a back-test: the same rule eight weeks earlier caught 24 of the 38 incidents that followed', async () => {
    const { body } = await w.as('planner').get(`/api/patrol-plans/${planId}`).expect(200);
    const bt = body.plan.basis.backtest;
    expect(bt).toMatchObject({ trainedFrom: day(-112), testedFrom: day(-56), testedTo: W, incidents: 38, caught: 24 });
    expect(bt.share).toBeCloseTo(24 / 38, 6);
    // The baseline: one cell's two hours of the station's cell-hours (cells of 250 m meeting S1, counted here).
    const { rows: [counted] } = await w.db.query<{ cells: number }>(`
      SELECT count(*)::int AS cells FROM stations s, LATERAL (SELECT ST_Transform(s.geom, 3826) g) t,
        generate_series(floor(ST_XMin(t.g) / 250)::int, floor(ST_XMax(t.g) / 250)::int) i, generate_series(floor(ST_YMin(t.g) / 250)::int, floor(ST_YMax(t.g) / 250)::int) j
       WHERE s.code = 'S1' AND ST_Intersects(t.g, ST_MakeEnvelope(i * 250, j * 250, (i + 1) * 250, (j + 1) * 250, 3826))`);
    const cells = counted!.cells;
    expect(cells).toBeGreaterThan(30);
    expect(bt.baseline).toBeCloseTo(2 / (cells * 24), 9);
    expect(bt.ratio).toBeCloseTo(bt.share / bt.baseline, 6);
  });

  it('for chosen types only: 車手提款 gives place B alone, and a week with too few incidents says so', async () => {
    const res = await w.as('planner').post('/api/patrol-plans').send({ station: 'S1', week: day(-7), types: ['fraud_withdrawal'] }).expect(201);
    expect(res.body.plan.items).toHaveLength(1);
    expect(res.body.plan.items[0]).toMatchObject({ incidents: 6, inWindow: 6, visits: 2 });
    expect(res.body.plan.types).toEqual(['fraud_withdrawal']);
    expect(res.body.plan.basis.backtest).toMatchObject({ share: null, note: 'few_incidents' });
  });

  it('refuses what it cannot plan, in words, and keeps one plan a station a week', async () => {
    const refusals: [object, number, string][] = [
      [{ station: 'S9' }, 400, 'plan_station_unknown'],
      [{ station: 'S1', week: day(1) }, 400, 'plan_week_not_monday'],
      [{ station: 'S1', week: '2026-13-01' }, 400, 'plan_week_not_monday'],
      [{ station: 'S1', week: 'next monday' }, 400, 'plan_body'],
      [{ station: 'S1', types: ['arson'] }, 400, 'plan_body'],
      [{ station: 'S1', week: W }, 409, 'plan_exists'],
      // This week or the next only: a week gone by is a record, one far ahead has no incidents to go on.
      [{ station: 'S1', week: day(-28) }, 400, 'plan_week_out_of_range'],
      [{ station: 'S1', week: day(7) }, 400, 'plan_week_out_of_range'],
      [{ station: 'S1', week: '0001-01-01' }, 400, 'plan_week_out_of_range'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await w.as('planner').post('/api/patrol-plans').send(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    const { rows } = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM patrol_plans WHERE station_code = 'S1' AND week_start = $1`, [W]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('who may plan and read', () => {
  it('planners of the precinct and the bureau draft; others are told whose it is', async () => {
    const other = await request(w.app).post('/api/patrol-plans').set('Authorization', `Bearer ${planner2}`).send({ station: 'S1', week: day(14) }).expect(403);
    expect(other.body.error.code).toBe('plan_planners_only');
    await w.as('officer').post('/api/patrol-plans').send({ station: 'S1', week: day(14) }).expect(403);
    await w.as('community').get('/api/patrol-plans').expect(403);
    await w.as('public').get('/api/patrol-plans').expect(401);
    // A draft is the planners': officers see plans once approved.
    await w.as('officer').get(`/api/patrol-plans/${planId}`).expect(404);
    expect((await w.as('officer').get('/api/patrol-plans').expect(200)).body.plans).toEqual([]);
    await request(w.app).get(`/api/patrol-plans/${planId}`).set('Authorization', `Bearer ${planner2}`).expect(404);
  });
});

describe('editing and approving', () => {
  it('takes edits by version, only of its own places and the station\'s points; approval makes it the officers\'', async () => {
    const path = `/api/patrol-plans/${planId}`;
    const { body: { plan } } = await w.as('planner').get(path).expect(200);
    const edit = (items: object[]) => ({ items });
    const a = { cell: plan.items[0].cell, weekdays: [5, 6], from: 22, hours: 3, points: [points['近A']], visits: 2, minutes: 10 };
    await w.as('planner').patch(path).send(edit([a])).expect(428);
    await w.as('planner').patch(path).set('If-Match', '"99"').send(edit([a])).expect(412);
    const stranger = await w.as('planner').patch(path).set('If-Match', etag).send(edit([{ ...a, points: [points['海安']] }])).expect(400);
    expect(stranger.body.error.code).toBe('plan_point_unknown');
    const invented = await w.as('planner').patch(path).set('If-Match', etag).send(edit([{ ...a, cell: { i: 1, j: 1 } }])).expect(400);
    expect(invented.body.error.code).toBe('plan_item_unknown');
    const twice = await w.as('planner').patch(path).set('If-Match', etag).send(edit([a, a])).expect(400);
    expect(twice.body.error.code).toBe('plan_item_repeated');
    await w.as('planner').patch(path).set('If-Match', etag).send({ items: [{ ...a, visits: 99 }] }).expect(400);
    // Place B dropped, A on Friday and Saturday nights only, 22–01, two visits of 10 minutes.
    const saved = await w.as('planner').patch(path).set('If-Match', etag).send({ ...edit([a]), note: '週五六夜間加強' }).expect(200);
    expect(saved.body.plan).toMatchObject({ version: 2, status: 'draft', note: '週五六夜間加強', items: [{ weekdays: [5, 6], from: 22, hours: 3, visits: 2, minutes: 10, incidents: 24, place: '東區東門里一帶' }] });
    etag = String(saved.headers.etag);
    await request(w.app).post(`${path}/approve`).set('Authorization', `Bearer ${planner2}`).set('If-Match', etag).expect(404);
    const approved = await w.as('planner').post(`${path}/approve`).set('If-Match', etag).expect(200);
    expect(approved.body.plan).toMatchObject({ status: 'approved', approvedBy: 'planner', version: 3 });
    expect(approved.body.message).toMatch(/已核定/);
    etag = String(approved.headers.etag);
    const seen = await w.as('officer').get('/api/patrol-plans').expect(200);
    expect(seen.body.plans.map((p: { id: number }) => p.id)).toEqual([planId]);
    // An approved plan is not replaced by a new draft.
    const again = await w.as('planner').post('/api/patrol-plans').send({ station: 'S1', week: W, replace: true }).expect(409);
    expect(again.body.error.code).toBe('plan_approved_exists');
    const { rows } = await w.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'plan_%' AND detail->>'plan' = $1 ORDER BY id`, [String(planId)]);
    expect(rows.map((r) => r.action)).toEqual(['plan_drafted', 'plan_changed', 'plan_approved']);
  });

  it('replaces a draft only when asked, keeping the old one as replaced', async () => {
    const week = day(-7);
    const first = (await w.as('planner').get('/api/patrol-plans?station=S1&weeks=53').expect(200)).body.plans.find((p: { weekStart: string }) => p.weekStart === week);
    const res = await w.as('planner').post('/api/patrol-plans').send({ station: 'S1', week, replace: true }).expect(201);
    expect(res.body.plan.id).not.toBe(first.id);
    const { rows } = await w.db.query<{ deleted: boolean }>(`SELECT deleted_at IS NOT NULL AS deleted FROM patrol_plans WHERE id = $1`, [first.id]);
    expect(rows[0]!.deleted).toBe(true);
  });
});

describe('plan against done', () => {
  it('counts sign-ins at a place\'s points within its windows, at most the planned visits, each sign-in once, by officer; a week gone by is not changed', async () => {
    // A plan of four weeks ago, approved: place A on Friday and Saturday 22:00–01:00, two visits
    // at 近A; and Friday 23:00–24:00 at 近A or 稍遠A, one visit (two places sharing a point and an hour).
    const P = day(-28);
    const cell = (await w.as('planner').get(`/api/patrol-plans/${planId}`).expect(200)).body.plan.items[0].cell;
    const item = (weekdays: number[], from: number, hours: number, pts: string[], visits: number) => ({
      cell, outline: {}, place: '東區東門里一帶', weekdays, from, hours, points: pts.map((n) => points[n]!), visits, minutes: 10, incidents: 0, inWindow: 0 });
    const pastId = await insertPlan(w.db, { station: 'S1', precinct: 'P1', week: P, types: null, by: 'planner', approved: true,
      draft: { items: [item([5, 6], 22, 3, ['近A'], 2), item([5], 23, 1, ['近A', '稍遠A'], 1)], basis: {} as never } });
    const at = (offset: number, time: string) => { const d = new Date(`${P}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + offset); return `${d.toISOString().slice(0, 10)} ${time}`; };
    const sign = (officer: string, point: string, when: string) => w.db.query(
      `INSERT INTO patrol_signins (point_id, officer, signed_at, method) VALUES ($1, $2, ($3::timestamp AT TIME ZONE 'Asia/Taipei'), 'qr')`, [points[point], officer, when]);
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false)`);
    await sign('王警員', '近A', at(4, '22:15')); // Friday, the first place's
    await sign('王警員', '近A', at(4, '23:40')); // Friday, the first place's second visit
    await sign('李警員', '近A', at(4, '23:55')); // Friday: the first place has its two; the second place's one
    await sign('李警員', '近A', at(5, '00:30')); // Friday's window past midnight: needed by neither any more
    await sign('王警員', '近A', at(5, '12:00')); // Saturday noon: no planned hour
    await sign('王警員', '稍遠A', at(5, '22:30')); // Saturday night, but not the first place's point
    await w.db.exec(`SELECT set_config('app.actor', '', false)`);
    const { body } = await w.as('officer').get(`/api/patrol-plans/${pastId}`).expect(200);
    const p = body.plan.progress;
    expect(p.items[0].days).toEqual([{ date: at(4, '').trim(), required: 2, done: 2 }, { date: at(5, '').trim(), required: 2, done: 0 }]);
    expect(p.items[1].days).toEqual([{ date: at(4, '').trim(), required: 1, done: 1 }]);
    expect(p).toMatchObject({ required: 5, done: 3, share: 0.6 });
    expect(p.byOfficer).toEqual([{ officer: '王警員', signIns: 2 }, { officer: '李警員', signIns: 1 }]);
    // A week gone by is a record: its plan is neither changed nor approved again.
    const over = await w.as('planner').patch(`/api/patrol-plans/${pastId}`).set('If-Match', '*').send({ note: '事後補記' }).expect(409);
    expect(over.body.error.code).toBe('plan_week_over');
  });
});
