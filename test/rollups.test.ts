import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPlan } from '../server/patrol/plans.js';
import { namedPeriod, parsePeriod } from '../server/rollups/period.js';
import { CAMERA_OWNER_KINDS, CAMERA_STATUSES, DRONE_STATUSES, INCIDENT_TYPES, KEY_PLACE_CATEGORIES, VISIT_OUTCOMES } from '../server/layers/vocabularies.js';
import { binary } from './support/mvt.js';
import { tm2 } from './support/tm2.js';
import { openWorld, type World } from './support/world.js';

/**
 * 彙整 roll-ups checked against counts made in the test from the rows it wrote, by the rules the
 * README gives: per beat, station, precinct and bureau, for 2025H2 against 2025H1, for each
 * role. The rows are generated from a fixed sequence over the world's three beats
 * (B1 120.20–120.21°E, B2 120.21–120.22, B3 120.22–120.23; S1/P1 hold B1 and B2, S2/P2 B3).
 */
let w: World;
const PERIOD = { from: '2025-07-01', to: '2025-12-31' };
const PREVIOUS = { from: '2025-01-01', to: '2025-06-30' };
/** Due before this day is overdue: the day after the period (it lies in the past). */
const OVERDUE_BEFORE = '2026-01-01';
const REPLACE_BY = 2025 - 7;

