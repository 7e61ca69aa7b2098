import type { Principal } from '../auth/principal.js';
import { TIME_ZONE, type Queryable } from '../db/db.js';
import { disclosed, disclosureFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, incidentFilter, WEEKDAYS } from './incidents.js';
import { parseParams } from './params.js';
import { describeScope, resolveScope, SCOPE_PARAMS } from './scope.js';

/**
 * Hot hours (熱時): incidents by day of the week and hour of the day in Taiwan time
 * (Asia/Taipei), as a 7 × 24 matrix. Rows run Monday first (ISO 8601, as Taiwanese calendars
 * and 週一…週日 do): matrix[0] is Monday, matrix[6] Sunday; matrix[d][h] counts the incidents
 * from h:00 to h:59.
 */
export const HOT_HOURS_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS };
const DAY_LABELS = ['週一', '週二', '週三', '週四', '週五', '週六', '週日'];

export async function hotHours(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(HOT_HOURS_PARAMS, input);
  const filter = incidentFilter(q);
  const d = disclosureFor(p);
  const scope = await resolveScope(db, p, q);
  const params: unknown[] = [];
  const where = [...incidentConditions(p, filter, filter.period, params), scope.rows('i', params)];
  const { rows } = await db.query<{ dow: number; hour: number; n: number }>(
    `SELECT extract(isodow FROM l.t)::int AS dow, extract(hour FROM l.t)::int AS hour, count(*)::int AS n
       FROM incidents i CROSS JOIN LATERAL (SELECT i.occurred_at AT TIME ZONE '${TIME_ZONE}' AS t) l
      WHERE ${where.join(' AND ')}
      GROUP BY 1, 2`, params);
  const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of rows) matrix[r.dow - 1]![r.hour] = r.n;
  const byDay = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const byHour = Array.from({ length: 24 }, (_, h) => matrix.reduce((a, row) => a + row[h]!, 0));
  const total = byDay.reduce((a, b) => a + b, 0);
  let peak = { day: WEEKDAYS[0] as string, hour: 0, count: -1 };
  matrix.forEach((row, day) => row.forEach((n, hour) => {
    if (n > peak.count) peak = { day: WEEKDAYS[day]!, hour, count: n };
  }));
  const show = (n: number) => disclosed(d, n);
  return {
    scope: describeScope(scope),
    ...describeFilter(filter),
    timeZone: TIME_ZONE,
    weekStart: 'monday',
    days: WEEKDAYS,
    dayLabels: DAY_LABELS,
    hours: Array.from({ length: 24 }, (_, h) => h),
    matrix: matrix.map((row) => row.map(show)),
    byDay: byDay.map(show),
    byHour: byHour.map(show),
    total: show(total),
    max: show(Math.max(...matrix.flat())),
    peak: total > 0 && show(peak.count) !== null ? peak : null,
    aggregated: d.aggregated,
    minCount: d.minCount,
  };
}
