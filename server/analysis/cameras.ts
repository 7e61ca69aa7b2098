import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import type { Scope } from './scope.js';

/** Cameras an analysis may use: those the caller may read, standing in the scope. */
const CAMERAS = findLayer('cameras')!;

export interface Camera {
  readonly id: number;
  readonly name: string;
  readonly lon: number;
  readonly lat: number;
  readonly x: number;
  readonly y: number;
  readonly north: number;
  readonly azimuth: number;
  readonly fov: number;
  readonly range: number;
  readonly status: string;
  readonly adjustable: boolean;
}

export async function loadCameras(db: Queryable, p: Principal, scope: Scope): Promise<Camera[]> {
  if (!canRead(CAMERAS, p)) throw refusal(404, 'analysis_not_for_role', undefined);
  const params: unknown[] = [];
  const where = ['c.deleted_at IS NULL', readableRows(CAMERAS, p, params, 'c'), scope.rows('c', params)];
  const { rows } = await db.query<{ id: number; name: string; lon: number; lat: number; x: number; y: number; north: number; azimuth: number; fov: number; range_m: number; status: string; adjustable: boolean }>(
    `SELECT c.id::float8 AS id, c.name, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
            ST_X(ST_Transform(c.geom, 3826)) AS x, ST_Y(ST_Transform(c.geom, 3826)) AS y,
            true_north_grid_bearing(c.geom) AS north, c.azimuth, c.fov, c.range_m, c.status, c.adjustable
       FROM cameras c WHERE ${where.join(' AND ')} ORDER BY c.id`, params);
  return rows.map((r) => ({ ...r, id: Number(r.id), range: r.range_m }));
}

/** What a camera at each position would see (camera_view: sector less building shadows), as GeoJSON. */
export async function views(db: Queryable, vs: readonly { lon: number; lat: number; azimuth: number; fov: number; range: number }[]): Promise<object[]> {
  if (vs.length === 0) return [];
  const { rows } = await db.query<{ g: object }>(
    `SELECT ST_AsGeoJSON(camera_view(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.az, u.fov, u.r), 7)::json AS g
       FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) WITH ORDINALITY AS u(lon, lat, az, fov, r, n)
      ORDER BY u.n`,
    [vs.map((v) => v.lon), vs.map((v) => v.lat), vs.map((v) => v.azimuth), vs.map((v) => v.fov), vs.map((v) => v.range)]);
  return rows.map((r) => r.g);
}