/** A deterministic sequence in [0, 1). */
function sequence(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}
const rnd = sequence(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const BEATS = ['B1', 'B2', 'B3'] as const;
type Beat = (typeof BEATS)[number];
/** A point strictly inside a beat, off every edge. */
const inside = (b: Beat): [number, number] => [120.2 + BEATS.indexOf(b) * 0.01 + 0.0005 + rnd() * 0.009, 22.9905 + rnd() * 0.009];
const day = (from: string, days: number) => new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const UNITS: Record<Beat, { station: string; precinct: string }> = { B1: { station: 'S1', precinct: 'P1' }, B2: { station: 'S1', precinct: 'P1' }, B3: { station: 'S2', precinct: 'P2' } };

interface Place { id: number; beat: Beat; category: string; status: string; listedOn: string | null; delistedOn: string | null; due: string | null; name: string }
interface Visit { place: Place; at: string; outcome: string }
/** A status change of a camera, at Taiwan midnight of `on`. */
interface Change { on: string; from: string; to: string }
interface Camera {
  id: number; beat: Beat; status: string; owner: string; lpr: boolean; networked: boolean; year: number | null; isPublic: boolean; lon: number; lat: number;
  created: string; changes: Change[]; deleted?: string;
}
interface Block { beat: Beat; adopter: string; kind: string; team: number | null; w0: number; s0: number; e0: number; n0: number }
interface Survey { id: number; beat: Beat; status: string; plannedOn: string; findings: string | null; targets: number; name: string }
interface Incident { beat: Beat; type: string; at: string }
const places: Place[] = [];
const visits: Visit[] = [];
const cameras: Camera[] = [];
/** Cameras deleted since: in no register count, in 妥善率 for the time they served. */
const retired: Camera[] = [];
const blocks: Block[] = [];
const surveys: Survey[] = [];
const incidents: Incident[] = [];
/** A patrol point and its sign-ins' moments (Taiwan time). */
interface PatrolPoint { id: number; beat: Beat; signIns: string[] }
const patrolPoints: PatrolPoint[] = [];

const sql = (s: string | null) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
const point = ([lon, lat]: [number, number]) => `ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)`;
const insertId = async (q: string) => (await w.db.query<{ id: number }>(`${q} RETURNING id::int AS id`)).rows[0]!.id;

beforeAll(async () => {
  w = await openWorld();
  await w.db.exec(`SELECT set_config('app.actor', 'fixture', false)`);
  const teams = [
    await insertId(`INSERT INTO watch_teams (name, precinct_code, members) VALUES ('甲隊', 'P1', 10)`),
    await insertId(`INSERT INTO watch_teams (name, precinct_code, members) VALUES ('乙隊', 'P2', 8)`),
  ];
  for (let i = 0; i < 60; i++) {
    const beat = pick(BEATS);
    const status = rnd() < 0.8 ? 'listed' : 'delisted';
    const p: Place = {
      id: 0, beat, name: `處所${i}`, category: pick(KEY_PLACE_CATEGORIES).value, status,
      listedOn: rnd() < 0.5 ? day('2025-01-01', Math.floor(rnd() * 365)) : null,
      delistedOn: status === 'delisted' ? day('2025-03-01', Math.floor(rnd() * 300)) : null,
      due: rnd() < 0.85 ? day('2025-05-01', Math.floor(rnd() * 400)) : null,
    };
    p.id = await insertId(`INSERT INTO key_places (name, category, listing_status, listed_on, delisted_on, next_visit_due, geom)
      VALUES (${sql(p.name)}, ${sql(p.category)}, ${sql(p.status)}, ${sql(p.listedOn)}, ${sql(p.delistedOn)}, ${sql(p.due)}, ${point(inside(beat))})`);
    places.push(p);
    for (let k = Math.floor(rnd() * 3); k > 0; k--) {
      const v: Visit = { place: p, at: `${day('2025-03-01', Math.floor(rnd() * 300))}T10:00:00+08:00`, outcome: pick(VISIT_OUTCOMES).value };
      await w.db.query(`INSERT INTO visits (place_id, officer, visited_at, outcome) VALUES ($1, '王警員', $2, $3)`, [p.id, v.at, v.outcome]);
      visits.push(v);
    }
  }
  // Cameras set up between March and October 2025, each with up to three status changes (its
  // history, as edits would have written it); one more was in service until October and deleted.
  for (let i = 0; i < 81; i++) {
    const beat = pick(BEATS);
    const [lon, lat] = inside(beat);
    const created = day('2025-03-01', Math.floor(rnd() * 240));
    const changes: Change[] = [];
    let status = pick(CAMERA_STATUSES).value;
    for (let k = Math.floor(rnd() * 4), on = created; k > 0; k--) {
      on = day(on, 1 + Math.floor(rnd() * 60));
      const to = pick(CAMERA_STATUSES.filter((x) => x.value !== status)).value;
      changes.push({ on, from: status, to });
      status = to;
    }
    const c: Camera = { id: 0, beat, lon, lat, status, owner: pick(CAMERA_OWNER_KINDS).value, lpr: rnd() < 0.3, networked: rnd() < 0.5,
      year: rnd() < 0.15 ? null : 2008 + Math.floor(rnd() * 17), isPublic: rnd() < 0.6, created, changes, ...(i === 80 ? { deleted: '2025-10-01' } : {}) };
    c.id = await insertId(`INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, status, lpr, networked, install_year, is_public, created_at, deleted_at, deleted_by, geom)
      VALUES (${sql(`攝影機${i}`)}, 0, 90, 30, ${sql(c.owner)}, ${sql(c.status)}, ${c.lpr}, ${c.networked}, ${c.year ?? 'NULL'}, ${c.isPublic},
              ${sql(`${created}T00:00:00+08:00`)}, ${c.deleted ? sql(`${c.deleted}T00:00:00+08:00`) : 'NULL'}, ${c.deleted ? `'fixture'` : 'NULL'}, ${point([lon, lat])})`);
    for (const ch of changes) {
      await w.db.query(`INSERT INTO feature_history (layer_table, feature_id, version, action, actor, at, before, after)
        VALUES ('cameras', $1, 2, 'update', 'fixture', $2, jsonb_build_object('status', $3::text), jsonb_build_object('status', $4::text))`,
      [c.id, `${ch.on}T00:00:00+08:00`, ch.from, ch.to]);
    }
    (c.deleted ? retired : cameras).push(c);
  }
  // A camera deleted in August while working and restored in September as broken: out of
  // service in between (its history has the deletion and the restoration).
  {
    const [lon, lat] = inside('B2');
    const c: Camera = { id: 0, beat: 'B2', lon, lat, status: 'broken', owner: 'police', lpr: false, networked: true, year: 2020, isPublic: false, created: '2025-03-10',
      changes: [{ on: '2025-08-01', from: 'working', to: '(deleted)' }, { on: '2025-09-01', from: '(deleted)', to: 'broken' }] };
    c.id = await insertId(`INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, status, lpr, networked, install_year, is_public, created_at, geom)
      VALUES ('復原的攝影機', 0, 90, 30, 'police', 'broken', false, true, 2020, false, '2025-03-10T00:00:00+08:00', ${point([lon, lat])})`);
    for (const ch of c.changes) {
      const action = ch.to === '(deleted)' ? 'delete' : 'restore';
      await w.db.query(`INSERT INTO feature_history (layer_table, feature_id, version, action, actor, at, before, after)
        VALUES ('cameras', $1, 2, $2, 'fixture', $3, jsonb_build_object('status', $4::text), jsonb_build_object('status', $5::text))`,
      [c.id, action, `${ch.on}T00:00:00+08:00`, action === 'delete' ? ch.from : 'working', action === 'delete' ? ch.from : ch.to]);
    }
    cameras.push(c);
  }
  for (let i = 0; i < 12; i++) {
    const beat = BEATS[i % 3]!;
    // 0.001° × 0.0015° blocks, inside their beat.
    const [w0, s0] = [120.2 + BEATS.indexOf(beat) * 0.01 + 0.0005 + rnd() * 0.008, 22.9905 + rnd() * 0.007];
    const b: Block = { beat, adopter: `認養單位${i % 5}`, kind: pick(['school', 'company', 'community']), team: rnd() < 0.5 ? teams[BEATS.indexOf(beat) === 2 ? 1 : 0]! : null,
      w0, s0, e0: w0 + 0.001, n0: s0 + 0.0015 };
    await w.db.query(`INSERT INTO watch_blocks (name, adopter, adopter_kind, team_id, geom) VALUES ($1, $2, $3, $4, ST_Multi(ST_MakeEnvelope($5, $6, $7, $8, 4326)))`,
      [`區塊${i}`, b.adopter, b.kind, b.team, b.w0, b.s0, b.e0, b.n0]);
    blocks.push(b);
  }
  for (let i = 0; i < 20; i++) {
    const beat = pick(BEATS);
    const [lon, lat] = inside(beat);
    const s: Survey = { id: 0, beat, name: `蒐證區${i}`, status: pick(DRONE_STATUSES).value, plannedOn: day('2025-02-01', Math.floor(rnd() * 330)),
      findings: rnd() < 0.5 ? '發現鐵皮屋加蓋' : rnd() < 0.5 ? '  ' : null, targets: Math.floor(rnd() * 3) };
    const targets = places.slice(0, s.targets).map((p) => p.id);
    s.id = await insertId(`INSERT INTO drone_surveys (name, purpose, status, planned_on, findings, target_place_ids, geom)
      VALUES (${sql(s.name)}, 'factory_check', ${sql(s.status)}, ${sql(s.plannedOn)}, ${sql(s.findings)}, ARRAY[${targets.join(',')}]::bigint[],
              ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon + 0.0005}, ${lat + 0.0005}, 4326)))`);
    surveys.push(s);
  }
  for (let i = 0; i < 300; i++) {
    const beat = pick(BEATS);
    const inc: Incident = { beat, type: pick(INCIDENT_TYPES).value, at: `${day('2024-12-15', Math.floor(rnd() * 400))}T${String(Math.floor(rnd() * 24)).padStart(2, '0')}:30:00+08:00` };
    await w.db.query(`INSERT INTO incidents (type, occurred_at, geom) VALUES ($1, $2, ${point(inside(beat))})`, [inc.type, inc.at]);
    incidents.push(inc);
  }
  // Two patrol points a beat, signed at by officers now and then from May 2025 to February 2026.
  for (let i = 0; i < 6; i++) {
    const beat = BEATS[i % 3]!;
    const pt: PatrolPoint = { id: 0, beat, signIns: [] };
    pt.id = await insertId(`INSERT INTO patrol_points (name, kind, geom) VALUES ('巡簽點${i}', 'patrol_box', ${point(inside(beat))})`);
    for (let k = i === 5 ? 0 : 2 + Math.floor(rnd() * 6); k > 0; k--) {
      const at = `${day('2025-05-01', Math.floor(rnd() * 300))}T${String(Math.floor(rnd() * 24)).padStart(2, '0')}:15:00+08:00`;
      await w.db.query(`INSERT INTO patrol_signins (point_id, officer, signed_at, method) VALUES ($1, '王警員', $2, 'position')`, [pt.id, at]);
      pt.signIns.push(at);
    }
    patrolPoints.push(pt);
  }
  // Deleted rows, and a row outside every beat, count nowhere.
  await w.db.exec(`INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, deleted_at, deleted_by, geom) VALUES ('已刪除', 0, 90, 30, 'police', now(), 'fixture', ${point([120.205, 22.995])});
    INSERT INTO incidents (type, occurred_at, geom) VALUES ('drugs', '2025-08-01T10:00:00+08:00', ${point([120.3, 22.995])});
    SELECT set_config('app.actor', '', false);`);
});
afterAll(async () => { await w?.close(); });

// ---- The figures, counted here by the README's rules ------------------------------------------

const inPeriod = (d: string | null, p = PERIOD) => d !== null && d.slice(0, 10) >= p.from && d.slice(0, 10) <= p.to;
const count = <T>(xs: readonly T[], f: (x: T) => boolean) => xs.filter(f).length;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const counted = (choices: readonly { value: string; label: string }[], xs: readonly { v: string }[]) =>
  choices.map((c) => ({ key: c.value, label: c.label, count: count(xs, (x) => x.v === c.value) }));

const taiwanMidnight = (d: string) => Date.parse(`${d}T00:00:00+08:00`);

/** A camera's seconds in each status over the period, from its changes, as the README defines 妥善率. */
function served(c: Camera): Record<'service' | 'working' | 'broken' | 'offline', number> {
  const start = Math.max(taiwanMidnight(PERIOD.from), taiwanMidnight(c.created));
  const end = Math.min(taiwanMidnight(OVERDUE_BEFORE), c.deleted ? taiwanMidnight(c.deleted) : Infinity);
  const out = { service: 0, working: 0, broken: 0, offline: 0 };
  if (end <= start) return out;
  const at = (ch: Change) => taiwanMidnight(ch.on);
  let status = [...c.changes].reverse().find((ch) => at(ch) <= start)?.to ?? c.changes.find((ch) => at(ch) > start)?.from ?? c.status;
  let from = start;
  const add = (s: string, seconds: number) => {
    if (s === '(deleted)') return;
    out[s as 'working'] += seconds;
    out.service += seconds;
  };
  for (const ch of c.changes.filter((x) => at(x) > start && at(x) < end)) {
    add(status, (at(ch) - from) / 1000);
    [status, from] = [ch.to, at(ch)];
  }
  add(status, (end - from) / 1000);
  return out;
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function expected(inUnit: (b: Beat) => boolean, sections: string[]) {
  const ps = places.filter((p) => inUnit(p.beat));
  const vs = visits.filter((v) => inUnit(v.place.beat) && inPeriod(v.at));
  const visited = (p: Place) => visits.some((v) => v.place === p && inPeriod(v.at));
  const due = ps.filter((p) => p.status === 'listed' && p.due !== null && p.due <= PERIOD.to);
  const cs = cameras.filter((c) => inUnit(c.beat));
  const times = [...cs, ...retired.filter((c) => inUnit(c.beat))].map(served).filter((t) => t.service > 0);
  const bs = blocks.filter((b) => inUnit(b.beat));
  const ss = surveys.filter((s) => inUnit(s.beat) && inPeriod(s.plannedOn));
  const hasFindings = (s: Survey) => s.status === 'done' && (s.findings ?? '').trim() !== '';
  const now = incidents.filter((i) => inUnit(i.beat) && inPeriod(i.at));
  const before = incidents.filter((i) => inUnit(i.beat) && inPeriod(i.at, PREVIOUS));
  const change = (a: number, b: number) => ({ current: a, previous: b, change: a - b, changePct: b > 0 ? Math.round(((a - b) / b) * 1000) / 10 : null });
  const rectKm2 = (b: Block) => {
    const ring = [[b.w0, b.s0], [b.e0, b.s0], [b.e0, b.n0], [b.w0, b.n0]].map(([x, y]) => tm2(x!, y!));
    return Math.abs(ring.reduce((a, [x1, y1], i) => { const [x2, y2] = ring[(i + 1) % 4]!; return a + x1 * y2 - x2 * y1; }, 0)) / 2 / 1e6;
  };
  const all: Record<string, unknown> = {
    keyPlaces: {
      total: ps.length, listed: count(ps, (p) => p.status === 'listed'), delisted: count(ps, (p) => p.status === 'delisted'),
      listedInPeriod: count(ps, (p) => inPeriod(p.listedOn)), delistedInPeriod: count(ps, (p) => inPeriod(p.delistedOn)),
      byCategory: KEY_PLACE_CATEGORIES.map((c) => ({ key: c.value, label: c.label,
        listed: count(ps, (p) => p.category === c.value && p.status === 'listed'), delisted: count(ps, (p) => p.category === c.value && p.status === 'delisted') })),
    },
    visits: {
      visits: vs.length, placesVisited: new Set(vs.map((v) => v.place)).size, byOutcome: counted(VISIT_OUTCOMES, vs.map((v) => ({ v: v.outcome }))),
      due: due.length, dueVisited: count(due, visited), overdue: count(due, (p) => !visited(p) && p.due! < OVERDUE_BEFORE),
      rate: ratio(count(due, visited), due.length),
    },
    cameras: {
      total: cs.length, byStatus: counted(CAMERA_STATUSES, cs.map((c) => ({ v: c.status }))), working: count(cs, (c) => c.status === 'working'),
      workingRatio: ratio(count(cs, (c) => c.status === 'working'), cs.length), byOwner: counted(CAMERA_OWNER_KINDS, cs.map((c) => ({ v: c.owner }))),
      lpr: count(cs, (c) => c.lpr), networked: count(cs, (c) => c.networked), noLpr: count(cs, (c) => !c.lpr), notNetworked: count(cs, (c) => !c.networked),
      inService: times.length, availability: ratio(sum(times.map((t) => t.working)), sum(times.map((t) => t.service))),
      inServiceHours: Math.round(sum(times.map((t) => t.service)) / 3600), brokenHours: Math.round(sum(times.map((t) => t.broken)) / 3600),
      offlineHours: Math.round(sum(times.map((t) => t.offline)) / 3600),
      replacementDue: count(cs, (c) => c.year !== null && c.year <= REPLACE_BY), unknownAge: count(cs, (c) => c.year === null),
    },
    watch: {
      blocks: bs.length, adopters: new Set(bs.map((b) => b.adopter)).size, teams: new Set(bs.map((b) => b.team).filter((t) => t !== null)).size,
      withTeam: count(bs, (b) => b.team !== null), areaKm2: expect.closeTo(bs.reduce((a, b) => a + rectKm2(b), 0), 3),
      byAdopterKind: counted([{ value: 'agency', label: '機關' }, { value: 'school', label: '學校' }, { value: 'company', label: '公司' }, { value: 'shop', label: '商家' }, { value: 'community', label: '社區' }],
        bs.map((b) => ({ v: b.kind }))),
    },
    drones: {
      surveys: ss.length, done: count(ss, (s) => s.status === 'done'), withFindings: count(ss, hasFindings), targets: ss.reduce((a, s) => a + s.targets, 0),
      byStatus: counted(DRONE_STATUSES, ss.map((s) => ({ v: s.status }))),
    },
    patrol: (() => {
      const pts = patrolPoints.filter((x) => inUnit(x.beat));
      const inside = (x: PatrolPoint) => x.signIns.filter((at) => inPeriod(at));
      const hour = (at: string) => Number(at.slice(11, 13));
      const all = pts.flatMap(inside);
      return {
        points: pts.length, pointsSignedAt: count(pts, (x) => inside(x).length > 0), pointsMissed: count(pts, (x) => inside(x).length === 0), signIns: all.length,
        byShift: [['night', '0–8 時', 0, 8], ['day', '8–16 時', 8, 16], ['evening', '16–24 時', 16, 24]].map(([key, label, from, to]) =>
          ({ key, label, count: count(all, (at) => hour(at) >= (from as number) && hour(at) < (to as number)) })),
      };
    })(),
    incidents: {
      ...change(now.length, before.length),
      byType: INCIDENT_TYPES.map((t) => ({ key: t.value, label: t.label, ...change(count(now, (i) => i.type === t.value), count(before, (i) => i.type === t.value)) })),
    },
  };
  return Object.fromEntries(sections.map((s) => [s, all[s]]));
}

const ALL_SECTIONS = ['keyPlaces', 'visits', 'cameras', 'watch', 'drones', 'incidents', 'patrol'];
const rollup = (role: Parameters<World['as']>[0], query: string) => w.as(role).get(`/api/rollups?period=2025H2&${query}`);

// ---- The tests ----------------------------------------------------------------------------------

describe('figures per unit, as counted row by row', () => {
  const levels: [string, { code: string; name: string; beats: Beat[] }[]][] = [
    ['beat', BEATS.map((b) => ({ code: b, name: `第${b.slice(1)}警勤區`, beats: [b] }))],
    ['station', [{ code: 'S1', name: '東門派出所', beats: ['B1', 'B2'] }, { code: 'S2', name: '海安派出所', beats: ['B3'] }]],
    ['precinct', [{ code: 'P1', name: '第一分局', beats: ['B1', 'B2'] }, { code: 'P2', name: '第二分局', beats: ['B3'] }]],
    ['bureau', [{ code: 'TN', name: '臺南市政府警察局', beats: [...BEATS] }]],
  ];
  for (const [by, units] of levels) {
    it(`by ${by}, for the bureau (admin)`, async () => {
      const res = await rollup('admin', `by=${by}`).expect(200);
      expect(res.body).toMatchObject({ by, period: { ...PERIOD, label: '2025H2', previous: PREVIOUS }, sections: ALL_SECTIONS, replaceAfterYears: 7 });
      expect(res.body.units.map((u: { code: string }) => u.code)).toEqual(units.map((u) => u.code));
      for (const [i, u] of units.entries()) {
        expect(res.body.units[i]).toEqual({ code: u.code, name: u.name, level: by, ...expected((b) => u.beats.includes(b), ALL_SECTIONS) });
      }
      expect(res.body.total).toEqual(expected(() => true, ALL_SECTIONS));
    });
  }

  it('names the cameras that pull 妥善率 down, the longest down first, deleted ones too', async () => {
    const res = await rollup('admin', 'by=station').expect(200);
    const down = (c: Camera) => { const t = served(c); return t.broken + t.offline; };
    const expectedDown = [...cameras, ...retired].filter((c) => down(c) >= 3600)
      .sort((a, b) => down(b) - down(a) || a.id - b.id).slice(0, 20);
    expect(expectedDown.length).toBeGreaterThan(5);
    // Statuses drawn at random: about a third of the time working, all of it counted.
    expect(res.body.total.cameras.availability).toBeGreaterThan(0.15);
    expect(res.body.total.cameras.availability).toBeLessThan(0.6);
    expect(res.body.total.cameras.inService).toBe(82);
    expect(res.body.camerasDown.map((d: { id: number; downHours: number; unit: string; deleted: boolean }) => [d.id, d.downHours, d.unit, d.deleted]))
      .toEqual(expectedDown.map((c) => [c.id, Math.round(down(c) / 3600), UNITS[c.beat].station, c.deleted !== undefined]));
    const first = expectedDown[0]!;
    expect(res.body.camerasDown[0].availability).toBeCloseTo(served(first).working / served(first).service, 4);
  });

  it('lists each patrol point with its sign-ins by shift, those never signed at first, and as CSV', async () => {
    const res = await rollup('admin', 'by=beat').expect(200);
    const inPeriodCount = (x: PatrolPoint) => x.signIns.filter((at) => inPeriod(at)).length;
    expect(res.body.patrolPoints.map((r: { id: number; signIns: number; beat: string }) => [r.id, r.signIns, r.beat]).sort((a: number[], b: number[]) => a[0]! - b[0]!))
      .toEqual(patrolPoints.map((x) => [x.id, inPeriodCount(x), x.beat]));
    const counts = res.body.patrolPoints.map((r: { signIns: number }) => r.signIns);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => a - b));
    expect(res.body.patrolPoints[0].signIns).toBe(0);
    const csv = await w.as('admin').get('/api/rollups?period=2025H2&by=beat&format=csv&table=patrol').expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(lines[0]).toBe('id,巡簽點,種類,警勤區,單位,簽到次數,簽到：0–8 時,簽到：8–16 時,簽到：16–24 時,最近簽到');
    expect(lines).toHaveLength(1 + patrolPoints.length);
    expect((await w.as('public').get('/api/rollups?period=2025H2&format=csv&table=patrol').expect(404)).body.error.code).toBe('rollup_patrol_police_only');
  });

  it('lists the 熱時熱點 plans of the period week by week, planned against done from the sign-ins, to police only', async () => {
    // A plan for S1 (point 0, in B1) and one for S2 (point 2... in B3) in the week of 2025-09-01, approved; a draft for S1 the week after.
    const s1 = patrolPoints.find((x) => x.beat === 'B1')!;
    const s2 = patrolPoints.find((x) => x.beat === 'B3')!;
    const item = (pt: PatrolPoint) => ({ cell: { i: 0, j: 0 }, outline: {}, place: '測試地點', weekdays: [1, 2, 3, 4, 5, 6, 7], from: 0, hours: 24,
      points: [pt.id], visits: 1, minutes: 15, incidents: 0, inWindow: 0 });
    const plan = (station: string, precinct: string, week: string, pt: PatrolPoint, approved: boolean) => insertPlan(w.db,
      { station, precinct, week, types: null, draft: { items: [item(pt)], basis: {} as never }, by: 'planner', approved });
    await plan('S1', 'P1', '2025-09-01', s1, true);
    await plan('S2', 'P2', '2025-09-01', s2, true);
    await plan('S1', 'P1', '2025-09-08', s1, false);
    /** Days of the week with a sign-in at the point: one visit a day is planned, so each counts once. */
    const doneIn = (pt: PatrolPoint, monday: string) => new Set(pt.signIns.map((at) => at.slice(0, 10)).filter((d) => d >= monday && d < day(monday, 7))).size;
    const res = await rollup('admin', 'by=station').expect(200);
    expect(res.body.patrolPlans.map((r: { station: string; weekStart: string; status: string; required: number; done: number }) =>
      [r.station, r.weekStart, r.status, r.required, r.done])).toEqual([
      ['東門派出所', '2025-09-01', 'approved', 7, doneIn(s1, '2025-09-01')],
      ['海安派出所', '2025-09-01', 'approved', 7, doneIn(s2, '2025-09-01')],
      ['東門派出所', '2025-09-08', 'draft', 7, doneIn(s1, '2025-09-08')],
    ]);
    const stationsOf = async (role: 'planner' | 'officer') => (await rollup(role, 'by=station').expect(200)).body.patrolPlans
      .map((r: { station: string; status: string }) => `${r.station}/${r.status}`);
    expect(await stationsOf('planner')).toEqual(['東門派出所/approved', '東門派出所/draft']);
    expect(await stationsOf('officer')).toEqual(['東門派出所/approved']);
    expect((await rollup('public', 'by=station').expect(200)).body).not.toHaveProperty('patrolPlans');
    const csv = await w.as('admin').get('/api/rollups?period=2025H2&by=station&format=csv&table=plans').expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(lines[0]).toBe('id,派出所,週次（週一）,狀態,地點數,應巡簽次數,已巡簽次數,完成率,各員警巡簽次數');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\d+,東門派出所,2025-09-01,已核定,1,7,/);
    expect((await w.as('community').get('/api/rollups?period=2025H2&format=csv&table=plans').expect(404)).body.error.code).toBe('rollup_patrol_police_only');
  });

  it('lists the places overdue for a visit, oldest due first', async () => {
    const res = await rollup('admin', 'by=beat').expect(200);
    const overdue = places.filter((p) => p.status === 'listed' && p.due !== null && p.due <= PERIOD.to && p.due < OVERDUE_BEFORE
      && !visits.some((v) => v.place === p && inPeriod(v.at))).sort((a, b) => (a.due! < b.due! ? -1 : a.due! > b.due! ? 1 : a.id - b.id));
    expect(res.body.overdue.map((o: { id: number; daysOverdue: number; beat: string; beatName: string }) => [o.id, o.beat, o.beatName, o.daysOverdue]))
      .toEqual(overdue.map((p) => [p.id, p.beat, `${UNITS[p.beat].station === 'S1' ? '東門派出所' : '海安派出所'}第${p.beat.slice(1)}警勤區`,
        Math.round((Date.parse(OVERDUE_BEFORE) - Date.parse(p.due!)) / 86_400_000)]));
    const findings = surveys.filter((s) => inPeriod(s.plannedOn) && s.status === 'done' && (s.findings ?? '').trim() !== '');
    expect(res.body.droneFindings.map((f: { id: number }) => f.id).sort()).toEqual(findings.map((s) => s.id).sort());
  });

  it('counts cameras due for replacement by the years given', async () => {
    const res = await rollup('admin', 'by=bureau&replaceAfter=10').expect(200);
    expect(res.body.total.cameras.replacementDue).toBe(count(cameras, (c) => c.year !== null && c.year <= 2025 - 10));
  });
});

