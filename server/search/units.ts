import type { Geometry } from 'geojson';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { POLICE_UNIT_KINDS } from '../layers/vocabularies.js';
import { bboxColumns, bboxOf, escapeLike, matchOf, outlineColumn, rankCase, type BoxRow, type SearchContext, type SearchResult } from './results.js';

/**
 * Police units: 分局, 派出所 and the others by name, unit code or address, as the police-units
 * layer has them (with address and phone, to call or visit); 警勤區 by code or name, with the
 * station they belong to and their outline.
 */

interface UnitRow extends BoxRow {
  id: string | number; name: string; kind: string; unit_code: string | null; address: string | null; phone: string | null;
  geometry: Geometry; rank: number;
}

const kindLabel = (kind: string) => POLICE_UNIT_KINDS.find((k) => k.value === kind)?.label ?? kind;

export async function searchUnits(c: SearchContext): Promise<SearchResult[]> {
  const layer = findLayer('police-units')!;
  if (!canRead(layer, c.p)) return [];
  const params: unknown[] = [c.folded, `${escapeLike(c.folded)}%`, `%${escapeLike(c.folded)}%`, c.limit];
  const { rows } = await c.db.query<UnitRow>(
    `SELECT u.id, u.name, u.kind, u.unit_code, u.address, u.phone, ${bboxColumns('u.geom')}, ST_AsGeoJSON(u.geom, 7)::json AS geometry,
            ${rankCase('search_fold(u.name)', '$1', '$2', 'lower(u.unit_code) = $1')} AS rank
       FROM police_units u
      WHERE u.deleted_at IS NULL AND ${readableRows(layer, c.p, params, 'u')}
        AND (search_fold(u.name) LIKE $3 OR search_fold(u.address) LIKE $3 OR lower(u.unit_code) LIKE $2)
      ORDER BY rank, u.unit_code NULLS LAST, u.name
      LIMIT $4`, params);
  return rows.map((r) => ({
    kind: 'unit', layer: layer.id, id: Number(r.id), name: r.name,
    label: [kindLabel(r.kind), r.address].filter(Boolean).join('・'),
    unitKind: r.kind, unitCode: r.unit_code, address: r.address, phone: r.phone,
    bbox: bboxOf(r), geometry: r.geometry, match: matchOf(r.rank),
  }));
}

interface BeatRow extends BoxRow { id: string | number; code: string; name: string; station_code: string; station: string | null; geometry: Geometry; rank: number }

export async function searchBeats(c: SearchContext): Promise<SearchResult[]> {
  const layer = findLayer('beats')!;
  const stations = findLayer('stations')!;
  if (!canRead(layer, c.p)) return [];
  const params: unknown[] = [c.folded, `${escapeLike(c.folded)}%`, `%${escapeLike(c.folded)}%`, c.limit];
  const { rows } = await c.db.query<BeatRow>(
    `SELECT b.id, b.code, b.name, b.station_code, s.name AS station, ${bboxColumns('b.geom')}, ${outlineColumn('b.geom')},
            ${rankCase('lower(b.code)', '$1', '$2', 'search_fold(b.name) = $1')} AS rank
       FROM beats b
       LEFT JOIN stations s ON s.code = b.station_code AND s.deleted_at IS NULL AND ${readableRows(stations, c.p, params, 's')}
      WHERE b.deleted_at IS NULL AND ${readableRows(layer, c.p, params, 'b')}
        AND (lower(b.code) LIKE $2 OR search_fold(b.name) LIKE $3)
      ORDER BY rank, b.code
      LIMIT $4`, params);
  return rows.map((r) => ({
    kind: 'beat', layer: layer.id, id: Number(r.id), code: r.code, name: r.name,
    label: [r.code, r.station].filter(Boolean).join('・'), stationCode: r.station_code,
    bbox: bboxOf(r), geometry: r.geometry, match: matchOf(r.rank),
  }));
}
