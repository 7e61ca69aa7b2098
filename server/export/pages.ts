import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { listConditions, type ListQuery } from '../features/list-query.js';
import type { Feature } from '../features/read.js';
import { featureJson } from '../features/sql.js';
import { readableRows } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';

/**
 * Every feature a listing's filters match that the principal may read, in pages by id, as the
 * feature API gives them (same access rule, same properties, same GeoJSON), optionally with the
 * geometry also as columns in a given system (what CSV writes): point coordinates, or WKT for shapes.
 */

export const EXPORT_PAGE = 5000;

export interface ExportRow {
  feature: Feature;
  /** In the system asked for as `coordinates` (WGS84 or TWD97), when it was asked for. */
  x?: number;
  y?: number;
  wkt?: string;
}

export async function* exportPages(db: Queryable, layer: LayerDef, p: Principal, q: ListQuery, coordinates?: { srid: number; decimals: number }): AsyncGenerator<ExportRow[]> {
  const base: unknown[] = [];
  const where = ['t.deleted_at IS NULL', readableRows(layer, p, base)];
  listConditions(layer, q, base, where);
  const columns = layer.geometry !== null && coordinates !== undefined;
  const geometryColumns = !columns ? '' : layer.geometry === 'Point'
    ? `, ST_X(g.p) AS x, ST_Y(g.p) AS y`
    : `, ST_AsText(g.p, ${coordinates.decimals}) AS wkt`;
  const projection = coordinates && coordinates.srid !== 4326 ? `ST_Transform(t.geom, ${coordinates.srid})` : 't.geom';
  for (let after = 0; ;) {
    const params = [...base, after, EXPORT_PAGE];
    const { rows } = await db.query<{ id: string | number; feature: Feature; x?: number; y?: number; wkt?: string }>(
      `SELECT t.id, ${featureJson(layer, p)} AS feature${geometryColumns}
         FROM ${layer.table} t${columns ? ` CROSS JOIN LATERAL (SELECT ${projection} AS p) g` : ''}
        WHERE ${where.join(' AND ')} AND t.id > $${params.length - 1} ORDER BY t.id LIMIT $${params.length}`, params);
    if (rows.length === 0) return;
    yield rows.map((r) => ({ feature: r.feature, ...(r.x !== undefined && r.x !== null ? { x: r.x, y: r.y! } : {}), ...(r.wkt ? { wkt: r.wkt } : {}) }));
    if (rows.length < EXPORT_PAGE) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}
