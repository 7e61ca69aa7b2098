import type { Principal } from '../auth/principal.js';
import { badRequest } from '../http/errors.js';
import { parseListQuery, type ListQuery } from '../features/list-query.js';
import type { LayerDef } from '../layers/types.js';

/**
 * Filters on tiles: the same property, `datetime`, `hour` and `weekday` filters as a feature
 * listing, per layer of a (composite) tile: `?incidents.type=drugs&incidents.hour=20-23`. A tile
 * of one layer takes them bare too (`/tiles/incidents/…?type=drugs`). Clusters are built from
 * the filtered rows, so the counts a map shows at low zoom are the filtered counts.
 */
export type TileFilters = ReadonlyMap<string, ListQuery>;

const NOT_FOR_TILES = new Set(['bbox', 'limit', 'cursor']);

export function parseTileFilters(layers: readonly LayerDef[], p: Principal, search: string): TileFilters {
  const byLayer = new Map<string, Record<string, string | string[]>>();
  for (const [key, value] of new URLSearchParams(search)) {
    const dot = key.indexOf('.');
    const layer = dot > 0 ? layers.find((l) => l.id === key.slice(0, dot)) : layers.length === 1 ? layers[0] : undefined;
    if (!layer) {
      throw badRequest(`tile filter "${key}" names no layer of this tile; write it as <layer>.<property>, e.g. incidents.type=drugs`, key);
    }
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (NOT_FOR_TILES.has(name)) throw badRequest(`tiles take filters only; ${name} belongs to /api/layers/${layer.id}/features`, key);
    const params = byLayer.get(layer.id) ?? {};
    const previous = params[name];
    params[name] = previous === undefined ? value : [previous, value].flat();
    byLayer.set(layer.id, params);
  }
  return new Map([...byLayer].map(([id, params]) => [id, parseListQuery(layers.find((l) => l.id === id)!, p, params)]));
}

/** A filter written the same way however its parameters were ordered: part of the cache key. */
export function filterKey(q: ListQuery): string {
  const parts = [...q.filters].map(([name, values]) => `${name}=${[...values].sort().join(',')}`).sort();
  if (q.datetime) parts.push(`datetime=${q.datetime.start ?? '..'}/${q.datetime.end ?? '..'}`);
  if (q.hours) parts.push(`hour=${q.hours.join(',')}`);
  if (q.weekdays) parts.push(`weekday=${q.weekdays.join(',')}`);
  return parts.join('&');
}
