import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { searchAddresses } from './addresses.js';
import { searchFeatures } from './features.js';
import { searchTowns, searchVillages } from './places.js';
import { MATCH_ORDER, SEARCH_KINDS, type AddressParts, type SearchContext, type SearchKind, type SearchResult } from './results.js';
import { searchBeats, searchUnits } from './units.js';

/**
 * The search box: one text, every kind of place it may name — addresses, 村里, 鄉鎮市區,
 * police units, beats and the features the caller may read — each kind searched by its own
 * rules (server/search/*.ts) in what the caller may read, then put together: kinds whose best
 * result matches best come first (a whole name before a start, a start before a part, a place
 * standing in for an address last), kinds equally good in SEARCH_KINDS order, and within a kind
 * the order it found them in.
 */

const KINDS: Record<SearchKind, (c: SearchContext) => Promise<SearchResult[]>> = {
  address: searchAddresses,
  village: searchVillages,
  town: searchTowns,
  unit: searchUnits,
  beat: searchBeats,
  feature: searchFeatures,
};

const rank = (r: SearchResult) => MATCH_ORDER.indexOf(r.match);

export async function search(db: Db, p: Principal, q: string, limit: number): Promise<SearchResult[]> {
  const { rows } = await db.query<{ folded: string; parts: AddressParts }>(
    'SELECT search_fold($1) AS folded, to_json(a) AS parts FROM address_parts($1) a', [q]);
  const { folded, parts } = rows[0]!;
  const context: SearchContext = { db, p, q, folded, parts, limit };
  const found = await Promise.all(SEARCH_KINDS.map((kind) => KINDS[kind](context)));
  const groups = found.map((results, order) => ({ results, order, best: Math.min(...results.map(rank)) })).filter((g) => g.results.length > 0);
  groups.sort((a, b) => a.best - b.best || a.order - b.order);
  return groups.flatMap((g) => g.results);
}
