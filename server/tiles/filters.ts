import type { Principal } from '../auth/principal.js';
import { badRequest } from '../http/errors.js';
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
 * A filter is part of the tile's cache key, so only filters with a bounded set of values are
 * taken: choices, yes/no, integers and ids in their declared ranges, and times. Free text (a
 * name) would let any caller mint new keys without end; text filters are the feature listing's.
 */
export type TileFilters = ReadonlyMap<string, ListQuery>;

const NOT_FOR_TILES = new Set(['bbox', 'limit', 'cursor']);
const TIME_FILTERS = ['datetime', 'hour', 'weekday'];

/** Names a tile of these layers takes as filters, for the refusal of an unknown one. */
function tileFilterNames(layers: readonly LayerDef[], p: Principal): string[] {
  return layers.flatMap((l) => [...filterableProperties(l, p).filter((prop) => prop.type.kind !== 'text').map((prop) => prop.name),
    ...(l.temporal ? TIME_FILTERS : [])].map((name) => `${l.id}.${name}`));
}

export function parseTileFilters(layers: readonly LayerDef[], p: Principal, search: string): TileFilters {
  const byLayer = new Map<string, Record<string, string | string[]>>();
  for (const [key, value] of new URLSearchParams(search)) {
    const dot = key.indexOf('.');
    const layer = dot > 0 ? layers.find((l) => l.id === key.slice(0, dot)) : layers.length === 1 ? layers[0] : undefined;
    if (!layer) throw unknownParameter(key, tileFilterNames(layers, p));
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (NOT_FOR_TILES.has(name)) throw badRequest(`tiles take filters only; ${name} belongs to /api/layers/${layer.id}/features`, key);
    const prop = filterableProperties(layer, p).find((x) => x.name === name);
    if (prop?.type.kind === 'text') throw refusal(400, 'tile_filter_kind', { field: key, layer: layer.id }, { field: key });
    if (!prop && !(layer.temporal && TIME_FILTERS.includes(name))) throw unknownParameter(key, tileFilterNames(layers, p));
    const params = byLayer.get(layer.id) ?? {};
    const previous = params[name];
    params[name] = previous === undefined ? value : [previous, value].flat();
    byLayer.set(layer.id, params);
  }
  return new Map([...byLayer].map(([id, params]) => [id, parseListQuery(layers.find((l) => l.id === id)!, p, params)]));
}

/**
 * A filter written one way however it was asked for (parameters in any order, values
 * deduplicated and sorted, numbers and times in canonical spelling): part of the cache key,
 * whose length the checks above bound.
 */
export function filterKey(q: ListQuery): string {
  const parts = [...q.filters].map(([name, values]) => `${name}=${values.join(',')}`).sort();
  if (q.datetime) parts.push(`datetime=${q.datetime.start?.text ?? '..'}/${q.datetime.end?.text ?? '..'}`);
  if (q.hours) parts.push(`hour=${q.hours.join(',')}`);
  if (q.weekdays) parts.push(`weekday=${q.weekdays.join(',')}`);
  return parts.join('&');
}
