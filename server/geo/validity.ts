import type { Queryable } from '../db/db.js';
import type { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import type { Geometry } from './geojson.js';

/**
 * PostGIS judges topology. The SQL gives why a geometry is not valid (NULL when it is), for one
 * shape or, in set form, for every row of an import.
 */
export const invalidityReasonSql = (g: string) => `CASE WHEN ST_IsValid(${g}) THEN NULL ELSE ST_IsValidReason(${g}) END`;

/** The 400 for a shape PostGIS finds invalid: the reason, and the place where its edges cross. */
export function invalidGeometry(reason: string, field = 'geometry'): HttpError {
  const at = /\[([-\d.]+) ([-\d.]+)\]/.exec(reason);
  return refusal(400, 'invalid_geometry', { field, reason: reason.replace(/\[.*\]/, '').trim(), ...(at ? { at: { lon: at[1]!, lat: at[2]! } } : {}) }, { field });
}

/** Refuses a self-intersecting shape, naming `field` (the request part that held it). */
export async function assertValidShape(q: Queryable, g: Geometry, field = 'geometry'): Promise<void> {
  if (g.type === 'Point') return;
  const { rows } = await q.query<{ reason: string | null }>(
    `SELECT ${invalidityReasonSql('g')} AS reason FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS g) s`, [JSON.stringify(g)]);
  if (rows[0]!.reason) throw invalidGeometry(rows[0]!.reason, field);
}