describe('who sees what', () => {
  it('gives a planner (and an officer) its precinct: its units, its figures, nothing of the other precinct', async () => {
    for (const role of ['planner', 'officer'] as const) {
      const res = await rollup(role, 'by=station').expect(200);
      expect(res.body.unit).toEqual({ code: 'P1', name: '第一分局', level: 'precinct' });
      expect(res.body.units.map((u: { code: string }) => u.code)).toEqual(['S1']);
      expect(res.body.total).toEqual(expected((b) => b !== 'B3', ALL_SECTIONS));
      expect(res.body.overdue.every((o: { precinct: string }) => o.precinct === 'P1')).toBe(true);
    }
    const other = await rollup('planner', 'by=beat&unit=B3').expect(403);
    expect(other.body.error).toMatchObject({ code: 'rollup_outside_precinct', field: 'unit', message: '你的彙整只涵蓋你的分局（P1）：請查詢該分局，或其轄下的單位。' });
    await rollup('planner', 'by=bureau').expect(400);
  });

  it('gives the public and the community only what they may see: public cameras and watch blocks', async () => {
    const pub = await rollup('public', 'by=precinct').expect(200);
    expect(pub.body.sections).toEqual(['cameras', 'watch']);
    expect(Object.keys(pub.body)).not.toContain('overdue');
    expect(Object.keys(pub.body)).not.toContain('droneFindings');
    const publicCameras = (b: Beat) => (c: Camera) => c.isPublic && c.beat === b;
    expect(pub.body.total.cameras.total).toBe(count(cameras, (c) => c.isPublic));
    expect(pub.body.units[1].cameras.byStatus).toEqual(counted(CAMERA_STATUSES, cameras.filter(publicCameras('B3')).map((c) => ({ v: c.status }))));
    expect(pub.body.total.watch.blocks).toBe(blocks.length);
    // A community account reads what the public reads: the same public figures.
    const com = await rollup('community', 'by=bureau').expect(200);
    expect(com.body.total.cameras.total).toBe(count(cameras, (c) => c.isPublic));
    expect(com.body.total.watch.blocks).toBe(blocks.length);
    const overdue = await w.as('public').get('/api/rollups?period=2025H2&format=csv&table=overdue').expect(404);
    expect(overdue.body.error).toMatchObject({ code: 'rollup_overdue_police_only', message: expect.stringMatching(/^沒有這份清單：逾期未查訪清單（table=overdue）只提供警察帳號/) });
  });
});

