import type { Queryable } from '../db/db.js';

/**
 * WGS84 positions in TWD97 metres (EPSG:3826), with the grid bearing of true north there, as
 * PostGIS computes them (ST_Transform; true_north_grid_bearing in sql/migrations/009 and 014).
 */
export interface Projected {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Degrees to add to an azimuth from true north to get a TWD97 grid bearing. */
  readonly north: Float64Array;
}

export async function projectPoints(db: Queryable, lons: readonly number[], lats: readonly number[]): Promise<Projected> {
  if (lons.length === 0) return { x: new Float64Array(), y: new Float64Array(), north: new Float64Array() };
  const { rows } = await db.query<{ x: number; y: number; north: number }>(
    `SELECT ST_X(ST_Transform(p, 3826)) AS x, ST_Y(ST_Transform(p, 3826)) AS y, true_north_grid_bearing(p) AS north
       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lon, lat, n)
       CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS p) q
      ORDER BY u.n`, [lons, lats]);
  return {
    x: Float64Array.from(rows, (r) => r.x),
    y: Float64Array.from(rows, (r) => r.y),
    north: Float64Array.from(rows, (r) => r.north),
  };
}
