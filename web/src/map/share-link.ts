import type * as maplibregl from 'maplibre-gl';
import type { Registry } from '../app/registry.js';
import { lastDays, RECENT_INCIDENT_DAYS } from './filter-panel.js';
import type { LayerPanel } from './layer-panel.js';
import type { TileFilters } from './tile-filters.js';

/**
 * The map's state in the page's address, after `#`: the view (`v=zoom/lat/lon`), the layers
 * switched on (`l=`) and the tile filters (`f=`, as TileFilters writes them). The address is
 * kept current as the map moves, so copying it from the browser or with 分享連結 gives a
 * colleague the same map; opening it restores all three (近 30 天 stays relative: `last30d`). What it names is checked as any
 * input is: numbers in range, layers that exist, and only filters the caller's own filter panel
 * could have set (validFilter).
 */
export interface SharedState {
  view?: { center: [number, number]; zoom: number };
  layers?: Set<string>;
  filters?: string;
}

const VIEW = /^(\d{1,2}(?:\.\d+)?)\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)$/;

export function readSharedState(hash: string, registry: Registry): SharedState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const out: SharedState = {};
  const v = VIEW.exec(q.get('v') ?? '');
  if (v) {
    const [zoom, lat, lon] = [Number(v[1]), Number(v[2]), Number(v[3])];
    if (zoom <= 22 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) out.view = { center: [lon, lat], zoom };
  }
  const l = q.get('l');
  if (l !== null) out.layers = new Set(l.split(',').filter((id) => registry.get(id.replace(/-heat$/, '')) !== undefined));
  const f = q.get('f');
  if (f !== null) {
    const given = [...new URLSearchParams(f)].map(([k, v]) => [k, fromRelative(v)] as [string, string]);
    out.filters = new URLSearchParams(given.filter(([k, v]) => validFilter(registry, k, v))).toString();
  }
  return out;
}

/**
 * A date range that starts n days ago and stays open is shared as `last<n>d`, so a link to 近 30
 * 天 opened next week shows the 30 days before then, not a range that has gone stale.
 */
const RELATIVE = /^last(\d{1,3})d$/;
const fromRelative = (v: string) => { const m = RELATIVE.exec(v); return m ? lastDays(Number(m[1])) : v; };
const toRelative = (v: string) => (v === lastDays(RECENT_INCIDENT_DAYS) ? `last${RECENT_INCIDENT_DAYS}d` : v);

/** Time filters' shapes, as the filter panel writes them (server/tiles/filters.ts checks them again). */
const TIME_FILTERS: Record<string, RegExp> = {
  datetime: /^(\d{4}-\d{2}-\d{2}|\.\.)\/(\d{4}-\d{2}-\d{2}|\.\.)$/,
  hour: /^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/,
  weekday: /^[1-7](,[1-7]){0,6}$/,
};

/**
 * Whether a filter of a link is one this caller's filter panel could have set: a choice property
 * of a layer it reads, with known choices, or a time filter of a layer with a time, well formed.
 * Anything else would make the tile server refuse every tile, and the whole map go blank.
 */
function validFilter(registry: Registry, key: string, value: string): boolean {
  const [layerId, param, ...rest] = key.split('.');
  const layer = registry.get(layerId ?? '');
  if (!layer || !param || rest.length) return false;
  if (param in TIME_FILTERS) return !!layer.temporal && TIME_FILTERS[param]!.test(value);
  const prop = layer.properties.find((p) => p.name === param && p.type === 'enum' && !p.derived);
  const choices = new Set(prop?.choices?.map((c) => c.value));
  return !!prop && value.split(',').every((v) => choices.has(v));
}

/** The address of the map as it is now. */
export function sharedUrl(map: maplibregl.Map, layers: LayerPanel, filters: TileFilters): string {
  const c = map.getCenter();
  const f = new URLSearchParams([...new URLSearchParams(filters.query())].map(([k, v]) => [k, k.endsWith('.datetime') ? toRelative(v) : v]));
  const q = new URLSearchParams({ v: `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`, l: layers.shown().join(','), f: f.toString() });
  // A scanned patrol code (?signin=) is never passed on.
  const search = new URLSearchParams(location.search);
  search.delete('signin');
  const rest = search.toString();
  return `${location.origin}${location.pathname}${rest ? `?${rest}` : ''}#${q.toString()}`;
}

/** Keeps the page's address the map's (without adding a history entry per move). */
export function keepAddressCurrent(map: maplibregl.Map, layers: LayerPanel, filters: TileFilters): void {
  const update = () => history.replaceState(history.state, '', sharedUrl(map, layers, filters));
  map.on('moveend', update);
  layers.onChange = update;
  filters.onChange = update;
}
