import type { Geometry } from 'geojson';
import type { Queryable } from '../db/db.js';
import { message } from '../http/messages.js';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { namedPlace } from './places.js';
import { bboxColumns, bboxOf, escapeLike, type AddressParts, type BoxRow, type SearchContext, type SearchResult } from './results.js';

/**
 * Addresses in the gazetteer (the addresses layer), matched on the key address_parts() makes of
 * both the text and each 門牌 (sql/migrations/055_addresses.sql), so 臺/台, full-width digits,
 * 二段/2段, 之/-, floors and rooms, and a county or district written or left out all find the
 * same point; where the text names a district or county, only that one's. A road typed whole
 * finds the road (its addresses' extent, per district); a text typed part-way, the addresses
 * that start with it. An address the gazetteer lacks is stood in for, in this order, by the
 * nearest number on the same street (odd and even numbers are the two sides of a street), the
 * road, the village or the district it names: `approximate`, with a note saying so.
 */

/** Points drawn for a road: enough to show where it runs. */
const ROAD_POINTS = 200;
/** Addresses starting with the text read (in key order) before the shortest are picked: type-ahead stays one index range. */
const PREFIX_READ = 20;

export async function parseAddress(db: Queryable, text: string): Promise<AddressParts> {
  const { rows } = await db.query<{ parts: AddressParts }>('SELECT to_json(p) AS parts FROM address_parts($1) p', [text]);
  return rows[0]!.parts;
}

/** Text with a road, a numbered rest, or digits in it: worth looking up in the gazetteer. */
const looksLikeAddress = (parts: AddressParts) => parts.rest !== '' || /[路街道巷弄衖段]|\d/.test(parts.road);

/** SQL conditions: the district, county and (for addresses without a road) 鄰 the text names. */
function within(parts: AddressParts, params: unknown[]): string {
  params.push(parts.town, parts.county, parts.lin);
  const n = params.length;
  return `($${n - 2}::text IS NULL OR a.addr_town = $${n - 2}) AND ($${n - 1}::text IS NULL OR a.addr_county = $${n - 1})
      AND ($${n}::int IS NULL OR a.addr_road <> '' OR a.addr_lin = $${n})`;
}

interface PointRow extends BoxRow { id: string | number; address: string; county_name: string | null; town_name: string | null; geometry: Geometry }

const POINT_COLUMNS = `a.id, a.address, a.county_name, a.town_name, ${bboxColumns('a.geom')}, ST_AsGeoJSON(a.geom, 7)::json AS geometry`;

const pointResult = (layer: LayerDef, r: PointRow, match: SearchResult['match']): SearchResult => ({
  kind: 'address', layer: layer.id, id: Number(r.id), name: r.address, label: `${r.county_name ?? ''}${r.town_name ?? ''}`,
  bbox: bboxOf(r), geometry: r.geometry, match,
});

/**
 * The 門牌 whose key is `condition` ($1), one per district and key (the plain number before its
 * floors and rooms: 5號 before 5號3樓), of the first `read` keys in key order, shortest first.
 * The keys come first, distinct, straight off the index in its order, so a common start stops
 * after `read` of them instead of sorting every address it covers.
 */
async function points(c: SearchContext, layer: LayerDef, parts: AddressParts, condition: string, value: string, read: number): Promise<PointRow[]> {
  const params: unknown[] = [value, c.limit, read];
  const where = `a.deleted_at IS NULL AND ${within(parts, params)} AND ${readableRows(layer, c.p, params, 'a')}`;
  const { rows } = await c.db.query<PointRow>(
    `WITH keys AS (SELECT DISTINCT a.addr_key FROM addresses a WHERE ${condition} AND ${where} ORDER BY a.addr_key LIMIT $3)
     SELECT * FROM (
       SELECT DISTINCT ON (a.addr_key, a.addr_town) ${POINT_COLUMNS}, a.addr_key
         FROM keys JOIN addresses a ON a.addr_key = keys.addr_key
        WHERE ${where}
        ORDER BY a.addr_key, a.addr_town, a.addr_unit <> '', a.id) found
      ORDER BY length(addr_key), addr_key LIMIT $2`, params);
  return rows;
}

const exact = async (c: SearchContext, layer: LayerDef, parts: AddressParts) =>
  parts.key === '' ? [] : (await points(c, layer, parts, 'a.addr_key = $1', parts.key, c.limit)).map((r) => pointResult(layer, r, 'exact'));

