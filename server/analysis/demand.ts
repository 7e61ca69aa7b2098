import { PARAMETER_RULES as RULES, refusal } from '../http/messages.js';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { positionRefusal } from '../geo/taiwan.js';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { PUBLIC_CELL_M } from './disclosure.js';
import { scopeCells } from './grid.js';
import { type IncidentFilter, loadIncidents } from './incidents.js';
import { json, number, typeError } from './params.js';
import { projectPoints } from './projection.js';
import { publishedSquares } from './published.js';
import type { QuarterPeriod } from './quarters.js';
import type { Scope } from './scope.js';

/**
 * What cameras should see, as weighted points in TWD97 metres:
 * - incidents of the filter in the scope, `incidentWeight` each (default 1), halved every
 *   `halfLifeDays` of age before the period's end when a half-life is given; for outsiders the
 *   published count of each square of the public grid, spread evenly over it (SPREAD);
 * - listed key places in the scope, `keyPlaceWeight` each (default 1; police accounts only);
 * - `points` supplied with the request, `weight` each (default 1), e.g. a school gate.
 */
const DAY_MS = 86_400_000;
export const MAX_SUPPLIED_POINTS = 5000;
const suppliedPoint = z.object({
  lon: z.number(typeError(RULES.longitude())),
  lat: z.number(typeError(RULES.latitude())),
  weight: z.number().min(0).max(1000).optional(),
}).strict();

const POINTS_RULE = RULES.points({ max: MAX_SUPPLIED_POINTS });

export const DEMAND_PARAMS = {
  incidentWeight: number(0, 1000).optional(),
  halfLifeDays: number(1, 3650, ' days').optional(),
  keyPlaceWeight: number(0, 1000).optional(),
  points: json(z.array(suppliedPoint, { error: POINTS_RULE }).max(MAX_SUPPLIED_POINTS, POINTS_RULE)).optional(),
};

export interface DemandParams {
  incidentWeight?: number;
  halfLifeDays?: number;
  keyPlaceWeight?: number;
  points?: { lon: number; lat: number; weight?: number }[];
}

export const DEMAND_KINDS = ['incident', 'key-place', 'point'] as const;

export interface Demand {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly w: Float64Array;
  /** Index into DEMAND_KINDS. */
  readonly kind: Uint8Array;
  /** WGS84 positions (for maps of what stays uncovered). */
  readonly lon: Float64Array;
  readonly lat: Float64Array;
}

const KEY_PLACES = findLayer('key-places')!;
/** A published square's count is spread over SPREAD × SPREAD points of it (20 m apart), each in the scope taking its share. */
const SPREAD = 10;

/** The published squares meeting the scope as demand points, `weight` × count / SPREAD² each. */
async function publishedDemand(db: Queryable, p: Principal, period: QuarterPeriod, scope: Scope, weight: number) {
  const squares = await scopeCells(db, scope, 'square', PUBLIC_CELL_M, true);
  const counts = await publishedSquares(db, p, period, squares);
  const kept = squares.flatMap((c, k) => (counts[k]! > 0 ? [{ ...c, w: (weight * counts[k]!) / SPREAD ** 2 }] : []));
  const step = PUBLIC_CELL_M / SPREAD;
  const { rows } = await db.query<{ x: number; y: number; lon: number; lat: number; w: number }>(
    `WITH s AS (SELECT ST_Transform($1::geometry, 3826) AS m)
     SELECT ST_X(l.pt) AS x, ST_Y(l.pt) AS y, ST_X(ST_Transform(l.pt, 4326)) AS lon, ST_Y(ST_Transform(l.pt, 4326)) AS lat, u.w
       FROM s, unnest($2::int[], $3::int[], $4::float8[]) AS u(i, j, w), generate_series(0, $6 - 1) a, generate_series(0, $6 - 1) b,
            LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.i * $5 + (a + 0.5) * $7, u.j * $5 + (b + 0.5) * $7), 3826) AS pt) l
      WHERE ST_Intersects(s.m, l.pt)`,
    [scope.geom, kept.map((c) => c.i), kept.map((c) => c.j), kept.map((c) => c.w), PUBLIC_CELL_M, SPREAD, step]);
  return rows;
}

