import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellOf, type GridShape } from '../server/analysis/grid.js';
import { quarterAt, quarterName } from '../server/analysis/quarters.js';
import { inSector, sightings, type Viewpoint } from '../server/analysis/visibility.js';
import { LAYERS } from '../server/layers/registry.js';
import { SECTIONS } from '../server/rollups/sections.js';
import { openDemoWorld, type DemoWorld } from './support/demo-world.js';
import { audit, type Figure, type Membership } from './support/disclosure-audit.js';

/**
 * The subtraction attack on every public figure (issue 14, item 4). As the public and as a
 * community account, the test asks every analysis endpoint those roles may use (the list comes
 * from GET /api/analysis, so a new endpoint without an attack plan fails the test) for the
 * demo city with overlapping and shifted parameters: date windows a day apart, a station and its
 * beats, boxes shifted and narrowed by a strip, grids of two sizes, one incident type against
 * all of them and against all but one, hour ranges and weekdays, weighted demand and supplied
 * points, camera sites nested inside one another. Every figure is turned into the statement it
 * makes about incidents (see support/disclosure-audit.ts), and the statements of all answers are
 * combined as an attacker would. Nothing below the threshold may come out exact.
 */
const THRESHOLD = 3;
const ROLES = ['public', 'community'] as const;
type Outsider = (typeof ROLES)[number];
const DAY = 86_400_000;
const HOUR = 3_600_000;
const TAIPEI = 8 * HOUR;

/** An incident as the attack reasons about it, or a probe: a hypothetical incident where there may be none. */
interface Rec {
  real: boolean;
  lon: number; lat: number; x: number; y: number;
  t: number; type: string;
  beat: string | null; station: string | null;
  dow: number; hour: number;
  inArea: boolean; inCity: boolean;
  /** Seen by a working camera / only by broken or offline ones, of those the role may read. */
  seen: Record<Outsider, { working: boolean; other: boolean }>;
}

interface Ask {
  endpoint: string;
  role: Outsider;
  params: Record<string, unknown>;
}

/** A published figure before the test knows its interval: its value and how it is read. */
interface Spec {
  label: string;
  /** The number published (in the answer's own unit), or null when withheld. */
  value: number | null;
  /** Figures of one family in an answer count disjoint sets (its cells; its total). */
  family: string;
  /** value = weight × (incidents counted) + known (supplied points' weight). */
  weight?: number;
  known?: number;
}

/** The figures of one answer and, for an incident (record k), the figures that count it. */
interface Reading {
  specs: Spec[];
  classify(r: Rec, k: number): number[];
  /** For rounded figures: the published counts each is a sum of (disclosure.ts documents them). */
  leaves?: (r: Rec) => string;
}

/** The published counts of the scheme: a 200 m square × beat × quarter, or a station × quarter × weekday × hour. */
const quarterOf = (r: Rec) => quarterName(quarterAt(r.t));
const PIECES = (r: Rec) => `${quarterOf(r)}:${Math.floor(r.x / 200)}:${Math.floor(r.y / 200)}:${r.beat}`;
const HOURS = (r: Rec) => `${quarterOf(r)}:${r.station}:${r.dow}:${r.hour}`;
/** No figure: an answer that publishes these figures from the published squares only (checked by the invariance test below). */
const NOTHING: Reading = { specs: [], classify: () => [] };

let w: DemoWorld;
let recs: Rec[];
let xs: Float64Array;
let ys: Float64Array;
let ctx: Awaited<ReturnType<typeof attackContext>>;

beforeAll(async () => {
  // The attacker asks hundreds of questions from one address: every one must be answered, so
  // the per-client budgets (fair-share.test.ts's subject) are lifted here.
  w = await openDemoWorld(0.1, { limits: { analysisPerMinute: 100_000, heavyQueue: 10_000 } });
  ctx = await attackContext();
  recs = [...(await loadRecs()), ...(await probes())];
  xs = Float64Array.from(recs, (r) => r.x);
  ys = Float64Array.from(recs, (r) => r.y);
}, 300_000);
afterAll(async () => { await w?.close(); });