const startingWith = async (c: SearchContext, layer: LayerDef, parts: AddressParts) =>
  (await points(c, layer, parts, 'a.addr_key LIKE $1', `${escapeLike(parts.key)}%`, Math.max(PREFIX_READ, c.limit)))
    .map((r) => pointResult(layer, r, 'prefix'));

interface RoadRow extends BoxRow { county_name: string | null; town_name: string | null; count: number; geometry: Geometry }

/** A road's addresses, per district: how many, their extent, and (up to 500) the points. */
async function roads(c: SearchContext, layer: LayerDef, parts: AddressParts): Promise<RoadRow[]> {
  const params: unknown[] = [parts.road, c.limit, ROAD_POINTS];
  const { rows } = await c.db.query<RoadRow>(
    `SELECT min(a.county_name) AS county_name, min(a.town_name) AS town_name, count(*)::int AS count,
            ${bboxColumns('ST_Extent(a.geom)')},
            ST_AsGeoJSON(ST_Collect((array_agg(a.geom ORDER BY a.house_number, a.id))[1:$3]), 7)::json AS geometry
       FROM addresses a
      WHERE a.deleted_at IS NULL AND a.addr_road = $1 AND ${within(parts, params)} AND ${readableRows(layer, c.p, params, 'a')}
      GROUP BY a.addr_town
      ORDER BY count(*) DESC, a.addr_town
      LIMIT $2`, params);
  return rows;
}

const roadResult = (layer: LayerDef, road: string, r: RoadRow, note?: string): SearchResult => ({
  kind: 'address', layer: layer.id, name: road, label: `${r.county_name ?? ''}${r.town_name ?? ''}・${r.count} 筆門牌`, addresses: r.count,
  bbox: bboxOf(r), geometry: r.geometry, match: note ? 'approximate' : 'exact', ...(note ? { approximate: true as const, note } : {}),
});

/** The 門牌 on the same street (road, 巷, 弄) whose number is nearest, on the same side if about as near. */
async function nearestNumber(c: SearchContext, layer: LayerDef, parts: AddressParts): Promise<PointRow | undefined> {
  const params: unknown[] = [parts.key.replace(/\d+(?:-\d+)?號$/, ''), parts.house];
  const { rows } = await c.db.query<PointRow>(
    `SELECT ${POINT_COLUMNS}
       FROM addresses a
      WHERE a.deleted_at IS NULL AND a.house_number IS NOT NULL AND a.addr_street = $1
        AND ${within(parts, params)} AND ${readableRows(layer, c.p, params, 'a')}
      ORDER BY abs(a.house_number - $2) + CASE WHEN a.house_number % 2 <> $2 % 2 THEN 2 ELSE 0 END, a.house_number, a.addr_unit <> '', a.id
      LIMIT 1`, params);
  return rows[0];
}

export async function searchAddresses(c: SearchContext): Promise<SearchResult[]> {
  const layer = findLayer('addresses')!;
  const { parts } = c;
  if (!canRead(layer, c.p) || !looksLikeAddress(parts)) return [];
  // 「延平路607」: a number at the end is a house number, 號 or not.
  if (parts.rest === '' && /\d$/.test(parts.road)) {
    const found = await exact(c, layer, await parseAddress(c.db, `${c.q}號`));
    if (found.length) return found;
  }
  const found = await exact(c, layer, parts);
  if (found.length) return found;
  if (parts.rest === '') {
    const whole = await roads(c, layer, parts);
    return whole.length ? whole.map((r) => roadResult(layer, parts.road, r)) : startingWith(c, layer, parts);
  }
  if (parts.house === null) return startingWith(c, layer, parts);

  const nearest = parts.road !== '' ? await nearestNumber(c, layer, parts) : undefined;
  if (nearest) {
    return [{ ...pointResult(layer, nearest, 'approximate'), approximate: true, note: message('search_nearest_number', { asked: c.q, found: nearest.address }) }];
  }
  const [road] = parts.road !== '' ? await roads(c, layer, parts) : [];
  if (road) return [roadResult(layer, parts.road, road, message('search_road_extent', { asked: c.q, road: parts.road, count: road.count }))];
  const place = await namedPlace(c);
  if (!place) return [];
  const note = place.kind === 'village' ? message('search_village_fallback', { asked: c.q, village: place.name })
    : message('search_town_fallback', { asked: c.q, town: place.name });
  return [{ ...place, match: 'approximate', approximate: true, note }];
}
