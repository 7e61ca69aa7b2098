import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import type { Geometry } from 'geojson';

/** What the search box lists, grouped in this order when their matches are equally good. */
export const SEARCH_KINDS = ['address', 'village', 'town', 'unit', 'beat', 'feature'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** [west, south, east, north] in degrees. */
export type BBox = [number, number, number, number];

/** How a result matched: the whole text, its start, inside it; or a place standing in for an address not found. */
export type Match = 'exact' | 'prefix' | 'partial' | 'approximate';
export const MATCH_ORDER: readonly Match[] = ['exact', 'prefix', 'partial', 'approximate'];

export interface SearchResult {
  kind: SearchKind;
  /** The registry layer and feature the result is (a road's addresses have no single feature). */
  layer: string;
  id?: number;
  name: string;
  /** What tells results of the same name apart: district and city, unit kind and address, layer. */
  label: string;
  bbox: BBox;
  /** Villages, towns, beats and areas simplified for an outline; points to mark; a road's addresses. */
  geometry?: Geometry;
  match: Match;
  /** Set when the result stands in for an address the gazetteer lacks; `note` says what it is. */
  approximate?: true;
  note?: string;
  [more: string]: unknown;
}

/** What every kind's search is given: the text as typed, folded (search_fold), and as an address. */
export interface SearchContext {
  db: Db;
  p: Principal;
  q: string;
  folded: string;
  parts: AddressParts;
  /** Results per kind. */
  limit: number;
}

/** address_parts() of the text (sql/migrations/055_addresses.sql). */
export interface AddressParts {
  county: string | null;
  town: string | null;
  village: string | null;
  lin: number | null;
  road: string;
  rest: string;
  house: number | null;
  key: string;
  unit: string;
}

/** `%` and `_` typed into the box are letters, not wildcards. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** SQL columns w, s, e, n: the box of geometry expression `g`. */
export const bboxColumns = (g: string) => `ST_XMin(${g}) AS w, ST_YMin(${g}) AS s, ST_XMax(${g}) AS e, ST_YMax(${g}) AS n`;

/**
 * SQL column `geometry`: area `g` as GeoJSON for an outline, simplified to about a 500th of its
 * size (a village: a few metres) and written to 6 decimals (10 cm).
 */
export const outlineColumn = (g: string) =>
  `ST_AsGeoJSON(ST_SimplifyPreserveTopology(${g}, greatest(ST_XMax(${g}) - ST_XMin(${g}), ST_YMax(${g}) - ST_YMin(${g})) / 500), 6)::json AS geometry`;

/**
 * SQL expression: how folded text `column` matches the folded query ($exact, and the pattern
 * $prefix = 'text%'), as the index of its Match in MATCH_ORDER (0 whole, 1 start, 2 inside);
 * `alsoExact` is another condition that counts as whole.
 */
export const rankCase = (column: string, exact: string, prefix: string, alsoExact?: string) =>
  `CASE WHEN ${column} = ${exact}${alsoExact ? ` OR ${alsoExact}` : ''} THEN 0 WHEN ${column} LIKE ${prefix} THEN 1 ELSE 2 END`;

export const matchOf = (rank: number): Match => MATCH_ORDER[rank]!;

export interface BoxRow { w: number; s: number; e: number; n: number }
export const bboxOf = (r: BoxRow): BBox => [r.w, r.s, r.e, r.n];