/** Where the attack looks: the station of the community account's area, its beats, boxes about the area. */
async function attackContext() {
  const { rows: [c] } = await w.db.query<{ station: string; lon: number; lat: number }>(
    `SELECT l.station_code AS station, ST_X(p) AS lon, ST_Y(p) AS lat
       FROM (SELECT ST_PointOnSurface(area) AS p FROM users WHERE username = 'community') a, locate_beat(a.p) l`);
  const { rows: beats } = await w.db.query<{ code: string }>(`SELECT code FROM beats WHERE station_code = $1 AND deleted_at IS NULL ORDER BY code`, [c!.station]);
  const { rows: [ext] } = await w.db.query<{ x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM stations WHERE code = $1) s`, [c!.station]);
  const box = (dx0: number, dy0: number, dx1: number, dy1: number) =>
    [c!.lon - 0.004 + dx0, c!.lat - 0.0036 + dy0, c!.lon + 0.004 + dx1, c!.lat + 0.0036 + dy1].map((v) => v.toFixed(6)).join(',');
  // A site where incidents lie, for camera sites nested in one another.
  const { rows: [site] } = await w.db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(i.geom) lon, ST_Y(i.geom) lat FROM incidents i, users u
      WHERE u.username = 'community' AND ST_Intersects(i.geom, u.area) ORDER BY i.id LIMIT 1`);
  return {
    station: c!.station,
    beats: beats.map((b) => b.code),
    extent: ext!,
    boxes: { whole: box(0, 0, 0, 0), strip: box(0, 0, -0.0004, 0), shifted: box(0.001, 0, 0.001, 0) },
    site: site!,
  };
}

const flags = (g: string) => `
  ST_Intersects(${g}, (SELECT area FROM users WHERE username = 'community')) AS in_area,
  ST_Intersects(${g}, (SELECT ST_Union(geom) FROM precincts WHERE deleted_at IS NULL)) AS in_city,
  ${(['working', 'other'] as const).flatMap((s) => ROLES.map((role) => `EXISTS (SELECT 1 FROM camera_coverage cc
      WHERE cc.deleted_at IS NULL AND cc.is_public AND cc.status ${s === 'working' ? '=' : '<>'} 'working'
        ${role === 'community' ? `AND ST_Intersects(cc.camera_geom, (SELECT area FROM users WHERE username = 'community'))` : ''}
        AND cc.geom && ${g} AND ST_Intersects(cc.geom, ${g})) AS ${role}_${s}`)).join(',\n')}`;

type Row = { lon: number; lat: number; x: number; y: number; t: number; type: string; beat_code: string | null; station_code: string | null;
  dow: number; hour: number; in_area: boolean; in_city: boolean } & Record<`${Outsider}_${'working' | 'other'}`, boolean>;

const toRec = (real: boolean) => (r: Row): Rec => ({
  real, lon: r.lon, lat: r.lat, x: r.x, y: r.y, t: Number(r.t), type: r.type, beat: r.beat_code, station: r.station_code,
  dow: r.dow, hour: r.hour, inArea: r.in_area, inCity: r.in_city,
  seen: { public: { working: r.public_working, other: r.public_other }, community: { working: r.community_working, other: r.community_other } },
});

async function loadRecs(): Promise<Rec[]> {
  const { rows } = await w.db.query<Row>(
    `SELECT ST_X(geom) lon, ST_Y(geom) lat, ST_X(ST_Transform(geom, 3826)) x, ST_Y(ST_Transform(geom, 3826)) y,
            extract(epoch FROM occurred_at) * 1000 AS t, type, beat_code, station_code,
            extract(isodow FROM occurred_at AT TIME ZONE 'Asia/Taipei')::int AS dow,
            extract(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei')::int AS hour, ${flags('i.geom')}
       FROM incidents i WHERE deleted_at IS NULL`);
  return rows.map(toRec(true));
}

/**
 * Hypothetical incidents over the attacked station (and thick about the camera site) at random
 * times and of random types: they stand for the sets an attack can isolate where no incident
 * lies, so that "there are none here" counts as found too.
 */
async function probes(): Promise<Rec[]> {
  let seed = 20261101;
  const rnd = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const types = ['residential_burglary', 'car_theft', 'scooter_theft', 'bicycle_theft', 'fraud_withdrawal', 'drugs', 'violence', 'traffic_accident', 'citizen_report'];
  const { x0, y0, x1, y1 } = ctx.extent;
  const pts: { lon: number; lat: number; t: number; type: string }[] = [];
  const from = Date.parse('2026-03-25T00:00:00+08:00');
  const to = Date.parse('2026-10-05T00:00:00+08:00');
  for (let k = 0; k < 3000; k++) {
    const near = k < 300;
    pts.push({
      lon: near ? ctx.site.lon + (rnd() - 0.5) * 0.0008 : x0 - 0.003 + rnd() * (x1 - x0 + 0.006),
      lat: near ? ctx.site.lat + (rnd() - 0.5) * 0.0008 : y0 - 0.003 + rnd() * (y1 - y0 + 0.006),
      t: Math.floor(from + rnd() * (to - from)), type: types[Math.floor(rnd() * types.length)]!,
    });
  }
  const { rows } = await w.db.query<Row>(
    `SELECT u.lon, u.lat, ST_X(ST_Transform(g, 3826)) x, ST_Y(ST_Transform(g, 3826)) y, u.t, u.type, l.beat_code, l.station_code, 0 AS dow, 0 AS hour, ${flags('p.g')}
       FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::text[]) WITH ORDINALITY AS u(lon, lat, t, type, n)
            CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS g) p
            LEFT JOIN LATERAL locate_beat(p.g) l ON true
      ORDER BY u.n`, [pts.map((p) => p.lon), pts.map((p) => p.lat), pts.map((p) => p.t), pts.map((p) => p.type)]);
  return rows.map(toRec(false)).map((r) => {
    const local = r.t + TAIPEI;
    return { ...r, dow: ((Math.floor(local / DAY) + 3) % 7) + 1, hour: Math.floor((local % DAY) / HOUR) };
  });
}

