import type request from 'supertest';
import type { World } from './world.js';

/** POST a file to /api/import/{layer} as the CLI does: the raw body, parameters in the query. */
export function postImport(w: Pick<World, 'as'>, role: Parameters<World['as']>[0], layer: string, body: string | Uint8Array,
  params: Record<string, string | boolean | object> = {}, contentType = 'application/octet-stream'): request.Test {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
  return w.as(role).post(`/api/import/${layer}${q.size ? `?${q}` : ''}`).set('Content-Type', contentType).send(typeof body === 'string' ? body : Buffer.from(body));
}

export interface RowReport { row: number; status: string; action?: string; id?: number; beat?: string | null; errors?: { code: string; message: string; field?: string }[]; warnings?: { code: string; message: string }[] }

/** The report's row entry for a row number. */
export const rowOf = (body: { rows: RowReport[] }, row: number) => body.rows.find((r) => r.row === row)!;

/** Stored (lon, lat) of a layer's live features, by one property. */
export async function positionsBy(w: World, table: string, key: string): Promise<Map<string, [number, number]>> {
  const { rows } = await w.db.query<{ k: string; lon: number; lat: number }>(
    `SELECT ${key}::text AS k, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM ${table} WHERE deleted_at IS NULL`);
  return new Map(rows.map((r) => [r.k, [r.lon, r.lat]]));
}
