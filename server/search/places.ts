import type { Geometry } from 'geojson';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { bboxColumns, bboxOf, escapeLike, matchOf, rankCase, outlineColumn, type BoxRow, type SearchContext, type SearchResult } from './results.js';

/**
 * 村里 and 鄉鎮市區 by name: every one whose name holds the text (「成功里」 is in 桃園區 and in
 * 中壢區: both are listed, each with its district and city), or the one an address-like text
 * names (「中壢區成功里」). Each with its outline, simplified, to fly to and draw.
 */

interface PlaceRow extends BoxRow { id: string | number; code: string; name: string; within: string | null; geometry: Geometry; rank: number }

/** The parts of the text that name only a village (and its town), or only a town. */
const namesOnly = (c: SearchContext) => c.parts.road === '' && c.parts.rest === '';

export async function searchVillages(c: SearchContext): Promise<SearchResult[]> {
  const layer = findLayer('villages')!;
  if (!canRead(layer, c.p)) return [];
  const named = namesOnly(c) ? c.parts.village : null;
  const params: unknown[] = [c.folded, `${escapeLike(c.folded)}%`, `%${escapeLike(c.folded)}%`, named, c.parts.town, c.limit];
  const { rows } = await c.db.query<PlaceRow>(
    `SELECT v.id, v.code, v.name, concat(v.county_name, v.town_name) AS within, ${bboxColumns('v.geom')}, ${outlineColumn('v.geom')},
            ${rankCase('v.name_key', '$1', '$2', 'v.name_key = $4')} AS rank
       FROM villages v
      WHERE v.deleted_at IS NULL AND ${readableRows(layer, c.p, params, 'v')}
        AND (v.name_key LIKE $3 OR v.name_key = $4) AND ($5::text IS NULL OR v.town_key = $5)
      ORDER BY rank, v.town_code, v.code
      LIMIT $6`, params);
  return rows.map((r) => ({
    kind: 'village', layer: layer.id, id: Number(r.id), code: r.code, name: r.name, label: r.within ?? '',
    bbox: bboxOf(r), geometry: r.geometry, match: matchOf(r.rank),
  }));
}

export async function searchTowns(c: SearchContext): Promise<SearchResult[]> {
  const layer = findLayer('towns')!;
  if (!canRead(layer, c.p)) return [];
  const named = namesOnly(c) && !c.parts.village ? c.parts.town : null;
  const params: unknown[] = [c.folded, `${escapeLike(c.folded)}%`, `%${escapeLike(c.folded)}%`, named, c.limit];
  const { rows } = await c.db.query<PlaceRow>(
    `SELECT t.id, t.code, t.name, t.county_name AS within, ${bboxColumns('t.geom')}, ${outlineColumn('t.geom')},
            ${rankCase('t.name_key', '$1', '$2', 't.name_key = $4')} AS rank
       FROM towns t
      WHERE t.deleted_at IS NULL AND ${readableRows(layer, c.p, params)}
        AND (t.name_key LIKE $3 OR t.name_key = $4)
      ORDER BY rank, t.code
      LIMIT $5`, params);
  return rows.map((r) => ({
    kind: 'town', layer: layer.id, id: Number(r.id), code: r.code, name: r.name, label: r.within ?? '',
    bbox: bboxOf(r), geometry: r.geometry, match: matchOf(r.rank),
  }));
}

/**
 * The village, or else the town, an address names: where the search points when the gazetteer
 * does not have the address itself.
 */
export async function namedPlace(c: SearchContext): Promise<SearchResult | undefined> {
  const { village, town } = c.parts;
  if (village) {
    const [hit] = await searchVillages({ ...c, folded: village, parts: { ...c.parts, road: '', rest: '' }, limit: 1 });
    if (hit && hit.match === 'exact') return hit;
  }
  if (town) {
    const [hit] = await searchTowns({ ...c, folded: town, parts: { ...c.parts, road: '', rest: '', village: null }, limit: 1 });
    if (hit && hit.match === 'exact') return hit;
  }
  return undefined;
}