// ---- What the attacker asks -------------------------------------------------------------------

const PERIODS = {
  quarter: '2026-07-01/2026-09-30',
  quarterLessADay: '2026-07-02/2026-09-30',
  twoQuarters: '2026-04-01/2026-09-30',
  weeks: '2026-09-01/2026-09-28',
  weeksLessADay: '2026-09-02/2026-09-28',
};
const TYPES = ['scooter_theft', 'residential_burglary', 'fraud_withdrawal'];
const ALL_BUT_ONE = 'residential_burglary,car_theft,bicycle_theft,fraud_withdrawal,drugs,violence,traffic_accident,citizen_report';

/** Every way the attack asks an endpoint, for one role. An endpoint listed for outsiders without a plan fails the test. */
const PLANS: Record<string, (role: Outsider) => Record<string, unknown>[]> = {
  hotspots: () => [
    ...scopes().flatMap((s) => [PERIODS.quarter, PERIODS.quarterLessADay, PERIODS.twoQuarters].map((datetime) => ({ ...s, datetime, cellSize: 200 }))),
    { station: ctx.station, datetime: PERIODS.quarter, cellSize: 100 },
    { station: ctx.station, datetime: PERIODS.quarter, cellSize: 200, grid: 'hexagon' },
    ...filters().map((f) => ({ station: ctx.station, datetime: PERIODS.quarter, cellSize: 200, ...f })),
  ],
  density: () => [ctx.station, ctx.boxes.whole, ctx.boxes.strip].flatMap((s, k) => [PERIODS.quarter, PERIODS.quarterLessADay]
    .map((datetime) => ({ ...(k === 0 ? { station: s } : { bbox: s }), datetime, cellSize: 50, bandwidth: 300 }))),
  'hot-hours': () => [
    ...[...scopes(), ...ctx.beats.slice(0, 6).map((beat) => ({ beat }))].flatMap((s) => [PERIODS.quarter, PERIODS.quarterLessADay].map((datetime) => ({ ...s, datetime }))),
    ...filters().map((f) => ({ station: ctx.station, datetime: PERIODS.quarter, ...f })),
    ...TYPES.map((types) => ({ beat: ctx.beats[0], datetime: PERIODS.quarter, types })),
  ],
  beats: () => [
    ...[{ station: ctx.station }, { bbox: ctx.boxes.whole }, {}].flatMap((s) => Object.values(PERIODS).map((datetime) => ({ ...s, datetime }))),
    ...TYPES.map((types) => ({ station: ctx.station, datetime: PERIODS.quarter, types })),
  ],
  coverage: () => [...scopes(), ...ctx.beats.slice(0, 2).map((beat) => ({ beat }))]
    .flatMap((s) => [PERIODS.quarter, PERIODS.quarterLessADay].map((datetime) => ({ ...s, datetime }))),
  'coverage/union': () => [{ station: ctx.station }],
  // Histories long enough to hold the demo's year for years to come (the service forecasts from today).
  forecast: () => [...scopes().flatMap((s) => [1095, 3650].map((history) => ({ ...s, history }))), { station: ctx.station, method: 'kde' }, { station: ctx.station, method: 'counts', share: 0.2 }],
  reaim: () => [PERIODS.quarter, PERIODS.quarterLessADay, PERIODS.twoQuarters].flatMap((datetime) => [
    { datetime }, { datetime, incidentWeight: 3 },
    { datetime, points: [{ lon: ctx.site.lon, lat: ctx.site.lat, weight: 3 }] },
  ]),
  'new-sites': () => [PERIODS.quarter, PERIODS.quarterLessADay].flatMap((datetime) => [10, 15, 25].flatMap((range_m) => [
    { datetime, k: 1, candidates: 'sites', sites: [{ lon: ctx.site.lon, lat: ctx.site.lat, fov: 360, range_m }] },
    { datetime, k: 1, candidates: 'sites', sites: [{ lon: ctx.site.lon, lat: ctx.site.lat, fov: 360, range_m }], points: [{ lon: ctx.site.lon, lat: ctx.site.lat, weight: 3 }] },
  ])),
};