export async function loadDemand(db: Queryable, p: Principal, q: DemandParams, filter: IncidentFilter, scope: Scope, published?: QuarterPeriod): Promise<Demand> {
  const internal = canRead(KEY_PLACES, p);
  if (!internal && (q.keyPlaceWeight ?? 0) > 0) throw refusal(403, 'analysis_key_places_police_only', undefined, { field: 'keyPlaceWeight' });
  const incidentWeight = q.incidentWeight ?? 1;
  const keyPlaceWeight = internal ? q.keyPlaceWeight ?? 1 : 0;
  const parts: { x: number[]; y: number[]; w: number[]; kind: number[]; lon: number[]; lat: number[] } = { x: [], y: [], w: [], kind: [], lon: [], lat: [] };
  const push = (x: number, y: number, w: number, kind: number, lon: number, lat: number) => {
    parts.x.push(x); parts.y.push(y); parts.w.push(w); parts.kind.push(kind); parts.lon.push(lon); parts.lat.push(lat);
  };
  if (incidentWeight > 0 && published) {
    for (const r of await publishedDemand(db, p, published, scope, incidentWeight)) push(r.x, r.y, r.w, 0, r.lon, r.lat);
  } else if (incidentWeight > 0) {
    const inc = await loadIncidents(db, p, filter, scope);
    for (let i = 0; i < inc.x.length; i++) {
      const age = (filter.period.to - inc.t[i]!) / DAY_MS;
      push(inc.x[i]!, inc.y[i]!, incidentWeight * (q.halfLifeDays ? 0.5 ** (age / q.halfLifeDays) : 1), 0, inc.lon[i]!, inc.lat[i]!);
    }
  }
  if (keyPlaceWeight > 0) {
    const params: unknown[] = [];
    const where = ['k.deleted_at IS NULL', `k.listing_status = 'listed'`, readableRows(KEY_PLACES, p, params, 'k'), scope.rows('k', params)];
    const { rows } = await db.query<{ x: number; y: number; lon: number; lat: number }>(
      `SELECT ST_X(ST_Transform(k.geom, 3826)) AS x, ST_Y(ST_Transform(k.geom, 3826)) AS y, ST_X(k.geom) AS lon, ST_Y(k.geom) AS lat
         FROM key_places k WHERE ${where.join(' AND ')}`, params);
    for (const r of rows) push(r.x, r.y, keyPlaceWeight, 1, r.lon, r.lat);
  }
  const supplied = q.points ?? [];
  supplied.forEach((pt, i) => {
    const refused = positionRefusal(pt.lon, pt.lat, `points[${i}]`);
    if (refused) throw refused;
  });
  const projected = await projectPoints(db, supplied.map((s) => s.lon), supplied.map((s) => s.lat));
  supplied.forEach((pt, i) => push(projected.x[i]!, projected.y[i]!, pt.weight ?? 1, 2, pt.lon, pt.lat));
  return {
    x: Float64Array.from(parts.x), y: Float64Array.from(parts.y), w: Float64Array.from(parts.w),
    kind: Uint8Array.from(parts.kind), lon: Float64Array.from(parts.lon), lat: Float64Array.from(parts.lat),
  };
}

/** Total weight and count of each kind of demand. */
export function describeDemand(d: Demand) {
  const out: Record<string, { count: number; weight: number }> = {};
  DEMAND_KINDS.forEach((k) => (out[k] = { count: 0, weight: 0 }));
  for (let i = 0; i < d.w.length; i++) {
    const o = out[DEMAND_KINDS[d.kind[i]!]!]!;
    o.count++;
    o.weight += d.w[i]!;
  }
  return out;
}
