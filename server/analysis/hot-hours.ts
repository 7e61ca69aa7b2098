import type { Principal } from '../auth/principal.js';
import { TIME_ZONE, type Queryable } from '../db/db.js';
import { describeDisclosure, incidentFilterFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, type IncidentFilter, WEEKDAYS } from './incidents.js';
import { parseParams } from './params.js';
import { publishedHours } from './published.js';
import { describeScope, resolveScope, SCOPE_PARAMS, type Scope } from './scope.js';

/**
 * Hot hours (熱時): incidents by day of the week and hour of the day in Taiwan time
 * (Asia/Taipei), as a 7 × 24 matrix. Rows run Monday first (ISO 8601, as Taiwanese calendars
 * and 週一…週日 do): matrix[0] is Monday, matrix[6] Sunday; matrix[d][h] counts the incidents
 * from h:00 to h:59. Outsiders get the published matrices of the whole stations (派出所) the
 * scope lies in, summed: the published table has no smaller area for hours.
 */
export const HOT_HOURS_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS };
const DAY_LABELS = ['週一', '週二', '週三', '週四', '週五', '週六', '週日'];

/** The caller's own count of the incidents in the scope by weekday and hour. */
async function countedHours(db: Queryable, p: Principal, filter: IncidentFilter, scope: Scope): Promise<number[][]> {
  const params: unknown[] = [];
  const where = [...incidentConditions(p, filter, filter.period, params), scope.rows('i', params)];
  const { rows } = await db.query<{ dow: number; hour: number; n: number }>(
    `SELECT extract(isodow FROM l.t)::int AS dow, extract(hour FROM l.t)::int AS hour, count(*)::int AS n
       FROM incidents i CROSS JOIN LATERAL (SELECT i.occurred_at AT TIME ZONE '${TIME_ZONE}' AS t) l
      WHERE ${where.join(' AND ')}
      GROUP BY 1, 2`, params);
  const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of rows) matrix[r.dow - 1]![r.hour] = r.n;
  return matrix;
}

/** SQL of the station codes a whole unit lies in. */
const STATIONS_OF_UNIT = {
  beat: 'SELECT station_code FROM beats WHERE code = $1',
  station: 'SELECT $1::text',
  precinct: 'SELECT code FROM stations WHERE precinct_code = $1',
} as const;

/** The stations whose published hours an outsider's scope adds up: a unit's own, or those whose area overlaps it (not just touches). */
async function stationsOf(db: Queryable, scope: Scope): Promise<string[]> {
  const unit = scope.code !== null && scope.kind in STATIONS_OF_UNIT ? STATIONS_OF_UNIT[scope.kind as keyof typeof STATIONS_OF_UNIT] : null;
  const { rows } = await db.query<{ code: string }>(unit
    ? `SELECT code FROM stations WHERE deleted_at IS NULL AND code IN (${unit}) ORDER BY 1`
    : `SELECT code FROM stations WHERE deleted_at IS NULL AND geom && $1::geometry AND ST_Relate(geom, $1::geometry, 'T********') ORDER BY 1`,
  [unit ? scope.code : scope.geom]);
  return rows.map((r) => r.code);
}

export async function hotHours(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(HOT_HOURS_PARAMS, input);
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  const scope = await resolveScope(db, p, q);
  const stations = published && await stationsOf(db, scope);
  const matrix = published && stations ? await publishedHours(db, p, published, stations) : await countedHours(db, p, filter, scope);
  const byDay = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const byHour = Array.from({ length: 24 }, (_, h) => matrix.reduce((a, row) => a + row[h]!, 0));
  const total = byDay.reduce((a, b) => a + b, 0);
  let peak = { day: WEEKDAYS[0] as string, hour: 0, count: -1 };
  matrix.forEach((row, day) => row.forEach((n, hour) => {
    if (n > peak.count) peak = { day: WEEKDAYS[day]!, hour, count: n };
  }));
  return {
    scope: { ...describeScope(scope), ...(stations ? { stations } : {}) },
    ...describeFilter(filter),
    timeZone: TIME_ZONE,
    weekStart: 'monday',
    days: WEEKDAYS,
    dayLabels: DAY_LABELS,
    hours: Array.from({ length: 24 }, (_, h) => h),
    matrix,
    byDay,
    byHour,
    total,
    max: Math.max(...matrix.flat()),
    peak: total > 0 ? peak : null,
    aggregated,
    ...(published ? { disclosure: describeDisclosure(published) } : {}),
  };
}