function scopes(): Record<string, unknown>[] {
  return [{ station: ctx.station }, { bbox: ctx.boxes.whole }, { bbox: ctx.boxes.strip }, { bbox: ctx.boxes.shifted }, {}];
}
function filters(): Record<string, unknown>[] {
  return [...TYPES.map((types) => ({ types })), { types: ALL_BUT_ONE }, { hour: '20-23' }, { hour: '21-23' }, { weekday: '6,7' }, { weekday: '7' }];
}

async function ask(a: Ask): Promise<{ status: number; body: any }> {
  const structured = Object.values(a.params).some((v) => typeof v === 'object');
  const req = structured
    ? w.as(a.role).post(`/api/analysis/${a.endpoint}`).send(a.params)
    : w.as(a.role).get(`/api/analysis/${a.endpoint}?${new URLSearchParams(Object.entries(a.params).map(([k, v]) => [k, String(v)]))}`);
  const res = await req;
  return { status: res.status, body: res.body };
}

// ---- What each figure says about incidents ----------------------------------------------------

const periodOf = (b: any) => b.analysis?.period ?? b.period;
const filtersOf = (b: any) => b.analysis?.filters ?? b.filters;

/** The incidents an answer counts at all: its period and filters (as it echoes them) and its scope. */
function counted(a: Ask, body: any, period = periodOf(body), inScope = scopeTest(a)): (r: Rec) => boolean {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const f = filtersOf(body);
  return (r) => r.t >= from && r.t < to && (!f.types || f.types.includes(r.type)) && (!f.hours || f.hours.includes(r.hour))
    && (!f.days || f.days.includes(r.dow)) && inScope(r);
}

function scopeTest(a: Ask): (r: Rec) => boolean {
  const p = a.params;
  if (typeof p.bbox === 'string') {
    const [x0, y0, x1, y1] = p.bbox.split(',').map(Number) as [number, number, number, number];
    return (r) => r.lon >= x0 && r.lon <= x1 && r.lat >= y0 && r.lat <= y1;
  }
  if (p.beat) return (r) => r.beat === p.beat;
  if (p.station) return (r) => r.station === p.station;
  return a.role === 'community' ? (r) => r.inArea : (r) => r.inCity;
}

/** A withheld figure: below the threshold in the answer's unit. */
const figure = (family: string, label: string, value: number | null | undefined): Spec => ({ family, label, value: value ?? null });

