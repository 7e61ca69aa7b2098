import type { Queryable } from '../db/db.js';
import { HttpError } from '../http/errors.js';
import type { Geometry } from './geojson.js';

/**
 * PostGIS judges topology: a self-intersecting shape is refused with the place where its edges
 * cross, naming `field` (the request part that held it).
 */
export async function assertValidShape(q: Queryable, g: Geometry, field: string): Promise<void> {
  if (g.type === 'Point') return;
  const { rows } = await q.query<{ valid: boolean; reason: string }>(
    `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS g) s`,
    [JSON.stringify(g)]);
  if (!rows[0]!.valid) {
    const reason = rows[0]!.reason;
    const at = /\[([-\d.]+) ([-\d.]+)\]/.exec(reason);
    throw new HttpError(400, 'invalid_geometry',
      `${field === 'geometry' ? 'geometry' : field} is not valid: ${reason.replace(/\[.*\]/, '').trim()}${at ? ` at (${at[1]}, ${at[2]})` : ''}; fix the shape so its edges do not cross`, field);
  }
}
