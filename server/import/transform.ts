import type { Queryable } from '../db/db.js';
import type { Srid } from './crs.js';

/**
 * Coordinates to WGS84 by PostGIS, the reference for every transformation here (to_wgs84 in
 * sql/migrations/011_import.sql adds TWD67's datum shift), a batch per query. WKT goes through
 * the database whatever its system, since PostGIS reads it; a WKT that is not a geometry comes
 * back as a problem for its row alone.
 */
export type TransformItem = { x: number; y: number } | { wkt: string } | { geometry: unknown };
export type TransformResult = { geometry: object } | { problem: string };

const BATCH = 5000;
/** Decimals kept: 9 decimals of a degree is 0.1 mm, finer than any register. */
const DECIMALS = 9;

export async function toWgs84(db: Queryable, srid: Srid, items: readonly TransformItem[],
  onProgress: (done: number, total: number) => Promise<void> = async () => undefined): Promise<TransformResult[]> {
  const out: TransformResult[] = [];
  for (let from = 0; from < items.length; from += BATCH) {
    const batch = items.slice(from, from + BATCH);
    const { rows } = await db.query<{ geometry: object | null; problem: string | null }>(
      `SELECT ST_AsGeoJSON(to_wgs84(g.geom), ${DECIMALS})::json AS geometry, g.problem
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(item, n)
         CROSS JOIN LATERAL (
           SELECT ST_SetSRID(ST_MakePoint((a.item->>'x')::float8, (a.item->>'y')::float8), $2) AS geom, NULL::text AS problem
            WHERE a.item ? 'x'
           UNION ALL
           SELECT ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(a.item->>'geometry')), $2), NULL WHERE a.item ? 'geometry'
           UNION ALL
           SELECT w.geom, w.problem FROM geometry_from_wkt(a.item->>'wkt', $2) w WHERE a.item ? 'wkt') g
        ORDER BY a.n`,
      [JSON.stringify(batch), srid]);
    for (const r of rows) out.push(r.geometry ? { geometry: r.geometry } : { problem: r.problem ?? 'empty geometry' });
    await onProgress(Math.min(from + BATCH, items.length), items.length);
  }
  return out;
}