const READERS: Record<string, (a: Ask, body: any) => Promise<Reading>> = {
  async hotspots(a, body) {
    const shape = body.analysis.grid as GridShape;
    const size = body.analysis.cellSize as number;
    // Published squares count all of themselves, wherever the scope ends.
    const whole = body.analysis.disclosure !== undefined;
    const specs: Spec[] = [figure('total', 'analysis.incidents', body.analysis.incidents)];
    const index = new Map<string, number>();
    for (const f of body.features) {
      index.set(`${f.properties.i},${f.properties.j}`, specs.length);
      specs.push(figure('cells', `cell ${f.properties.i},${f.properties.j}`, f.properties.count));
    }
    const inAnswer = counted(a, body, periodOf(body), whole ? () => true : scopeTest(a));
    return {
      specs,
      classify: (r) => {
        if (!inAnswer(r)) return [];
        const [i, j] = cellOf(shape, size, r.x, r.y);
        const k = index.get(`${i},${j}`);
        return k === undefined ? (whole ? [] : [0]) : [0, k];
      },
      ...(whole ? { leaves: PIECES } : {}),
    };
  },
  async forecast(a, body) {
    // The flagged squares' published counts over the whole quarters of the history.
    const specs: Spec[] = [];
    const index = new Map<string, number>();
    for (const f of body.features) {
      index.set(`${f.properties.i},${f.properties.j}`, specs.length);
      specs.push(figure('cells', `cell ${f.properties.i},${f.properties.j}`, f.properties.history));
    }
    const inAnswer = counted(a, body, body.analysis.history, () => true);
    return {
      specs,
      classify: (r) => {
        const k = inAnswer(r) ? index.get(cellOf('square', body.analysis.cellSize, r.x, r.y).join(',')) : undefined;
        return k === undefined ? [] : [k];
      },
      leaves: PIECES,
    };
  },
  async density(a, body) {
    if (body.analysis.disclosure) return NOTHING;
    const inAnswer = counted(a, body);
    return { specs: [figure('total', 'analysis.incidents', body.analysis.incidents)], classify: (r) => (inAnswer(r) ? [0] : []) };
  },
  async 'hot-hours'(a, body) {
    const specs: Spec[] = [figure('total', 'total', body.total)];
    body.matrix.forEach((row: (number | null)[], d: number) => row.forEach((n, h) => specs.push(figure('matrix', `matrix[${d}][${h}]`, n))));
    body.byDay.forEach((n: number | null, d: number) => specs.push(figure('byDay', `byDay[${d}]`, n)));
    body.byHour.forEach((n: number | null, h: number) => specs.push(figure('byHour', `byHour[${h}]`, n)));
    // Published hours are of whole stations.
    const stations: string[] | undefined = body.scope.stations;
    const inAnswer = counted(a, body, periodOf(body), stations ? (r) => stations.includes(r.station!) : scopeTest(a));
    return {
      specs,
      classify: (r) => (inAnswer(r) ? [0, 1 + (r.dow - 1) * 24 + r.hour, 169 + r.dow - 1, 176 + r.hour] : []),
      ...(stations ? { leaves: HOURS } : {}),
    };
  },
  async beats(a, body) {
    const specs: Spec[] = [figure('total', 'analysis.incidents', body.analysis.incidents), figure('previous total', 'analysis.previousIncidents', body.analysis.previousIncidents)];
    const index = new Map<string, number>();
    for (const f of body.features) {
      const p = f.properties;
      index.set(p.code, specs.length);
      specs.push(figure('beats', `beat ${p.code}`, p.count), figure('previous beats', `beat ${p.code} previous`, p.previousCount));
    }
    // Beats are counted by the beat the database gave each incident, wherever the scope is.
    const now = counted(a, body, periodOf(body), () => true);
    const before = counted(a, body, body.analysis.previousPeriod, () => true);
    return {
      specs,
      classify: (r) => {
        const k = r.beat === null ? undefined : index.get(r.beat);
        if (k === undefined) return [];
        return now(r) ? [0, k] : before(r) ? [1, k + 1] : [];
      },
      ...(body.analysis.disclosure ? { leaves: PIECES } : {}),
    };
  },
  async coverage(a, body) {
    if (body.incidents === null) return NOTHING;
    const specs: Spec[] = [
      figure('total', 'incidents.total', body.incidents.total),
      figure('covered', 'incidents.covered', body.incidents.covered),
      figure('lost', 'incidents.inLostCoverage', body.incidents.inLostCoverage),
    ];
    const inAnswer = counted(a, body);
    return {
      specs,
      classify: (r) => {
        if (!inAnswer(r)) return [];
        const s = r.seen[a.role];
        return [0, ...(s.working ? [1] : []), ...(s.other && !s.working ? [2] : [])];
      },
    };
  },
  async 'coverage/union'() {
    // Camera coverage only: what public cameras see, which anyone may read camera by camera.
    return { specs: [], classify: () => [] };
  },
  reaim: async (a, body) => (body.analysis.disclosure ? NOTHING : demandReading(a, body, async (views) => {
    const after = body.features.map((f: any) => ({ id: f.properties.id, azimuth: f.properties.suggestedAzimuth }));
    return {
      before: views.map((v) => v.azimuth),
      after: views.map((v) => after.find((x: { id: number }) => x.id === v.id)?.azimuth ?? v.azimuth),
    };
  })),
  'new-sites': async (a, body) => (body.analysis.disclosure ? NOTHING : demandReading(a, body)),
};

interface View extends Viewpoint { id: number; azimuth: number; fov: number }

/** The caller's working cameras in its area (the only scope the attack gives re-aim and new sites). */
async function workingCameras(role: Outsider): Promise<View[]> {
  const { rows } = await w.db.query<{ id: number; x: number; y: number; north: number; range_m: number; azimuth: number; fov: number }>(
    `SELECT c.id::float8 id, ST_X(ST_Transform(c.geom, 3826)) x, ST_Y(ST_Transform(c.geom, 3826)) y, true_north_grid_bearing(c.geom) north,
            c.range_m, c.azimuth, c.fov
       FROM cameras c, users u WHERE u.username = 'community' AND c.deleted_at IS NULL AND c.is_public AND c.status = 'working'
        AND ST_Intersects(c.geom, u.area) ${role === 'community' ? '' : 'AND false'} ORDER BY c.id`);
  return rows.map((r) => ({ ...r, id: Number(r.id), range: r.range_m }));
}

/** Which of the points (records, then the supplied points) a set of views at these azimuths sees. */
async function seenBy(views: readonly View[], azimuths: readonly number[], extraX: number[], extraY: number[]): Promise<Uint8Array> {
  const px = Float64Array.from([...xs, ...extraX]);
  const py = Float64Array.from([...ys, ...extraY]);
  const seen = new Uint8Array(px.length);
  const s = await sightings(w.db, views, px, py);
  views.forEach((v, k) => { for (const i of inSector(s[k]!, azimuths[k]!, v.fov)) seen[i] = 1; });
  return seen;
}

