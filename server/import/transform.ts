import type { Queryable } from '../db/db.js';
import type { Srid } from './crs.js';

/**
 * Coordinates to WGS84 by PostGIS, the reference for every transformation here (to_wgs84 in
 * sql/migrations/011_import.sql adds TWD67's datum shift), a batch per query. WKT goes through
 * the database whatever its system, since PostGIS reads it; a WKT that is not a geometry comes
 * back as a problem for its row alone.
 */
type Point = { x: number; y: number };
export type TransformItem = Point | { wkt: string } | { geometry: unknown };
/** A shape in WGS84, or why it is not one: PostGIS's own account, null for an empty shape. */
export type TransformResult = { geometry: object } | { problem: string | null };

const BATCH = 5000;
/** Decimals kept: 9 decimals of a degree is 0.1 mm, finer than any register. */
const DECIMALS = 9;

const isPoint = (item: TransformItem): item is Point => 'x' in item;

/**
 * Points, the bulk of any register, travel as two arrays each way: as JSON rows they cost three
 * times as much (100,000 TWD97 points: 2.6 s).
 */
async function pointsToWgs84(db: Queryable, srid: Srid, points: readonly Point[]): Promise<TransformResult[]> {
  // OFFSET 0 twice: to_wgs84 is inlined only on a plain column (it uses its argument thrice),
  // and each point is transformed once, not once for ST_X and again for ST_Y.
  const { rows: [r] } = await db.query<{ x: number[] | null; y: number[] | null }>(
    `SELECT array_agg(ST_X(g) ORDER BY n) AS x, array_agg(ST_Y(g) ORDER BY n) AS y
       FROM (SELECT q.n, to_wgs84(q.p) AS g
               FROM (SELECT u.n, ST_SetSRID(ST_MakePoint(u.x, u.y), $3) AS p
                       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, n) OFFSET 0) q OFFSET 0) s`,
    [points.map((p) => p.x), points.map((p) => p.y), srid]);
  const round = (v: number) => Number(v.toFixed(DECIMALS));
  return (r?.x ?? []).map((x, i) => ({ geometry: { type: 'Point', coordinates: [round(x), round(r!.y![i]!)] } }));
}

/** WKT and GeoJSON shapes, a row each. */
async function shapesToWgs84(db: Queryable, srid: Srid, shapes: readonly TransformItem[]): Promise<TransformResult[]> {
  const { rows } = await db.query<{ geometry: object | null; problem: string | null }>(
    `SELECT ST_AsGeoJSON(to_wgs84(g.geom), ${DECIMALS})::json AS geometry, g.problem
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(item, n)
       CROSS JOIN LATERAL (
         SELECT ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(a.item->>'geometry')), $2) AS geom, NULL::text AS problem
          WHERE a.item ? 'geometry'
         UNION ALL
         SELECT w.geom, w.problem FROM geometry_from_wkt(a.item->>'wkt', $2) w WHERE a.item ? 'wkt') g
      ORDER BY a.n`,
    [JSON.stringify(shapes), srid]);
  return rows.map((r) => (r.geometry ? { geometry: r.geometry } : { problem: r.problem }));
}

export async function toWgs84(db: Queryable, srid: Srid, items: readonly TransformItem[],
  onProgress: (done: number, total: number) => Promise<void> = async () => undefined): Promise<TransformResult[]> {
  const out: TransformResult[] = new Array(items.length);
  for (let from = 0; from < items.length; from += BATCH) {
    // Positions (in `out`) of the batch's points and of its shapes.
    const points: number[] = [];
    const shapes: number[] = [];
    for (let k = from; k < Math.min(from + BATCH, items.length); k++) (isPoint(items[k]!) ? points : shapes).push(k);
    if (points.length) (await pointsToWgs84(db, srid, points.map((k) => items[k] as Point))).forEach((r, i) => { out[points[i]!] = r; });
    if (shapes.length) (await shapesToWgs84(db, srid, shapes.map((k) => items[k]!))).forEach((r, i) => { out[shapes[i]!] = r; });
    await onProgress(Math.min(from + BATCH, items.length), items.length);
  }
  return out;
}
