import type { Queryable } from '../db/db.js';
import { PointBuckets } from './buckets.js';

/**
 * What each viewpoint (camera or candidate site) can see of the demand points: the points
 * within its range, with their bearing clockwise from true north, less those a building hides.
 * Distances and bearings are measured in TWD97 metres on points PostGIS projected; the test
 * for buildings is PostGIS's (sight_blocked, the rule camera_view cuts coverage by), run only
 * where buildings are loaded. A viewpoint then covers a point when the point's bearing lies
 * within fov/2 of the azimuth: the camera_sector of sql/migrations/009.
 */
export interface Viewpoint {
  readonly x: number;
  readonly y: number;
  /** Grid bearing of true north at the viewpoint (degrees). */
  readonly north: number;
  readonly range: number;
}

export interface Sightings {
  /** Demand point indices in view. */
  readonly points: Int32Array;
  /** Their bearings, degrees clockwise from true north, in [0, 360). */
  readonly bearings: Float64Array;
}

/** A demand point within a viewpoint's range, and its bearing from true north (degrees). */
export interface Pair {
  readonly view: number;
  readonly point: number;
  readonly bearing: number;
}

/** Every (viewpoint, demand point) pair within range. */
export function pairsInRange(views: readonly Viewpoint[], xs: ArrayLike<number>, ys: ArrayLike<number>): Pair[] {
  const buckets = new PointBuckets(xs, ys, Math.max(1, ...views.map((v) => v.range)));
  const pairs: Pair[] = [];
  views.forEach((v, n) => {
    buckets.near(v.x, v.y, (i) => {
      const ex = xs[i]! - v.x;
      const ey = ys[i]! - v.y;
      if (ex * ex + ey * ey > v.range * v.range) return;
      const grid = (Math.atan2(ex, ey) * 180) / Math.PI;
      pairs.push({ view: n, point: i, bearing: (((grid - v.north) % 360) + 360) % 360 });
    });
  });
  return pairs;
}

/** Pairs grouped by viewpoint, leaving out those in `blocked`. */
export function bySightings(views: readonly Viewpoint[], pairs: readonly Pair[], blocked: ReadonlySet<number> = new Set()): Sightings[] {
  const out = views.map(() => ({ points: [] as number[], bearings: [] as number[] }));
  pairs.forEach((p, k) => {
    if (blocked.has(k)) return;
    out[p.view]!.points.push(p.point);
    out[p.view]!.bearings.push(p.bearing);
  });
  return out.map((o) => ({ points: Int32Array.from(o.points), bearings: Float64Array.from(o.bearings) }));
}

export async function sightings(db: Queryable, views: readonly Viewpoint[], xs: Float64Array, ys: Float64Array): Promise<Sightings[]> {
  const pairs = pairsInRange(views, xs, ys);
  return bySightings(views, pairs, await blockedPairs(db, views, xs, ys, pairs));
}

async function blockedPairs(db: Queryable, views: readonly Viewpoint[], xs: Float64Array, ys: Float64Array,
  pairs: readonly { view: number; point: number }[]): Promise<Set<number>> {
  if (pairs.length === 0) return new Set();
  const x0 = Math.min(...views.map((v) => v.x - v.range));
  const y0 = Math.min(...views.map((v) => v.y - v.range));
  const x1 = Math.max(...views.map((v) => v.x + v.range));
  const y1 = Math.max(...views.map((v) => v.y + v.range));
  const { rows: any } = await db.query(
    `SELECT 1 FROM buildings WHERE deleted_at IS NULL AND ST_Transform(geom, 3826) && ST_MakeEnvelope($1, $2, $3, $4, 3826) LIMIT 1`,
    [x0, y0, x1, y1]);
  if (any.length === 0) return new Set();
  const { rows } = await db.query<{ k: number }>(
    `SELECT u.k::int - 1 AS k
       FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) WITH ORDINALITY AS u(cx, cy, px, py, k)
      WHERE sight_blocked(ST_SetSRID(ST_MakePoint(u.cx, u.cy), 3826), ST_SetSRID(ST_MakePoint(u.px, u.py), 3826))`,
    [pairs.map((p) => views[p.view]!.x), pairs.map((p) => views[p.view]!.y), pairs.map((p) => xs[p.point]!), pairs.map((p) => ys[p.point]!)]);
  return new Set(rows.map((r) => r.k));
}

/** Points of a sighting within fov/2 of an azimuth (degrees from true north): one option. */
export function inSector(s: Sightings, azimuth: number, fov: number): Int32Array {
  if (fov >= 360) return s.points;
  const half = fov / 2 + 1e-9;
  const out: number[] = [];
  for (let k = 0; k < s.points.length; k++) {
    const d = Math.abs((((s.bearings[k]! - azimuth) % 360) + 540) % 360 - 180);
    if (d <= half) out.push(s.points[k]!);
  }
  return Int32Array.from(out);
}

/** The azimuths a view may take: multiples of `step` from 0, and the current one if given. */
export function azimuthOptions(step: number, current?: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < 360 - 1e-9; a += step) out.push(Math.round(a * 1000) / 1000);
  if (current !== undefined && !out.some((a) => Math.abs(a - current) < 1e-9)) out.push(current);
  return out;
}
