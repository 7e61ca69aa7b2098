import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { positionProblem } from '../geo/taiwan.js';
import type { MessageCode, ParamsOf } from '../http/messages.js';
import { readableRows } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';
import { rowIssue, type RowIssue } from './issues.js';
import type { CrsReport } from './positions.js';
import type { Candidate } from './rows.js';
import type { Matched } from './targets.js';

/**
 * The address gazetteer's import (layer addresses): 門牌 points as the cities publish them,
 * with the whole address in one column or in the 戶政 columns (村里, 鄰, 街路段, 地區, 巷,
 * 弄, 號), which are put together here. Each row's address is taken apart as the database
 * does it (address_parts, sql/migrations/055_addresses.sql) and checked against where its
 * point lies: a point outside the district its address names is an error, outside the village
 * a warning, and a file whose points mostly miss their areas but would fall inside them read
 * in the other datum (TWD67 for TWD97 or back) is refused with the crs to send. A 門牌 is known
 * by its address: two rows with one address are reported, and a row whose address the
 * gazetteer already has updates that point rather than adding another.
 */

export const isAddressLayer = (layer: LayerDef) => layer.id === 'addresses';

/** The parts of an address the open data gives in columns, in the order they are written. */
const PARTS = ['village', 'neighbourhood', 'street', 'area', 'lane', 'alley', 'number'] as const;

/** Whether a file without an address column still gives one, from its 號 column (and the others). */
export const addressFromParts = (layer: LayerDef, property: string, mapped: ReadonlySet<string>) =>
  isAddressLayer(layer) && property === 'address' && mapped.has('number');

/** A part as it is written in an address: 「007」 in the 鄰 column is 7鄰, 「322」 in the 巷 column 322巷. */
function written(part: (typeof PARTS)[number], value: string): string {
  const suffix = { neighbourhood: '鄰', lane: '巷', alley: '弄', number: '號' }[part as string];
  if (!suffix || !/\d$/.test(value)) return value;
  return part === 'neighbourhood' ? `${Number(value.replace(/\D+$/, '')) || value}${suffix}` : `${value}${suffix}`;
}

/** Rows without an address get theirs from the part columns; rows with neither are refused. */
export function composeAddresses(layer: LayerDef, candidates: readonly Candidate[]): void {
  if (!isAddressLayer(layer)) return;
  for (const c of candidates) {
    const given = c.properties.address;
    if (typeof given === 'string' && given.trim() !== '') continue;
    const parts = PARTS.map((name) => [name, c.properties[name]] as const)
      .filter((x): x is readonly [(typeof PARTS)[number], string] => typeof x[1] === 'string' && x[1].trim() !== '')
      .map(([name, value]) => written(name, value.trim().normalize('NFKC')));
    if (parts.length === 0) c.errors.push(issue('address_empty', undefined, 'properties.address'));
    else c.properties.address = parts.join('');
  }
}

function issue<C extends MessageCode>(code: C, params: ParamsOf<C>, field: string): RowIssue {
  return rowIssue(code, params, { field });
}

/** Within this many metres of the district or village its address names, a point is in it. */
const TOLERANCE_M = 30;
/** The datum is questioned when this share of the rows that name an area miss it… */
const SUSPECT_SHARE = 0.25;
/** …and the other datum is proposed when it puts this share inside, from at least this many rows. */
const CONVINCING_SHARE = 0.8;
const MIN_ROWS = 5;
/** Rows the other datum is tried on. */
const SAMPLE = 1000;

interface Checked {
  n: number;
  key: string;
  identity: string;
  house: number | null;
  named_town: string | null;
  named_village: string | null;
  located_town: string | null;
  located_village: string | null;
  /** Metres from the named district / village: 0 inside, null when the address names none the database knows. */
  town_metres: number | null;
  village_metres: number | null;
  lon: number;
  lat: number;
}

export interface GazetteerCheck {
  /** The key and identity (IDENTITY) of each row, by candidate index, that may be written. */
  identities: Map<number, { key: string; identity: string }>;
  /** Problems with the file as a whole (the datum). */
  fileErrors: RowIssue[];
}

const BATCH = 5000;

