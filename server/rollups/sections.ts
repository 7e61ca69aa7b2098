import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { canRead, isInternal, readableRows } from '../layers/access.js';
import { findLayer, property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import type { Choice } from '../layers/vocabularies.js';
import type { Period } from './period.js';
import type { Level, Scope } from './scope.js';

/**
 * The figures of a roll-up (彙整), each section counted in SQL per unit and in total (GROUPING
 * SETS), over exactly the rows the caller may read: a section whose layer the caller may not
 * read is left out, and a section counts only the rows the feature API would list to them
 * (the public's cameras are the public ones). Register figures (key places, cameras, watch
 * blocks) are the register as it stands; event figures (visits, drone surveys, incidents,
 * listings) are counted by their dates within the period.
 */

export interface Counted { key: string; label: string; count: number }
export type Figures = Record<string, unknown>;
export type UnitFigures = Map<string, Figures>;

export interface SectionContext {
  db: Queryable;
  p: Principal;
  scope: Scope;
  period: Period;
  /** Overdue means: due before this day (the earlier of today and the day after the period). */
  overdueBefore: string;
  /** Cameras installed this many years before the period's year are due for replacement. */
  replaceAfterYears: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const choicesOf = (layer: LayerDef, name: string): readonly Choice[] => {
  const t = property(layer, name)!.type;
  return t.kind === 'enum' ? t.choices : [];
};
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const layer = (id: string) => findLayer(id)!;

/** The unit code of row `t` at a level; a bureau is found through the row's precinct. */
const groupExpression = (by: Level) => (by === 'bureau'
  ? '(SELECT pr.bureau_code FROM precincts pr WHERE pr.code = t.precinct_code AND pr.deleted_at IS NULL)'
  : `t.${by}_code`);

/**
 * Where a section's rows come from: by default the layer's live rows (`t`); `from` replaces the
 * table (it must still name the layer's rows `t`), and `withDeleted` keeps rows deleted since.
 */
interface RowSource { from?: string; withDeleted?: boolean }

/** The FROM and the conditions every section query shares: readable rows in the scope's units. */
function scoped(ctx: SectionContext, l: LayerDef, all: unknown[], source: RowSource): { from: string; where: string[] } {
  const readable = readableRows(l, ctx.p, all);
  all.push(ctx.scope.units.map((u) => u.code));
  return {
    from: `${source.from ?? `${l.table} t`} CROSS JOIN LATERAL (SELECT ${groupExpression(ctx.scope.by)} AS code) g`,
    where: [...(source.withDeleted ? [] : ['t.deleted_at IS NULL']), readable, `g.code = ANY($${all.length}::text[])`],
  };
}

/**
 * One query over a layer's readable rows in the scope's units: `select` per unit and for all of
 * them together (key "total"). `where` adds conditions; `params` their parameters.
 */
async function grouped(ctx: SectionContext, l: LayerDef, select: string, where: string[] = [], params: unknown[] = [],
  source: RowSource = {}): Promise<Map<string, Record<string, number>>> {
  const all = [...params];
  const q = scoped(ctx, l, all, source);
  const { rows } = await ctx.db.query<Record<string, number> & { code: string | null; is_total: boolean }>(
    `SELECT g.code, GROUPING(g.code) = 1 AS is_total, ${select}
       FROM ${q.from}
      WHERE ${[...q.where, ...where].join(' AND ')}
      GROUP BY GROUPING SETS ((g.code), ())`, all);
  return new Map(rows.map((r) => [r.is_total ? 'total' : r.code!, r]));
}

/**
 * The readable rows of a layer in the scope's units that meet `where`, as `select` gives them,
 * in `order`. `params` come first ($1…), the access rule's and the units' after them.
 */
async function listed<T>(ctx: SectionContext, l: LayerDef, select: string, where: string, params: unknown[], order: string,
  source: RowSource = {}): Promise<T[]> {
  const all = [...params];
  const q = scoped(ctx, l, all, source);
  const { rows } = await ctx.db.query<T>(`SELECT ${select} FROM ${q.from} WHERE ${[...q.where, where].join(' AND ')} ORDER BY ${order}`, all);
  return rows;
}

/**
 * Per unit and total: `shape` of the unit's row, or of an empty row for a unit without any;
 * the figures of `also` (another query's, per unit) are added to each.
 */
function perUnit(ctx: SectionContext, rows: Map<string, Record<string, number>>, shape: (r: (k: string) => number) => Figures,
  also?: UnitFigures): UnitFigures {
  const out: UnitFigures = new Map();
  for (const code of [...ctx.scope.units.map((u) => u.code), 'total']) {
    const r = rows.get(code);
    out.set(code, { ...shape((k) => Number(r?.[k] ?? 0)), ...also?.get(code) });
  }
  return out;
}

const counts = (choices: readonly Choice[], prefix: string, r: (k: string) => number): Counted[] =>
  choices.map((c) => ({ key: c.value, label: c.label, count: r(`${prefix}_${c.value}`) }));
const countColumns = (choices: readonly Choice[], column: string, prefix: string, extra = '') =>
  choices.map((c) => `count(*) FILTER (WHERE t.${column} = ${lit(c.value)}${extra})::int AS ${prefix}_${c.value}`).join(', ');

/** A date parameter's end as an exclusive timestamp bound: the start of the next day, Taiwan time. */
const dayAfter = (placeholder: string) => `(${placeholder}::date + 1)::timestamptz`;

async function keyPlaces(ctx: SectionContext): Promise<UnitFigures> {
  const l = layer('key-places');
  const categories = choicesOf(l, 'category');
  const rows = await grouped(ctx, l, `count(*)::int AS total,
      count(*) FILTER (WHERE t.listing_status = 'listed')::int AS listed,
      count(*) FILTER (WHERE t.listing_status = 'delisted')::int AS delisted,
      count(*) FILTER (WHERE t.listed_on BETWEEN $1::date AND $2::date)::int AS listed_in_period,
      count(*) FILTER (WHERE t.delisted_on BETWEEN $1::date AND $2::date)::int AS delisted_in_period,
      ${countColumns(categories, 'category', 'listed', ` AND t.listing_status = 'listed'`)},
      ${countColumns(categories, 'category', 'delisted', ` AND t.listing_status = 'delisted'`)}`, [], [ctx.period.from, ctx.period.to]);
  return perUnit(ctx, rows, (r) => ({
    total: r('total'), listed: r('listed'), delisted: r('delisted'),
    listedInPeriod: r('listed_in_period'), delistedInPeriod: r('delisted_in_period'),
    byCategory: categories.map((c) => ({ key: c.value, label: c.label, listed: r(`listed_${c.value}`), delisted: r(`delisted_${c.value}`) })),
  }));
}

/** Listed places due by the period's end; visited when a visit falls within the period. */
const VISITED = `EXISTS (SELECT 1 FROM visits v WHERE v.place_id = t.id AND v.deleted_at IS NULL
                  AND v.visited_at >= $1::date AND v.visited_at < ${dayAfter('$2')})`;
const DUE = `t.listing_status = 'listed' AND t.next_visit_due <= $2::date`;

async function visits(ctx: SectionContext): Promise<UnitFigures> {
  const v = layer('visits');
  const outcomes = choicesOf(v, 'outcome');
  const done = await grouped(ctx, v, `count(*)::int AS visits, count(DISTINCT t.place_id)::int AS places, ${countColumns(outcomes, 'outcome', 'outcome')}`,
    [`t.visited_at >= $1::date`, `t.visited_at < ${dayAfter('$2')}`], [ctx.period.from, ctx.period.to]);
  const due = await grouped(ctx, layer('key-places'), `count(*) FILTER (WHERE ${DUE})::int AS due,
      count(*) FILTER (WHERE ${DUE} AND ${VISITED})::int AS due_visited,
      count(*) FILTER (WHERE ${DUE} AND NOT ${VISITED} AND t.next_visit_due < $3::date)::int AS overdue`,
  [], [ctx.period.from, ctx.period.to, ctx.overdueBefore]);
  const d = perUnit(ctx, due, (r) => ({ due: r('due'), dueVisited: r('due_visited'), overdue: r('overdue'), rate: ratio(r('due_visited'), r('due')) }));
  return perUnit(ctx, done, (r) => ({ visits: r('visits'), placesVisited: r('places'), byOutcome: counts(outcomes, 'outcome', r) }), d);
}

export interface OverduePlace {
  id: number; name: string; category: string; beat: string | null; station: string | null; precinct: string | null;
  nextVisitDue: string; lastVisitedAt: string | null; daysOverdue: number;
  /** The beat by the name people know it by (大樹派出所第1警勤區). */
  beatName: string | null;
}

export async function overduePlaces(ctx: SectionContext): Promise<OverduePlace[] | undefined> {
  const l = layer('key-places');
  if (!canRead(l, ctx.p) || !canRead(layer('visits'), ctx.p)) return undefined;
  return listed<OverduePlace>(ctx, l,
    `t.id::int AS id, t.name, t.category, t.beat_code AS beat, t.station_code AS station, t.precinct_code AS precinct,
     t.next_visit_due::text AS "nextVisitDue", to_json(t.last_visited_at) #>> '{}' AS "lastVisitedAt",
     ($3::date - t.next_visit_due)::int AS "daysOverdue",
     (SELECT coalesce(s.name, '') || b.name FROM beats b LEFT JOIN stations s ON s.code = b.station_code WHERE b.code = t.beat_code) AS "beatName"`,
    `${DUE} AND NOT ${VISITED} AND t.next_visit_due < $3::date`, [ctx.period.from, ctx.period.to, ctx.overdueBefore], 't.next_visit_due, t.id');
}

/**
 * Each camera's seconds in service and in each status over the period, up to now
 * (sql/migrations/065_camera_availability.sql), as the table of rows `t` the sections read.
 */
const AVAILABILITY = `camera_availability($1::date::timestamptz, least(${dayAfter('$2')}, now())) a JOIN cameras t ON t.id = a.camera_id`;
const HOURS = 3600;

async function cameras(ctx: SectionContext): Promise<UnitFigures> {
  const l = layer('cameras');
  const statuses = choicesOf(l, 'status');
  const owners = choicesOf(l, 'owner_kind');
  const year = Number(ctx.period.to.slice(0, 4));
  const rows = await grouped(ctx, l, `count(*)::int AS total, ${countColumns(statuses, 'status', 'status')}, ${countColumns(owners, 'owner_kind', 'owner')},
      count(*) FILTER (WHERE t.lpr)::int AS lpr, count(*) FILTER (WHERE t.networked)::int AS networked,
      count(*) FILTER (WHERE t.install_year <= $1::int)::int AS replacement_due,
      count(*) FILTER (WHERE t.install_year IS NULL)::int AS unknown_age`, [], [year - ctx.replaceAfterYears]);
  const register = perUnit(ctx, rows, (r) => ({
    total: r('total'), byStatus: counts(statuses, 'status', r), working: r('status_working'),
    workingRatio: ratio(r('status_working'), r('total')), byOwner: counts(owners, 'owner', r),
    lpr: r('lpr'), networked: r('networked'), noLpr: r('total') - r('lpr'), notNetworked: r('total') - r('networked'),
    replacementDue: r('replacement_due'), unknownAge: r('unknown_age'),
  }));
  // The history behind 妥善率 is the police's (as the feature history is): a day's figure for a
  // beat with one public camera would tell the public that camera's outages.
  if (!isInternal(ctx.p)) return register;
  // 妥善率 over the period: time working over time in service, counting cameras deleted since.
  const served = await grouped(ctx, l, `count(*)::int AS in_service, sum(a.in_service_s) AS in_service_s, sum(a.working_s) AS working_s,
      sum(a.broken_s) AS broken_s, sum(a.offline_s) AS offline_s`, [], [ctx.period.from, ctx.period.to], { from: AVAILABILITY, withDeleted: true });
  const time = perUnit(ctx, served, (r) => ({
    inService: r('in_service'), availability: ratio(r('working_s'), r('in_service_s')),
    inServiceHours: Math.round(r('in_service_s') / HOURS), brokenHours: Math.round(r('broken_s') / HOURS), offlineHours: Math.round(r('offline_s') / HOURS),
  }));
  for (const [code, f] of register) Object.assign(f, time.get(code));
  return register;
}

export interface DownCamera {
  id: number; name: string; status: string; unit: string | null; availability: number; downHours: number; deleted: boolean;
}

/** How many of the cameras that pull 妥善率 down the roll-up names, the most hours down first. */
const DOWN_CAMERAS = 20;

/** The cameras down longest over the period (at least an hour), which pull 妥善率 down. */
export async function downCameras(ctx: SectionContext): Promise<DownCamera[] | undefined> {
  const l = layer('cameras');
  if (!canRead(l, ctx.p) || !isInternal(ctx.p)) return undefined;
  return listed<DownCamera>(ctx, l, `t.id::int AS id, t.name, t.status, g.code AS unit,
      round((a.working_s / nullif(a.in_service_s, 0))::numeric, 4)::float8 AS availability,
      round(((a.broken_s + a.offline_s) / ${HOURS})::numeric)::int AS "downHours", t.deleted_at IS NOT NULL AS deleted`,
  `a.broken_s + a.offline_s >= ${HOURS}`, [ctx.period.from, ctx.period.to],
  `a.broken_s + a.offline_s DESC, t.id LIMIT ${DOWN_CAMERAS}`, { from: AVAILABILITY, withDeleted: true });
}

async function watch(ctx: SectionContext): Promise<UnitFigures> {
  const l = layer('watch-blocks');
  const kinds = choicesOf(l, 'adopter_kind');
  const rows = await grouped(ctx, l, `count(*)::int AS blocks, count(DISTINCT t.adopter)::int AS adopters,
      count(DISTINCT t.team_id)::int AS teams, count(*) FILTER (WHERE t.team_id IS NOT NULL)::int AS with_team,
      coalesce(sum(ST_Area(ST_Transform(t.geom, 3826))), 0) / 1e6 AS area_km2, ${countColumns(kinds, 'adopter_kind', 'kind')}`);
  return perUnit(ctx, rows, (r) => ({
    blocks: r('blocks'), adopters: r('adopters'), teams: r('teams'), withTeam: r('with_team'),
    areaKm2: Math.round(r('area_km2') * 1000) / 1000, byAdopterKind: counts(kinds, 'kind', r),
  }));
}

const PLANNED_IN_PERIOD = ['t.planned_on BETWEEN $1::date AND $2::date'];
const HAS_FINDINGS = `t.status = 'done' AND coalesce(btrim(t.findings), '') <> ''`;

async function drones(ctx: SectionContext): Promise<UnitFigures> {
  const l = layer('drone-surveys');
  const statuses = choicesOf(l, 'status');
  const rows = await grouped(ctx, l, `count(*)::int AS surveys, ${countColumns(statuses, 'status', 'status')},
      count(*) FILTER (WHERE ${HAS_FINDINGS})::int AS with_findings, coalesce(sum(cardinality(t.target_place_ids)), 0)::int AS targets`,
  PLANNED_IN_PERIOD, [ctx.period.from, ctx.period.to]);
  return perUnit(ctx, rows, (r) => ({
    surveys: r('surveys'), done: r('status_done'), withFindings: r('with_findings'), targets: r('targets'), byStatus: counts(statuses, 'status', r),
  }));
}

export interface DroneFinding { id: number; name: string; plannedOn: string; purpose: string; findings: string; unit: string | null }

export async function droneFindings(ctx: SectionContext): Promise<DroneFinding[] | undefined> {
  const l = layer('drone-surveys');
  if (!canRead(l, ctx.p)) return undefined;
  return listed<DroneFinding>(ctx, l, `t.id::int AS id, t.name, t.planned_on::text AS "plannedOn", t.purpose, t.findings, g.code AS unit`,
    `${PLANNED_IN_PERIOD[0]} AND ${HAS_FINDINGS}`, [ctx.period.from, ctx.period.to], 't.planned_on, t.id');
}

async function incidents(ctx: SectionContext): Promise<UnitFigures> {
  const l = layer('incidents');
  const types = choicesOf(l, 'type');
  const now = `t.occurred_at >= $1::date`;
  const before = `t.occurred_at < $1::date`;
  const rows = await grouped(ctx, l, `count(*) FILTER (WHERE ${now})::int AS current, count(*) FILTER (WHERE ${before})::int AS previous,
      ${countColumns(types, 'type', 'now', ` AND ${now}`)}, ${countColumns(types, 'type', 'before', ` AND ${before}`)}`,
  [`t.occurred_at >= $3::date`, `t.occurred_at < ${dayAfter('$2')}`], [ctx.period.from, ctx.period.to, ctx.period.previous.from]);
  const change = (current: number, previous: number) => ({
    current, previous, change: current - previous, changePct: previous > 0 ? Math.round(((current - previous) / previous) * 1000) / 10 : null,
  });
  return perUnit(ctx, rows, (r) => ({
    ...change(r('current'), r('previous')),
    byType: types.map((c) => ({ key: c.value, label: c.label, ...change(r(`now_${c.value}`), r(`before_${c.value}`)) })),
  }));
}

/** The three shifts a day of 勤務 is split into, by the hour of the sign-in (Taiwan time). */
const SHIFTS = [{ key: 'night', label: '0–8 時', from: 0 }, { key: 'day', label: '8–16 時', from: 8 }, { key: 'evening', label: '16–24 時', from: 16 }] as const;
/** Sign-ins of `alias` per shift, as columns shift_<key>. */
const shiftColumns = (alias: string) => {
  const hour = `extract(hour FROM ${alias}.signed_at AT TIME ZONE 'Asia/Taipei')`;
  return SHIFTS.map((sh, i) => `count(*) FILTER (WHERE ${hour} >= ${sh.from} AND ${hour} < ${SHIFTS[i + 1]?.from ?? 24})::int AS shift_${sh.key}`).join(', ');
};
/** Each patrol point (t) with its sign-ins (s) in the period. */
const POINT_SIGNINS = `patrol_points t LEFT JOIN LATERAL (
    SELECT count(*)::int AS signins, max(s.signed_at) AS last, ${shiftColumns('s')}
      FROM patrol_signins s WHERE s.point_id = t.id AND s.deleted_at IS NULL AND s.signed_at >= $1::date AND s.signed_at < ${dayAfter('$2')}) s ON true`;
const SIGNED_IN_PERIOD = [`t.signed_at >= $1::date`, `t.signed_at < ${dayAfter('$2')}`];

/**
 * 電子巡簽: the points (as they stand) and how many were signed at in the period; the sign-ins
 * by shift, counted where they were made (a sign-in keeps its units when beats are redrawn or
 * its point is moved or retired).
 */
async function patrol(ctx: SectionContext): Promise<UnitFigures> {
  const points = await grouped(ctx, layer('patrol-points'), `count(*)::int AS points, count(*) FILTER (WHERE s.signins > 0)::int AS signed_at`,
    [], [ctx.period.from, ctx.period.to], { from: POINT_SIGNINS });
  const signIns = await grouped(ctx, layer('patrol-signins'), `count(*)::int AS signins, ${shiftColumns('t')}`, SIGNED_IN_PERIOD, [ctx.period.from, ctx.period.to]);
  const made = perUnit(ctx, signIns, (r) => ({
    signIns: r('signins'), byShift: SHIFTS.map((sh) => ({ key: sh.key, label: sh.label, count: r(`shift_${sh.key}`) })),
  }));
  return perUnit(ctx, points, (r) => ({ points: r('points'), pointsSignedAt: r('signed_at'), pointsMissed: r('points') - r('signed_at') }), made);
}

export interface PatrolPointRow {
  id: number; name: string; kind: string; beat: string | null; unit: string | null; signIns: number; lastSignedAt: string | null;
  byShift: Counted[];
}

/** Each patrol point of the scope with its sign-ins in the period by shift, those never signed at first: for the 勤務 records. */
export async function patrolPoints(ctx: SectionContext): Promise<PatrolPointRow[] | undefined> {
  const l = layer('patrol-points');
  if (!canRead(l, ctx.p) || !canRead(layer('patrol-signins'), ctx.p)) return undefined;
  const rows = await listed<Omit<PatrolPointRow, 'byShift'> & Record<string, number>>(ctx, l,
    `t.id::int AS id, t.name, t.kind, t.beat_code AS beat, g.code AS unit, s.signins AS "signIns",
     to_json(s.last) #>> '{}' AS "lastSignedAt", ${SHIFTS.map((sh) => `s.shift_${sh.key}`).join(', ')}`,
    // A point retired since still shows the sign-ins made at it in the period.
    '(t.deleted_at IS NULL OR s.signins > 0)', [ctx.period.from, ctx.period.to], 's.signins, t.beat_code, t.name, t.id', { from: POINT_SIGNINS, withDeleted: true });
  return rows.map(({ shift_night, shift_day, shift_evening, ...row }) => {
    const counts: Record<(typeof SHIFTS)[number]['key'], number | undefined> = { night: shift_night, day: shift_day, evening: shift_evening };
    return { ...row, byShift: SHIFTS.map((sh) => ({ key: sh.key, label: sh.label, count: counts[sh.key] ?? 0 })) };
  });
}

/** Sections in the order they are shown, with the layers each needs to read. */
export const SECTIONS: { name: string; needs: string[]; count: (ctx: SectionContext) => Promise<UnitFigures> }[] = [
  { name: 'keyPlaces', needs: ['key-places'], count: keyPlaces },
  { name: 'visits', needs: ['visits', 'key-places'], count: visits },
  { name: 'cameras', needs: ['cameras'], count: cameras },
  { name: 'watch', needs: ['watch-blocks'], count: watch },
  { name: 'drones', needs: ['drone-surveys'], count: drones },
  { name: 'incidents', needs: ['incidents'], count: incidents },
  { name: 'patrol', needs: ['patrol-points', 'patrol-signins'], count: patrol },
];
