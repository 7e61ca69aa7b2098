import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import type { LayerDef } from './types.js';
import { readableRows } from './access.js';

export type Bbox = [number, number, number, number];

/**
 * The box around the rows of `layers` this principal may see, and their first and last time
 * (a temporal layer), or null for a box when they see none. Only what the caller may read is
 * measured, so the bounds of hidden rows do not leak (OGC collections' extents, TileJSON bounds).
 */
export async function visibleExtent(db: Queryable, layer: LayerDef, p: Principal): Promise<{ bbox: Bbox | null; first: string | null; last: string | null }> {
  const params: unknown[] = [];
  const visible = readableRows(layer, p, params);
  const time = (agg: 'min' | 'max') => (layer.temporal ? `to_json(${agg}(t.${layer.temporal})) #>> '{}'` : 'NULL');
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number; first: string | null; last: string | null }>(
    `SELECT ST_XMin(x) w, ST_YMin(x) s, ST_XMax(x) e, ST_YMax(x) n, first, last
       FROM (SELECT ST_Extent(t.geom)::geometry x, ${time('min')} AS first, ${time('max')} AS last
               FROM ${layer.table} t WHERE t.deleted_at IS NULL AND ${visible}) q`, params);
  const r = rows[0]!;
  return { bbox: r.w === null ? null : [r.w, r.s, r.e, r.n], first: r.first, last: r.last };
}

/** The box around several boxes; null when there are none. */
export function unionBbox(boxes: readonly (Bbox | null)[]): Bbox | null {
  const known = boxes.filter((b): b is Bbox => b !== null);
  if (known.length === 0) return null;
  return [Math.min(...known.map((b) => b[0])), Math.min(...known.map((b) => b[1])), Math.max(...known.map((b) => b[2])), Math.max(...known.map((b) => b[3]))];
}