/**
 * Re-aim and new sites: demand weights seen by one set of views or another. Totals before and
 * after, the total demand, and for new sites the coverage curve (the first k sites added).
 */
async function demandReading(a: Ask, body: any, aims?: (views: View[]) => Promise<{ before: number[]; after: number[] }>): Promise<Reading> {
  const weight = Number(a.params.incidentWeight ?? 1);
  const supplied = (a.params.points as { lon: number; lat: number; weight?: number }[] | undefined) ?? [];
  const { rows: sp } = await w.db.query<{ x: number; y: number }>(
    `SELECT ST_X(g) x, ST_Y(g) y FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY u(lon, lat, n),
            LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), 3826) g) p ORDER BY u.n`,
    [supplied.map((s) => s.lon), supplied.map((s) => s.lat)]);
  const extraX = sp.map((s) => s.x);
  const extraY = sp.map((s) => s.y);
  const suppliedWeight = (seen: Uint8Array | null) => supplied.reduce((s, pt, k) => s + (!seen || seen[xs.length + k] ? pt.weight ?? 1 : 0), 0);
  const cams = await workingCameras(a.role);
  const sets: { label: string; value: number | null; seen: Uint8Array | null }[] = [];
  const t = body.analysis.totals;
  sets.push({ label: 'analysis.demand.totalWeight', value: body.analysis.demand.totalWeight, seen: null });
  if (aims) {
    const { before, after } = await aims(cams);
    sets.push({ label: 'totals.before', value: t.before, seen: await seenBy(cams, before, extraX, extraY) });
    sets.push({ label: 'totals.after', value: t.after, seen: await seenBy(cams, after, extraX, extraY) });
  } else {
    const { rows: sites } = await w.db.query<{ x: number; y: number; north: number }>(
      `SELECT ST_X(ST_Transform(g, 3826)) x, ST_Y(ST_Transform(g, 3826)) y, true_north_grid_bearing(g) north
         FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY u(lon, lat, n), LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) g) p ORDER BY u.n`,
      [body.features.map((f: any) => f.geometry.coordinates[0]), body.features.map((f: any) => f.geometry.coordinates[1])]);
    const chosen: View[] = body.features.map((f: any, k: number) => ({ id: -1 - k, ...sites[k]!, range: f.properties.range_m, azimuth: f.properties.azimuth, fov: f.properties.fov }));
    for (const c of body.curve) {
      const views = [...cams, ...chosen.slice(0, c.k)];
      sets.push({ label: `curve[${c.k}].covered`, value: c.covered, seen: await seenBy(views, views.map((v) => v.azimuth), extraX, extraY) });
    }
  }
  const inAnswer = counted(a, body);
  const specs: Spec[] = sets.map((s) => ({ ...figure(s.label, s.label, s.value), weight, known: suppliedWeight(s.seen) }));
  return {
    specs,
    classify: (r, k) => (inAnswer(r) ? sets.flatMap((s, f) => (!s.seen || s.seen[k] ? [f] : [])) : []),
  };
}

/**
 * The interval of incidents a figure gives away: exact, withheld below the threshold, or a sum of
 * `leaves` published counts each rounded to a multiple of `base` (so off by base − 1 at most).
 * Counting only the leaves that hold an incident makes the interval narrower than an attacker,
 * who cannot tell which hold none, could know: the attack is stronger than a real one.
 */
function interval(s: Spec, minCount: number, rounding?: { base: number; leaves: number }): { lo: number; hi: number } {
  const weight = s.weight ?? 1;
  const known = s.known ?? 0;
  if (s.value === null) return { lo: 0, hi: Math.ceil((minCount - known) / weight) - 1 };
  const v = (s.value - known) / weight;
  if (!rounding) return { lo: v, hi: v };
  const slack = (rounding.base - 1) * Math.max(1, rounding.leaves);
  return { lo: Math.max(0, v - slack), hi: v + slack };
}

// ---- The attack --------------------------------------------------------------------------------