/** SQL: what makes two rows the same 門牌: district, key, floor and room, and 鄰 where there is no road. */
const IDENTITY = (town: string, key: string, unit: string, road: string, lin: string) =>
  `concat_ws('|', coalesce(${town}, ''), ${key}, ${unit}, CASE WHEN ${road} = '' THEN ${lin}::text ELSE '' END)`;

async function checkBatch(db: Queryable, rows: { n: number; address: string; lon: number; lat: number }[]): Promise<Checked[]> {
  const { rows: out } = await db.query<Checked>(
    `SELECT x.n, x.lon, x.lat, c.key, ${IDENTITY('c.town', 'c.key', 'c.unit', 'c.road', 'c.lin')} AS identity, c.house,
            p.town AS named_town, p.village AS named_village, lt.name AS located_town, lv.name AS located_village,
            CASE WHEN p.town IS NULL THEN NULL WHEN p.town = search_fold(lt.name) THEN 0 ELSE
              (SELECT round(min(ST_Distance(t.geom::geography, pt.g::geography)))::int FROM towns t
                WHERE t.deleted_at IS NULL AND t.name_key = p.town AND (p.county IS NULL OR t.county_key = p.county)) END AS town_metres,
            CASE WHEN p.village IS NULL THEN NULL WHEN p.village = search_fold(lv.name) THEN 0 ELSE
              (SELECT round(min(ST_Distance(v.geom::geography, pt.g::geography)))::int FROM villages v
                WHERE v.deleted_at IS NULL AND v.name_key = p.village AND v.town_key = coalesce(p.town, search_fold(lt.name))) END AS village_metres
       FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[]) AS x(n, address, lon, lat)
       CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) AS g OFFSET 0) pt
       CROSS JOIN LATERAL address_parts(x.address) p
       LEFT JOIN LATERAL locate_town(pt.g) lt ON true
       LEFT JOIN LATERAL locate_village(pt.g) lv ON true
       CROSS JOIN LATERAL address_completed(p, lt.name, lt.county_name, search_fold(lv.name)) c`,
    [rows.map((r) => r.n), rows.map((r) => r.address), rows.map((r) => r.lon), rows.map((r) => r.lat)]);
  return out;
}

/** Which area a row is held to: its village when the database knows it, else its district. */
const heldTo = (r: Checked): 'village' | 'town' | undefined => (r.village_metres !== null ? 'village' : r.town_metres !== null ? 'town' : undefined);
const misses = (r: Checked) => (heldTo(r) === 'village' ? r.village_metres! : r.town_metres ?? 0) > TOLERANCE_M;

const OTHER_DATUM: Partial<Record<string, { srid: number; crs: string; name: string }>> = {
  'EPSG:3826': { srid: 3828, crs: 'EPSG:3828', name: 'TWD67' },
  'EPSG:3828': { srid: 3826, crs: 'EPSG:3826', name: 'TWD97' },
};

/** The share of rows that would lie in the area they name, had their metres been read in the other datum. */
async function shareInOtherDatum(db: Queryable, rows: readonly Checked[], read: number): Promise<number> {
  const { rows: [r] } = await db.query<{ inside: number }>(
    `SELECT count(*) FILTER (WHERE CASE WHEN x.village IS NOT NULL
              THEN EXISTS (SELECT 1 FROM villages v WHERE v.deleted_at IS NULL AND v.name_key = x.village
                              AND v.town_key = coalesce(x.town, search_fold(x.located_town)) AND ST_DWithin(v.geom::geography, a.g::geography, $6))
              ELSE EXISTS (SELECT 1 FROM towns t WHERE t.deleted_at IS NULL AND t.name_key = x.town AND ST_DWithin(t.geom::geography, a.g::geography, $6)) END)::int AS inside
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[]) AS x(town, village, located_town, lon, lat)
       CROSS JOIN LATERAL (SELECT datum_misread(ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326), $7) AS g) a`,
    [rows.map((x) => x.named_town), rows.map((x) => (heldTo(x) === 'village' ? x.named_village : null)), rows.map((x) => x.located_town),
      rows.map((x) => x.lon), rows.map((x) => x.lat), TOLERANCE_M, read]);
  return r!.inside / rows.length;
}

const percent = (share: number) => Math.round(share * 100);

/**
 * Checks the rows that are placed and error-free: a house number, the named district and
 * village against the point, the datum, and rows that repeat an earlier row's 門牌.
 */
