import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { refusal } from '../http/messages.js';
import { unknownParameter } from '../http/parameters.js';
import { filterableProperties, parseListQuery, type ListQuery } from '../features/list-query.js';
import type { LayerDef } from '../layers/types.js';

/**
 * Filters on tiles: the same property, `datetime`, `hour` and `weekday` filters as a feature
 * listing, per layer of a (composite) tile: `?incidents.type=drugs&incidents.hour=20-23`. A tile
 * of one layer takes them bare too (`/tiles/incidents/…?type=drugs`). Clusters are built from
 * the filtered rows, so the counts a map shows at low zoom are the filtered counts.
 *
 * A filter is part of the tile's cache key (filterKey), so its values are checked against the
 * registry first (a choice of the list, an integer in its range, an id, text no longer than the
 * property holds, at most MAX_FILTER_VALUES of them; see parseFilterValues) and written one way.
 */
export type TileFilters = ReadonlyMap<string, ListQuery>;

const NOT_FOR_TILES = new Set(['bbox', 'limit', 'cursor']);
const TIME_FILTERS = ['datetime', 'hour', 'weekday'];

/** Names a tile of these layers takes as filters, for the refusal of an unknown one. */
function tileFilterNames(layers: readonly LayerDef[], p: Principal): string[] {
  return layers.flatMap((l) => [...filterableProperties(l, p).map((prop) => prop.name), ...(l.temporal ? TIME_FILTERS : [])]
    .map((name) => `${l.id}.${name}`));
}

export function parseTileFilters(layers: readonly LayerDef[], p: Principal, search: string): TileFilters {
  const byLayer = new Map<string, Record<string, string | string[]>>();
  for (const [key, value] of new URLSearchParams(search)) {
    const dot = key.indexOf('.');
    const layer = dot > 0 ? layers.find((l) => l.id === key.slice(0, dot)) : layers.length === 1 ? layers[0] : undefined;
    if (!layer) throw unknownParameter(key, tileFilterNames(layers, p));
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (NOT_FOR_TILES.has(name)) throw refusal(400, 'tile_filters_only', { name, layer: layer.id }, { field: key });
    const known = filterableProperties(layer, p).some((x) => x.name === name) || (layer.temporal && TIME_FILTERS.includes(name));
    if (!known) throw unknownParameter(key, tileFilterNames(layers, p));
    const params = byLayer.get(layer.id) ?? {};
    const previous = params[name];
    params[name] = previous === undefined ? value : [previous, value].flat();
    byLayer.set(layer.id, params);
  }
  return new Map([...byLayer].map(([id, params]) => [id, parseListQuery(layers.find((l) => l.id === id)!, p, params)]));
}

/** Longest filter kept as written in a cache key; a longer one is kept as its digest. */
export const MAX_READABLE_FILTER_KEY = 200;

/**
 * A filter written one way however it was asked for (parameters in any order, values
 * deduplicated and sorted, numbers and times in canonical spelling), for the cache key. Short
 * filters stay readable (an operator can tell the keys apart); a long one, such as a hundred
 * long names, becomes its SHA-256, so no filter makes a key longer than a few dozen bytes more
 * than an unfiltered tile's.
 */
export function filterKey(q: ListQuery): string {
  const parts = [...q.filters].map(([name, values]) => `${name}=${values.join(',')}`).sort();
  if (q.datetime) parts.push(`datetime=${q.datetime.start?.text ?? '..'}/${q.datetime.end?.text ?? '..'}`);
  if (q.hours) parts.push(`hour=${q.hours.join(',')}`);
  if (q.weekdays) parts.push(`weekday=${q.weekdays.join(',')}`);
  const key = parts.join('&');
  return key.length <= MAX_READABLE_FILTER_KEY ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}