describe('the subtraction attack on every public figure', () => {
  it('finds no count below the threshold, within one answer or across answers', async () => {
    const asked: Ask[] = [];
    for (const role of ROLES) {
      const listed = ((await w.as(role).get('/api/analysis').expect(200)).body.endpoints as string[]).map((e) => e.replace('/api/analysis/', ''));
      const unplanned = listed.filter((e) => !PLANS[e] || !READERS[e]);
      expect(unplanned, `endpoints ${role} may use without an attack plan`).toEqual([]);
      for (const endpoint of listed) for (const params of PLANS[endpoint]!(role)) asked.push({ endpoint, role, params });
    }
    const figures: Figure[] = [];
    const members: Membership[] = recs.map((r) => ({ real: r.real, figures: [] as number[] }));
    let families = 0;
    const statuses: Record<string, number> = {};
    let answered = 0;
    for (const a of asked) {
      const res = await ask(a);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      expect(res.status, `${a.role} ${a.endpoint} ${JSON.stringify(a.params)}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
      if (res.status !== 200) continue;
      answered++;
      const reading = await READERS[a.endpoint]!(a, res.body);
      const minCount = res.body.minCount ?? res.body.analysis?.minCount ?? THRESHOLD;
      const base = figures.length;
      const name = `${a.role} ${a.endpoint}?${JSON.stringify(a.params)}`;
      const family = new Map<string, number>();
      const leaves = reading.specs.map(() => new Set<string>());
      recs.forEach((r, k) => {
        for (const f of reading.classify(r, k)) {
          (members[k]!.figures as number[]).push(base + f);
          if (r.real && reading.leaves) leaves[f]!.add(reading.leaves(r));
        }
      });
      const { rounding } = res.body.analysis?.disclosure ?? res.body.disclosure ?? {};
      reading.specs.forEach((s, f) => {
        if (!family.has(s.family)) family.set(s.family, families++);
        const published = reading.leaves ? { base: rounding.base as number, leaves: leaves[f]!.size } : undefined;
        figures.push({ ...interval(s, minCount, published), label: `${name} ${s.label}`, family: family.get(s.family)!, answer: answered });
      });
    }
    const result = audit(figures, members, THRESHOLD);
    const kinds = Object.fromEntries((['figure', 'rest', 'atom'] as const).map((k) => [k, result.leaks.filter((l) => l.what === k).length]));
    console.log(`subtraction attack: ${asked.length} requests (${JSON.stringify(statuses)}), ${answered} answers, ${result.figures} figures, `
      + `${result.atoms} atoms of incidents and ${result.emptyAtoms} empty ones, ${result.nestings} nestings, ${result.sweeps} sweeps; `
      + `found exact below ${THRESHOLD}: ${JSON.stringify(kinds)}; answers with a withheld figure found: `
      + `${new Set(result.leaks.filter((l) => l.what === 'figure').flatMap((l) => l.answers)).size}`);
    const byEndpoint = new Map<string, typeof result.leaks>();
    for (const l of result.leaks) {
      const key = l.labels[0]!.split('?')[0]!;
      byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), l]);
    }
    for (const [key, ls] of byEndpoint) {
      console.log(`  ${key}: ${ls.length}, e.g. ${ls.slice(0, 2).map((l) => `${l.what} = ${l.value}: ${l.labels.join(' | ')}`).join(' ;; ')}`);
    }
    expect(result.modelErrors.slice(0, 5)).toEqual([]);
    // Every refusal is a parameter finer than the published table, never a budget or a busy service.
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['200']));
    expect(statuses['429'] ?? 0).toBe(0);
    expect(statuses['503'] ?? 0).toBe(0);
    expect(result.leaks.length).toBe(0);
  }, 900_000);

  it('the arithmetic finds a total less its parts, so it can fail', () => {
    // A total of 5 and a part of 3 shown, a part withheld: the withheld part had 2.
    const figures: Figure[] = [{ label: 'total', lo: 5, hi: 5, family: 0 }, { label: 'a', lo: 3, hi: 3, family: 1 }, { label: 'b', lo: 0, hi: 2, family: 1 }];
    const members: Membership[] = [
      ...Array.from({ length: 3 }, () => ({ real: true, figures: [0, 1] })),
      ...Array.from({ length: 2 }, () => ({ real: true, figures: [0, 2] })),
    ];
    const r = audit(figures, members, THRESHOLD);
    expect(r.leaks.map((l) => [l.what, l.value])).toEqual([['atom', 2], ['figure', 2]]);
    // Rounded to 5 instead, [3, 7] and [0, 4] for the parts and [3, 7] for the total: nothing exact.
    expect(audit([{ label: 'total', lo: 3, hi: 7, family: 0 }, { label: 'a', lo: 1, hi: 9, family: 1 }, { label: 'b', lo: 0, hi: 4, family: 1 }], members, THRESHOLD).leaks).toEqual([]);
  });
});

describe('layers only aggregated for outsiders reach them through analysis alone', () => {
  const aggregatedOnly = (role: Outsider) => LAYERS.filter((l) => l.aggregates?.[role] && !l.access[role]);

  it.each(ROLES)('as %s: no features, tiles, export, OGC items or roll-up section of them', async (role) => {
    const layers = aggregatedOnly(role);
    expect(layers.length).toBeGreaterThan(0);
    for (const l of layers) {
      await w.as(role).get(`/api/layers/${l.id}/features`).expect(404);
      await w.as(role).get(`/api/export/${l.id}?format=csv`).expect(404);
      await w.as(role).get(`/tiles/${l.id}/14/13662/7116.mvt`).expect(404);
      await w.as(role).get(`/ogc/collections/${l.id}/items`).expect(404);
    }
    const rollup = (await w.as(role).get('/api/rollups?by=station&period=2026H1').expect(200)).body;
    const hidden = SECTIONS.filter((s) => s.needs.some((id) => layers.some((l) => l.id === id))).map((s) => s.name);
    expect(hidden.length).toBeGreaterThan(0);
    expect(rollup.sections.filter((s: string) => hidden.includes(s))).toEqual([]);
    for (const u of [rollup.total, ...rollup.units]) for (const s of hidden) expect(u[s]).toBeUndefined();
  });
});

describe('outsiders\' answers depend on incidents only through the published tables', () => {
  it('moving incidents a metre and a minute, within their cell, beat, hour and quarter, changes no outsider answer', async () => {
    const asks: Ask[] = [];
    for (const role of ROLES) {
      const listed = ((await w.as(role).get('/api/analysis').expect(200)).body.endpoints as string[]).map((e) => e.replace('/api/analysis/', ''));
      for (const endpoint of listed) {
        // A forecast takes no period: its history is the whole quarters before today.
        if (endpoint === 'forecast') asks.push({ endpoint, role, params: { station: ctx.station, history: 3650 } }, { endpoint, role, params: { bbox: ctx.boxes.whole, history: 3650, share: 0.2 } });
        else asks.push({ endpoint, role, params: { station: ctx.station, datetime: PERIODS.quarter } }, { endpoint, role, params: { datetime: PERIODS.twoQuarters } });
      }
    }
    const answers = async () => Promise.all(asks.map(async (a) => ({ ask: `${a.role} ${a.endpoint} ${JSON.stringify(a.params)}`, ...(await ask(a)) })));
    const internal = async () => (await w.as('admin').get(`/api/analysis/density?station=${ctx.station}&datetime=${PERIODS.quarter}`).expect(200)).body;
    const before = await answers();
    expect(before.filter((b) => b.status === 200).length).toBeGreaterThan(asks.length / 2);
    // The forecasts hold the moved incidents' quarter: comparing empty answers would prove nothing.
    for (const f of before.filter((b) => b.ask.includes(' forecast '))) {
      expect(f.status, f.ask).toBe(200);
      expect(f.body.analysis.disclosure.quarters, f.ask).toContain('2026Q3');
      expect(f.body.features.length, f.ask).toBeGreaterThan(0);
    }
    const densityBefore = await internal();
    // Incidents of the attacked station in the quarter, a metre from their cell's east edge and
    // not in an hour's last minute, moved a metre east and a minute on.
    const moved = (await w.db.query<{ id: number }>(
      `SELECT id::float8 id FROM incidents i, LATERAL (SELECT ST_Transform(i.geom, 3826) m) p
        WHERE i.station_code = $1 AND i.occurred_at >= '2026-07-01T00:00+08' AND i.occurred_at < '2026-09-30T00:00+08'
          AND ST_X(p.m) - 200 * floor(ST_X(p.m) / 200) < 190 AND extract(minute FROM i.occurred_at) < 59
        ORDER BY id LIMIT 12`, [ctx.station])).rows.map((r) => Number(r.id));
    expect(moved.length).toBe(12);
    const move = (dx: number, minutes: number) => w.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('app.actor', 'fixture', true)`);
      await tx.query(`UPDATE incidents SET geom = ST_Transform(ST_Translate(ST_Transform(geom, 3826), $2, 0), 4326),
                             occurred_at = occurred_at + make_interval(mins => $3) WHERE id = ANY($1::bigint[])`, [moved, dx, minutes]);
    });
    const { rows: beatsBefore } = await w.db.query(`SELECT id, beat_code FROM incidents WHERE id = ANY($1::bigint[]) ORDER BY id`, [moved]);
    await move(1, 1);
    try {
      const { rows: beatsAfter } = await w.db.query(`SELECT id, beat_code FROM incidents WHERE id = ANY($1::bigint[]) ORDER BY id`, [moved]);
      expect(beatsAfter).toEqual(beatsBefore);
      // The police see the move.
      expect(await internal()).not.toEqual(densityBefore);
      const after = await answers();
      for (const [k, a] of after.entries()) expect(a, a.ask).toEqual(before[k]);
    } finally {
      await move(-1, -1);
    }
  }, 600_000);
});