export async function checkAddresses(db: Queryable, layer: LayerDef, candidates: readonly Candidate[], geometries: readonly (object | undefined)[],
  crs: CrsReport | undefined): Promise<GazetteerCheck | undefined> {
  if (!isAddressLayer(layer)) return undefined;
  const rows = candidates.flatMap((c, i) => {
    const g = geometries[i] as { type?: string; coordinates?: [number, number] } | undefined;
    // A point off Taiwan is refused as such when the row is validated, not for its district.
    return c.errors.length === 0 && typeof c.properties.address === 'string' && g?.type === 'Point' && !positionProblem(...g.coordinates!)
      ? [{ n: i, address: c.properties.address, lon: g.coordinates![0], lat: g.coordinates![1] }] : [];
  });
  const checked: Checked[] = [];
  for (let from = 0; from < rows.length; from += BATCH) checked.push(...await checkBatch(db, rows.slice(from, from + BATCH)));

  const fileErrors: RowIssue[] = [];
  const named = checked.filter((r) => heldTo(r) !== undefined);
  const missed = named.filter(misses);
  const other = crs ? OTHER_DATUM[crs.crs] : undefined;
  if (other && named.length >= MIN_ROWS && missed.length / named.length >= SUSPECT_SHARE) {
    const sample = named.filter((_, k) => k % Math.ceil(named.length / SAMPLE) === 0);
    const inside = await shareInOtherDatum(db, sample, Number(crs!.crs.slice(5)));
    const now = 1 - missed.length / named.length;
    if (inside >= CONVINCING_SHARE && inside - now >= 0.3) {
      fileErrors.push(issue('address_datum', { read: crs!.name, likely: other.name, outside: percent(1 - now), inside: percent(inside), crs: other.crs }, 'crs'));
    }
  }

  const identities = new Map<number, { key: string; identity: string }>();
  const first = new Map<string, number>();
  for (const r of checked) {
    const c = candidates[r.n]!;
    const address = String(c.properties.address);
    if (r.house === null) {
      c.errors.push(issue('address_no_number', { address }, 'properties.address'));
      continue;
    }
    if (r.town_metres !== null && r.town_metres > TOLERANCE_M) {
      c.errors.push(issue('address_outside_town', { named: r.named_town!, located: r.located_town ?? '', metres: r.town_metres }, 'geometry'));
      continue;
    }
    if (r.village_metres !== null && r.village_metres > TOLERANCE_M) {
      c.warnings.push(issue('address_outside_village', { named: r.named_village!, located: r.located_village ?? '', metres: r.village_metres }, 'geometry'));
    }
    const earlier = first.get(r.identity);
    if (earlier !== undefined) {
      c.errors.push(issue('address_duplicate', { row: candidates[earlier]!.row, address }, 'properties.address'));
      continue;
    }
    first.set(r.identity, r.n);
    identities.set(r.n, { key: r.key, identity: r.identity });
  }
  return { identities, fileErrors };
}

/**
 * Rows whose 門牌 the gazetteer already has (and the import has not matched otherwise) update
 * it: a city's new file moves the points that moved and adds the new ones.
 */
export async function matchAddresses(tx: Queryable, layer: LayerDef, p: Principal, check: GazetteerCheck | undefined, matched: Matched[]): Promise<void> {
  if (!check) return;
  const open = [...check.identities].filter(([n]) => matched[n]!.action === 'create' && matched[n]!.target === undefined);
  if (open.length === 0) return;
  const params: unknown[] = [open.map(([n]) => n), open.map(([, r]) => r.key), open.map(([, r]) => r.identity)];
  const { rows } = await tx.query<{ n: number; id: string | number }>(
    `SELECT k.n, a.id
       FROM unnest($1::int[], $2::text[], $3::text[]) AS k(n, key, identity)
       CROSS JOIN LATERAL (SELECT a.id FROM addresses a
                            WHERE a.deleted_at IS NULL AND a.addr_key = k.key
                              AND ${IDENTITY('a.addr_town', 'a.addr_key', 'a.addr_unit', 'a.addr_road', 'a.addr_lin')} = k.identity
                              AND ${readableRows(layer, p, params, 'a')}
                            ORDER BY a.id LIMIT 1) a`, params);
  for (const r of rows) matched[r.n] = { target: Number(r.id), action: 'update' };
}
