import type * as maplibregl from 'maplibre-gl';
import type { VectorTileSource } from 'maplibre-gl';

/**
 * Filters on the map's tiles, sent to the tile server (server/tiles/filters.ts) as
 * `<layer>.<parameter>=<value>`: the server filters before it clusters, so the counts shown at
 * low zoom are the filtered ones too.
 */
export class TileFilters {
  private readonly values = new Map<string, string>();

  /** Called after the filters are applied to the map (a share link follows them). */
  onChange: () => void = () => {};

  /** Takes the filters of a query as query() writes it (a share link's). */
  load(query: string): void {
    for (const [key, value] of new URLSearchParams(query)) {
      const dot = key.indexOf('.');
      if (dot > 0) this.set(key.slice(0, dot), key.slice(dot + 1), value);
    }
  }

  /** Sets one parameter of one layer; an empty value removes it. */
  set(layer: string, param: string, value: string | undefined): void {
    const key = `${layer}.${param}`;
    if (value) this.values.set(key, value);
    else this.values.delete(key);
  }

  get(layer: string, param: string): string | undefined {
    return this.values.get(`${layer}.${param}`);
  }

  /** How many parameters are set for a layer (for a badge on its filter group). */
  count(layer: string): number {
    return [...this.values.keys()].filter((k) => k.startsWith(`${layer}.`)).length;
  }

  query(): string {
    const q = new URLSearchParams([...this.values].sort(([a], [b]) => a.localeCompare(b)));
    return q.toString();
  }

  /** Points the map's tile source at the filtered tiles; tiles already drawn are fetched again. */
  apply(map: maplibregl.Map, sourceId = 'emap'): void {
    const source = map.getSource(sourceId) as VectorTileSource | undefined;
    if (!source?.tiles?.[0]) return;
    const base = source.tiles[0].split('?')[0]!;
    const q = this.query();
    source.setTiles([q ? `${base}?${q}` : base]);
    this.onChange();
  }
}

/** Asks the map to fetch its tiles again (after an edit), keeping the filters. */
export function reloadTiles(map: maplibregl.Map, sourceId = 'emap'): void {
  const source = map.getSource(sourceId) as VectorTileSource | undefined;
  if (source?.tiles) source.setTiles([...source.tiles]);
}
