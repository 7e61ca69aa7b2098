import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { disclosed, disclosureFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, incidentFilter, sqlInstant } from './incidents.js';
import { parseParams } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Beats ranked by incidents in a period: count, rate per km² of the beat's area (measured in
 * TWD97), and change against the previous period of equal length (the one ending where this
 * one starts). Incidents belong to the beat the database assigned them (its boundary rule).
 * The default period is the last 28 days (four weeks, as CompStat reviews compare).
 */
export const BEAT_RANKING_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS };
export const DEFAULT_RANKING_DAYS = 28;

export async function beatRanking(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(BEAT_RANKING_PARAMS, input);
  const filter = incidentFilter(q, DEFAULT_RANKING_DAYS);
  const d = disclosureFor(p);
  const scope = await resolveScope(db, p, q);
  const length = filter.period.to - filter.period.from;
  const previous = { from: filter.period.from - length, to: filter.period.from };
  // One pass over both periods, counted apart by time.
  const params: unknown[] = [scope.geom];
  const where = incidentConditions(p, filter, { from: previous.from, to: filter.period.to }, params);
  const split = sqlInstant(filter.period.from, params);
  // Beats whose interior point lies in the scope: a precinct's own beats, not its neighbours'.
  const { rows } = await db.query<{ code: string; name: string; station_code: string; precinct_code: string; area: number; n: number; prev: number; g: object }>(
    `WITH counts AS (SELECT i.beat_code, count(*) FILTER (WHERE i.occurred_at >= ${split})::int AS n,
                            count(*) FILTER (WHERE i.occurred_at < ${split})::int AS prev
                       FROM incidents i WHERE ${where.join(' AND ')} GROUP BY i.beat_code)
     SELECT b.code, b.name, b.station_code, b.precinct_code, ST_Area(ST_Transform(b.geom, 3826)) AS area,
            coalesce(c.n, 0) AS n, coalesce(c.prev, 0) AS prev, ST_AsGeoJSON(b.geom, 7)::json AS g
       FROM beats b LEFT JOIN counts c ON c.beat_code = b.code
      WHERE b.deleted_at IS NULL AND b.geom && $1::geometry AND ST_Intersects(ST_PointOnSurface(b.geom), $1::geometry)`, params);
  // Suppressed counts must not show through the order either: those beats come last, by code.
  const key = (n: number) => disclosed(d, n) ?? -1;
  rows.sort((a, b) => key(b.n) - key(a.n) || key(b.n) / b.area - key(a.n) / a.area || (a.code < b.code ? -1 : 1));
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r, k) => {
      const count = disclosed(d, r.n);
      const prev = disclosed(d, r.prev);
      const km2 = r.area / 1e6;
      return {
        type: 'Feature' as const,
        id: r.code,
        geometry: r.g,
        properties: {
          code: r.code, name: r.name, station_code: r.station_code, precinct_code: r.precinct_code,
          ...(count === null ? {} : { rank: k + 1 }),
          areaKm2: round(km2, 4),
          ...(count === null ? { suppressed: true } : { count, ratePerKm2: round(r.n / km2, 2) }),
          ...(prev === null ? {} : { previousCount: prev }),
          ...(count !== null && prev !== null ? { change: r.n - r.prev, ...(r.prev > 0 ? { changePct: round(((r.n - r.prev) / r.prev) * 100, 1) } : {}) } : {}),
        },
      };
    }),
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      previousPeriod: { from: new Date(previous.from).toISOString(), to: new Date(previous.to).toISOString() },
      beats: rows.length,
      incidents: disclosed(d, rows.reduce((s, r) => s + r.n, 0)),
      previousIncidents: disclosed(d, rows.reduce((s, r) => s + r.prev, 0)),
      aggregated: d.aggregated,
      minCount: d.minCount,
    },
  };
}
