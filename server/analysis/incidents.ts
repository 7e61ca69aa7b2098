import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { hourWeekdayConditions, parseDatetime, parseHours, parseWeekdays, WEEKDAY_NAMES } from '../features/list-query.js';
import { endOf } from '../http/time.js';
import { roleAccess, rowsWhere } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { INCIDENT_TYPES } from '../layers/vocabularies.js';
import { choice, list, text } from './params.js';
import type { Scope } from './scope.js';

/**
 * Which incidents an analysis counts: types, a period, hours of the day and days of the week
 * (Taiwan time, Asia/Taipei), and the rows the caller may read. Callers who may only see them
 * aggregated (community, public) get nothing here: their figures come from the published table
 * (published.ts) alone.
 */
const INCIDENTS = findLayer('incidents')!;
const DAY_MS = 86_400_000;
/** ISO 8601 weekday numbers: Monday is 1, Sunday 7. */
export const WEEKDAYS = WEEKDAY_NAMES;

export const INCIDENT_FILTER_PARAMS = {
  types: list(choice(INCIDENT_TYPES.map((t) => t.value))).optional(),
  datetime: text.optional(),
  // Named as the feature API's filters of the same meaning.
  hour: text.optional(),
  weekday: text.optional(),
};

/** A half-open period [from, to) in epoch milliseconds. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

export interface IncidentFilter {
  readonly types?: readonly string[];
  readonly period: Period;
  /** Hours of the day 0–23 kept; undefined: all. */
  readonly hours?: readonly number[];
  /** ISO weekdays 1–7 kept; undefined: all. */
  readonly days?: readonly number[];
}

/**
 * `datetime` as a period: `start/end` as in the feature API (either end may be `..`; a date is
 * that whole day in Taiwan time). Missing ends default to now and to `defaultDays` before the end.
 */
export function periodOf(datetime: string | undefined, defaultDays: number, field = 'datetime', now = Date.now()): Period {
  const { start, end } = datetime ? parseDatetime(datetime, field) : {};
  // An instant as the end is included: the period runs to just after it.
  const to = end === undefined ? now : end.kind === 'date' ? endOf(end) : end.ms + 1;
  const from = start === undefined ? to - defaultDays * DAY_MS : start.ms;
  if (!(from < to)) throw refusal(400, 'analysis_period_reversed', { field }, { field });
  return { from, to };
}

/**
 * An instant (epoch ms) as a SQL timestamptz, with its parameter appended. Bound as a number,
 * not as ISO text: an instant near year 1 may fall in year 0 in UTC, which PostgreSQL reads
 * back from text as an error.
 */
export function sqlInstant(ms: number, params: unknown[]): string {
  params.push(ms / 1000);
  return `to_timestamp($${params.length}::float8)`;
}

export function incidentFilter(params: { types?: string[]; datetime?: string; hour?: string; weekday?: string }, defaultDays = 365): IncidentFilter {
  return filterOver(params, periodOf(params.datetime, defaultDays));
}

/** The types, hours and days asked for, over a period the analysis decides (a back-test's, a forecast's history). */
export function filterOver(params: { types?: string[]; hour?: string; weekday?: string }, period: Period): IncidentFilter {
  return {
    types: params.types,
    period,
    hours: params.hour === undefined ? undefined : parseHours(params.hour),
    days: params.weekday === undefined ? undefined : parseWeekdays(params.weekday),
  };
}

/**
 * SQL conditions on incidents `alias` for a filter and a caller who may read them; parameters
 * appended. Anyone else gets a 404, as for a layer that does not exist.
 */
export function incidentConditions(p: Principal, f: IncidentFilter, period: Period, params: unknown[], alias = 'i'): string[] {
  const conditions = roleAccess(INCIDENTS, p)?.read;
  if (!conditions) throw refusal(404, 'analysis_not_for_role', undefined);
  const where = [`${alias}.deleted_at IS NULL`, rowsWhere(INCIDENTS, conditions, p, params, alias)];
  where.push(`${alias}.occurred_at >= ${sqlInstant(period.from, params)}`, `${alias}.occurred_at < ${sqlInstant(period.to, params)}`);
  if (f.types) {
    params.push(f.types);
    where.push(`${alias}.type = ANY($${params.length}::text[])`);
  }
  where.push(...hourWeekdayConditions(`${alias}.occurred_at`, f.hours, f.days, params));
  return where;
}

/** Incidents as TWD97 points (EPSG:3826, projected by PostGIS) with their times. */
export interface IncidentPoints {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** occurred_at, epoch milliseconds. */
  readonly t: Float64Array;
  /** WGS84 positions. */
  readonly lon: Float64Array;
  readonly lat: Float64Array;
}

export async function loadIncidents(db: Queryable, p: Principal, f: IncidentFilter, scope: Scope, period: Period = f.period): Promise<IncidentPoints> {
  const params: unknown[] = [];
  const where = [...incidentConditions(p, f, period, params), scope.rows('i', params)];
  const { rows } = await db.query<{ x: number; y: number; t: number; lon: number; lat: number }>(
    `SELECT ST_X(g) AS x, ST_Y(g) AS y, extract(epoch FROM i.occurred_at) * 1000 AS t, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
       FROM incidents i CROSS JOIN LATERAL (SELECT ST_Transform(i.geom, 3826) AS g) p
      WHERE ${where.join(' AND ')}`, params);
  return {
    x: Float64Array.from(rows, (r) => r.x),
    y: Float64Array.from(rows, (r) => r.y),
    t: Float64Array.from(rows, (r) => Number(r.t)),
    lon: Float64Array.from(rows, (r) => r.lon),
    lat: Float64Array.from(rows, (r) => r.lat),
  };
}

/** The incidents an answer counts, as echoed in it: the period [from, to) and the filters. */
export const describeFilter = (f: IncidentFilter) => ({
  period: { from: new Date(f.period.from).toISOString(), to: new Date(f.period.to).toISOString() },
  filters: { types: f.types ?? null, hours: f.hours ?? null, days: f.days ?? null },
});
