import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { AppConfig } from '../app/config.js';
import type { Registry } from '../app/registry.js';
import { api } from '../lib/api.js';
import { addAttribution, BasemapSwitcher, initialBasemap, quietMissingBasemapTiles, setBasemap } from './basemaps.js';
import { drawMissingIcons } from './icons.js';
import { MAP_LOCALE } from './locale.js';

maplibregl.setWorkerUrl(workerUrl);
// MapLibre's worker (132 kB) is fetched and started now, beside the page's first API calls,
// rather than when the map is made.
maplibregl.prewarm();

export interface MapOptions {
  container: HTMLElement;
  config: AppConfig;
  registry: Registry;
  /** Keep the drawn frame so it can be copied into a printout or PNG. */
  preserveDrawingBuffer?: boolean;
  /**
   * Offer the deployment's basemaps in a switcher, starting on the one last chosen (or the
   * default); without it the map draws the service's own layers alone.
   */
  basemapSwitcher?: boolean;
  /** Where the map opens (west, south, east, north): the caller's own area; the deployment's extent otherwise. */
  bounds?: Promise<[number, number, number, number] | undefined>;
  /** A view to open on instead (a share link's), over the bounds. */
  view?: { center: [number, number]; zoom: number };
  /**
   * Filters for the service's tiles (TileFilters.query), added to tile requests that carry none
   * yet, so the first tiles drawn are already filtered.
   */
  tileQuery?: () => string;
}

/**
 * A MapLibre map drawing the service's style for the signed-in caller (/tiles/style.json: only
 * the layers and properties the role may read), with a basemap beneath when the view offers them.
 */
export async function createMap(opts: MapOptions): Promise<maplibregl.Map> {
  const [style, bounds] = await Promise.all([api.get<StyleSpecification>('/tiles/style.json'), opts.bounds]);
  const map = new maplibregl.Map({
    // Labels are drawn on the device (the style has no glyphs URL), in the fonts the style names.
    container: opts.container,
    style,
    ...(opts.view ?? { bounds: bounds ?? opts.config.extent ?? [120.0, 22.8, 120.5, 23.2], fitBoundsOptions: { padding: bounds ? 40 : 20 } }),
    transformRequest: (url, kind) => {
      const q = opts.tileQuery?.();
      return q && kind === 'Tile' && isServiceTile(url) && !url.includes('?') ? { url: `${url}?${q}` } : undefined;
    },
    locale: MAP_LOCALE,
    localIdeographFontFamily: fontsOf(style).map((f) => (f.includes(' ') ? `'${f}'` : f)).join(', '),
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: opts.preserveDrawingBuffer ?? false },
    maxZoom: 19,
  });
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  addAttribution(map);
  drawMissingIcons(map, opts.registry);
  quietMissingBasemapTiles(map);
  // The first moment every layer of the first view is drawn; `npm run bench -- --only web` reads it.
  map.once('idle', () => performance.mark('emap:map-drawn'));
  await new Promise<void>((resolve) => map.once('load', () => resolve()));
  if (opts.basemapSwitcher && opts.config.basemaps.length > 0) {
    await setBasemap(map, opts.config, initialBasemap(opts.config)).catch((err: unknown) => console.error(err));
    map.addControl(new BasemapSwitcher(opts.config), 'top-right');
  }
  return map;
}

/** The service's own vector tiles (server/tiles/routes.ts), not a basemap's. */
const isServiceTile = (url: string) => new URL(url, location.href).pathname.startsWith('/tiles/') && url.includes('.mvt');

/** The label fonts of a style (server/tiles/style.ts chooses them). */
function fontsOf(style: StyleSpecification): string[] {
  const label = style.layers.find((l) => l.type === 'symbol' && (l.layout as Record<string, unknown> | undefined)?.['text-font']);
  return ((label?.layout as Record<string, unknown> | undefined)?.['text-font'] as string[] | undefined) ?? ['sans-serif'];
}

/** The map's label fonts, for symbol layers the app adds. */
export function labelFonts(map: maplibregl.Map): string[] {
  const label = map.getLayersOrder().find((id) => map.getLayer(id)?.type === 'symbol' && map.getLayoutProperty(id, 'text-font'));
  return (label ? map.getLayoutProperty(label, 'text-font') as string[] : undefined) ?? ['sans-serif'];
}

/** What a style layer's metadata says it draws (server/tiles/style.ts): registry layer and part. */
export function partOf(map: maplibregl.Map, id: string): { layer?: string; part?: string } {
  const m = (map.getLayer(id) as { metadata?: Record<string, string> } | undefined)?.metadata;
  return { layer: m?.['emap:layer'], part: m?.['emap:part'] };
}

/**
 * Style layers of a registry layer, optionally of one part only, in drawing order. Read from
 * the live layers (map.getStyle() would serialise the whole style on every call).
 */
export function styleLayersOf(map: maplibregl.Map, layerId: string, part?: string): string[] {
  return map.getLayersOrder().filter((id) => {
    const m = partOf(map, id);
    return m.layer === layerId && (part === undefined || m.part === part);
  });
}

/** The first style layer drawing one of these parts, to add layers beneath it. */
export function firstOfParts(map: maplibregl.Map, parts: readonly string[]): string | undefined {
  return map.getLayersOrder().find((id) => parts.includes(partOf(map, id).part ?? ''));
}

export function setVisible(map: maplibregl.Map, layerIds: readonly string[], visible: boolean): void {
  for (const id of layerIds) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
}

/** The map for scripted use (the end-to-end tests, a browser console): window.emap. */
export function exposeForAutomation(map: maplibregl.Map, layers?: unknown): void {
  (window as unknown as { emap: object }).emap = { map, layers };
}