describe('CSV', () => {
  it('has a row per unit and a total under Chinese headings, in UTF-8 with a byte-order mark or in Big5', async () => {
    const res = await w.as('admin').get('/api/rollups?period=2025H2&by=station&format=csv').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="rollup-station-2025H2.csv"');
    const lines = (res.body as Buffer).subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
    const header = lines[0]!;
    const at = (name: string) => header.indexOf(name);
    expect(lines.map((l) => l[1])).toEqual(['單位名稱', '東門派出所', '海安派出所', '合計']);
    const total = expected(() => true, ALL_SECTIONS) as { cameras: { total: number; workingRatio: number }; incidents: { current: number; previous: number } };
    expect(Number(lines[3]![at('監視器')])).toBe(total.cameras.total);
    expect(Number(lines[3]![at('目前正常(%)')])).toBe(Math.round(total.cameras.workingRatio * 1000) / 10);
    expect([Number(lines[3]![at('本期案件')]), Number(lines[3]![at('前期案件')])]).toEqual([total.incidents.current, total.incidents.previous]);
    const big5 = await w.as('admin').get('/api/rollups?period=2025H2&by=station&format=csv&encoding=big5').buffer(true).parse(binary).expect(200);
    expect(iconv.decode(big5.body as Buffer, 'cp950').trim()).toBe((res.body as Buffer).subarray(3).toString('utf8').trim());
    const overdue = await w.as('admin').get('/api/rollups?period=2025H2&by=beat&format=csv&table=overdue').buffer(true).parse(binary).expect(200);
    const rows = (overdue.body as Buffer).subarray(3).toString('utf8').trim().split('\r\n');
    expect(rows[0]).toBe('id,名稱,類別,警勤區,派出所,分局,下次查訪期限,最近查訪,逾期天數');
    expect(rows).toHaveLength(1 + (await rollup('admin', 'by=beat')).body.overdue.length);
  });

  it('writes a unit name a spreadsheet would run as a formula inert (OWASP): a quote before it, inside double quotes', async () => {
    const id = (await w.db.query<{ id: number }>(`SELECT id::int AS id FROM stations WHERE code = 'S2'`)).rows[0]!.id;
    const url = `/api/layers/stations/features/${id}`;
    const named = await w.as('admin').patch(url).set('If-Match', '*').send({ properties: { name: '=1+1' } }).expect(200);
    try {
      const res = await w.as('admin').get('/api/rollups?period=2025H2&by=station&format=csv').buffer(true).parse(binary).expect(200);
      const line = (res.body as Buffer).subarray(3).toString('utf8').split('\r\n').find((l) => l.startsWith('S2,'))!;
      expect(line.startsWith(`S2,"'=1+1",`)).toBe(true);
    } finally {
      await w.as('admin').patch(url).set('If-Match', String(named.headers.etag)).send({ properties: { name: '海安派出所' } }).expect(200);
    }
  });
});

