import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { describeDisclosure, incidentFilterFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, type IncidentFilter, type Period } from './incidents.js';
import { parseParams } from './params.js';
import { publishedBeats } from './published.js';
import { quartersBefore } from './quarters.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS, type Scope } from './scope.js';

/**
 * Beats ranked by incidents in a period: count, rate per km² of the beat's area (measured in
 * TWD97), and change against the previous period of equal length (the one ending where this
 * one starts). Incidents belong to the beat the database assigned them (its boundary rule).
 * The default period is the last 28 days (four weeks, as CompStat reviews compare); outsiders
 * get the published counts of whole beats, by default for the last complete quarter against the
 * one before.
 */
export const BEAT_RANKING_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS };
export const DEFAULT_RANKING_DAYS = 28;

/** The beats whose interior point lies in the scope: a precinct's own beats, not its neighbours'. */
async function beatsIn(db: Queryable, scope: Scope) {
  const { rows } = await db.query<{ code: string; name: string; station_code: string; precinct_code: string; area: number; g: object }>(
    `SELECT b.code, b.name, b.station_code, b.precinct_code, ST_Area(ST_Transform(b.geom, 3826)) AS area, ST_AsGeoJSON(b.geom, 7)::json AS g
       FROM beats b
      WHERE b.deleted_at IS NULL AND b.geom && $1::geometry AND ST_Intersects(ST_PointOnSurface(b.geom), $1::geometry)`, [scope.geom]);
  return rows;
}

/** The caller's own count per beat (by the beat the database assigned each incident) in a period. */
async function countedBeats(db: Queryable, p: Principal, filter: IncidentFilter, period: Period, beats: string[]): Promise<Map<string, number>> {
  const params: unknown[] = [];
  const where = incidentConditions(p, filter, period, params);
  params.push(beats);
  const { rows } = await db.query<{ code: string; n: number }>(
    `SELECT i.beat_code AS code, count(*)::int AS n FROM incidents i
      WHERE ${where.join(' AND ')} AND i.beat_code = ANY($${params.length}::text[]) GROUP BY 1`, params);
  return new Map(rows.map((r) => [r.code, r.n]));
}

export async function beatRanking(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(BEAT_RANKING_PARAMS, input);
  const { aggregated, published, filter } = incidentFilterFor(p, q, { days: DEFAULT_RANKING_DAYS, quarters: 1 });
  const prior = published && quartersBefore(published);
  const previous = prior || { from: 2 * filter.period.from - filter.period.to, to: filter.period.from };
  const scope = await resolveScope(db, p, q);
  const beats = await beatsIn(db, scope);
  const codes = beats.map((b) => b.code);
  const [now, before] = published && prior
    ? await Promise.all([publishedBeats(db, p, published, codes), publishedBeats(db, p, prior, codes)])
    : await Promise.all([countedBeats(db, p, filter, filter.period, codes), countedBeats(db, p, filter, previous, codes)]);
  const rows = beats.map((b) => ({ ...b, n: now.get(b.code) ?? 0, prev: before.get(b.code) ?? 0 }));
  rows.sort((a, b) => b.n - a.n || b.n / b.area - a.n / a.area || (a.code < b.code ? -1 : 1));
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r, k) => {
      const km2 = r.area / 1e6;
      return {
        type: 'Feature' as const,
        id: r.code,
        geometry: r.g,
        properties: {
          code: r.code, name: r.name, station_code: r.station_code, precinct_code: r.precinct_code,
          rank: k + 1, areaKm2: round(km2, 4), count: r.n, ratePerKm2: round(r.n / km2, 2),
          previousCount: r.prev, change: r.n - r.prev,
          ...(r.prev > 0 ? { changePct: round(((r.n - r.prev) / r.prev) * 100, 1) } : {}),
        },
      };
    }),
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      previousPeriod: { from: new Date(previous.from).toISOString(), to: new Date(previous.to).toISOString() },
      beats: rows.length,
      incidents: rows.reduce((s, r) => s + r.n, 0),
      previousIncidents: rows.reduce((s, r) => s + r.prev, 0),
      aggregated,
      ...(published && prior ? { disclosure: describeDisclosure(published), previousQuarters: prior.quarters } : {}),
    },
  };
}
