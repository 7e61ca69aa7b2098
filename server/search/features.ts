import type { Geometry } from 'geojson';
import type { Principal } from '../auth/principal.js';
import { canRead, readableProperties, readableRows } from '../layers/access.js';
import { LAYERS } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { bboxColumns, bboxOf, escapeLike, matchOf, outlineColumn, rankCase, type BoxRow, type SearchContext, type SearchResult } from './results.js';

/**
 * Features of every other layer the caller may read, by the text properties the registry
 * declares searchable (key-place names and addresses, camera names, block names and adopters,
 * survey names, county names), in the rows and properties the caller may read: the public never
 * finds a key place, a community account only what it may see. Each feature once, by its best
 * match; points to mark, areas outlined.
 */

/** Layers with a search kind of their own (server/search/search.ts). */
export const LAYERS_WITH_KINDS = ['villages', 'towns', 'police-units', 'beats', 'addresses'];

/** The properties of a layer the principal may search: declared searchable and readable. */
export const searchable = (layer: LayerDef, p: Principal) =>
  (layer.search ?? []).filter((name) => readableProperties(layer, p).some((prop) => prop.name === name));

interface FeatureRow extends BoxRow { layer: string; id: string | number; label: string; property: string; value: string; geometry: Geometry; rank: number }

export async function searchFeatures(c: SearchContext): Promise<SearchResult[]> {
  const layers = LAYERS.filter((l) => l.geometry && !LAYERS_WITH_KINDS.includes(l.id) && canRead(l, c.p) && searchable(l, c.p).length > 0);
  const params: unknown[] = [c.folded, `${escapeLike(c.folded)}%`, `%${escapeLike(c.folded)}%`, c.limit];
  const parts = layers.flatMap((layer) => searchable(layer, c.p).map((name) => {
    const folded = `search_fold(t.${name}::text)`;
    const geometry = layer.geometry === 'Point' ? 'ST_AsGeoJSON(t.geom, 7)::json AS geometry' : outlineColumn('t.geom');
    return `SELECT '${layer.id}' AS layer, t.id, coalesce(t.${layer.label}::text, '') AS label, '${name}' AS property, t.${name}::text AS value,
                   ${bboxColumns('t.geom')}, ${geometry}, ${rankCase(folded, '$1', '$2')} AS rank
              FROM ${layer.table} t
             WHERE t.deleted_at IS NULL AND ${folded} LIKE $3 AND ${readableRows(layer, c.p, params)}`;
  }));
  if (parts.length === 0) return [];
  const { rows } = await c.db.query<FeatureRow>(
    `SELECT * FROM (SELECT DISTINCT ON (layer, id) * FROM (${parts.join(' UNION ALL ')}) hits ORDER BY layer, id, rank) best
      ORDER BY rank, label, layer, id LIMIT $4`, params);
  const titles = new Map(layers.map((l) => [l.id, l.title]));
  return rows.map((r) => ({
    kind: 'feature', layer: r.layer, id: Number(r.id), name: r.label, label: titles.get(r.layer)!,
    matched: { property: r.property, value: r.value }, bbox: bboxOf(r), geometry: r.geometry, match: matchOf(r.rank),
  }));
}
