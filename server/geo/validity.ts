import type { Queryable } from '../db/db.js';
import { HttpError } from '../http/errors.js';
import type { Geometry } from './geojson.js';

/**
 * PostGIS judges topology. The SQL gives why a geometry is not valid (NULL when it is), for one
 * shape or, in set form, for every row of an import.
 */
export const invalidityReasonSql = (g: string) => `CASE WHEN ST_IsValid(${g}) THEN NULL ELSE ST_IsValidReason(${g}) END`;

/** The 400 for a shape PostGIS finds invalid: the reason, and the place where its edges cross. */
export function invalidGeometry(reason: string, field = 'geometry'): HttpError {
  const at = /\[([-\d.]+) ([-\d.]+)\]/.exec(reason);
  return new HttpError(400, 'invalid_geometry',
    `${field} is not valid: ${reason.replace(/\[.*\]/, '').trim()}${at ? ` at (${at[1]}, ${at[2]})` : ''}; fix the shape so its edges do not cross`, field);
}

/** Refuses a self-intersecting shape, naming `field` (the request part that held it). */
export async function assertValidShape(q: Queryable, g: Geometry, field = 'geometry'): Promise<void> {
  if (g.type === 'Point') return;
  const { rows } = await q.query<{ reason: string | null }>(
    `SELECT ${invalidityReasonSql('g')} AS reason FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS g) s`, [JSON.stringify(g)]);
  if (rows[0]!.reason) throw invalidGeometry(rows[0]!.reason, field);
}