describe('periods', () => {
  it('names half-years, quarters, months and years, and compares a from/to span with the one just before it', () => {
    expect(namedPeriod('2026H1')).toEqual({ from: '2026-01-01', to: '2026-06-30', label: '2026H1', previous: { from: '2025-07-01', to: '2025-12-31' } });
    expect(namedPeriod('2025Q1').previous).toEqual({ from: '2024-10-01', to: '2024-12-31' });
    expect(namedPeriod('2024-03')).toMatchObject({ from: '2024-03-01', to: '2024-03-31', previous: { from: '2024-02-01', to: '2024-02-29' } });
    expect(parsePeriod({ from: '2025-03-11', to: '2025-03-20' }).previous).toEqual({ from: '2025-03-01', to: '2025-03-10' });
    expect(parsePeriod({}, '2026-08-15')).toMatchObject({ label: '2026H2' });
  });

  it('refuses what it cannot read, naming the parameter', async () => {
    for (const [q, field, code, message] of [
      ['period=2025H3', 'period', 'rollup_period', /^「period」的「2025H3」不是可用的期間：請寫半年（例如 2026H1）/],
      ['period=2025H1&from=2025-01-01', 'period', 'rollup_period_and_range', /^請只給 period，或只給 from 與 to/],
      ['from=2025-02-30&to=2025-03-01', 'from', 'datetime_format', /「2025-02-30」不是 ISO 8601/],
      ['from=2025-03-01', 'to', 'rollup_range_missing', /^缺少「to」：請同時給 from 與 to（YYYY-MM-DD），或改用 period。$/],
      ['from=2025-03-02&to=2025-03-01', 'from', 'rollup_range_reversed', /^「from」不能晚於「to」/],
      ['from=2000-01-01&to=2025-03-01', 'from', 'rollup_range_too_long', /^一次彙整最多涵蓋 3,660 天（約十年）/],
      ['by=district', 'by', 'rollup_by', /^「by」必須是 bureau（警察局）、precinct（分局）、station（派出所）、beat（警勤區） 其中之一，不能是「district」。$/],
      ['format=xlsx', 'format', 'rollup_format', /^「format」必須是 json 或 csv，不能是「xlsx」。$/],
      ['table=all', 'table', 'rollup_table', /^「table」必須是 units（每個單位一列）、overdue（逾期未查訪的處所）、patrol（各巡簽點的簽到）或 plans/],
      ['unit=X9', 'unit', 'rollup_unit_unknown', /^沒有代碼為「X9」的警察局、分局、派出所或警勤區/],
      ['by=station&unit=B1', 'unit', 'rollup_unit_level', /^「B1」是警勤區，底下沒有派出所可以彙整：by=station 時，unit 必須是派出所或更上層的單位。請改選 unit，或改用 by=beat。$/],
      ['colour=red', 'colour', 'unknown_parameter', /不認得參數「colour」/],
    ] as const) {
      const res = await w.as('admin').get(`/api/rollups?${q}`).expect(400);
      expect(res.body.error, q).toMatchObject({ field, code });
      expect(res.body.error.message, q).toMatch(message);
    }
  });
});
