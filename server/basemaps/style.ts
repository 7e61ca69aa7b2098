import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LABEL_FONTS } from '../tiles/style.js';
import { TILES_DIR } from './presets.js';

/**
 * How a vector basemap is drawn: the layers of a MapLibre style over one vector source named
 * `basemap`. From a sidecar style next to the archive when there is one; otherwise from a
 * template in tiles/styles/ whose layer names the archive has (OpenMapTiles, Protomaps);
 * otherwise every layer as plain outlines. No glyphs or sprite: labels use the device's fonts.
 */
export type StyleLayer = Record<string, unknown> & { id: string; type: string };

export const BASEMAP_SOURCE = 'basemap';
const MAX_LAYERS = 1000;

const layerSchema = z.object({ id: z.string().min(1).max(200), type: z.string().min(1) }).passthrough();
/** A style file: a sidecar NAME.style.json or a template (which says which layer names it needs). */
export const styleFileSchema = z.object({
  name: z.string().optional(),
  /** Templates only: the source layers whose presence picks this template. */
  match: z.array(z.string()).optional(),
  layers: z.array(layerSchema).min(1).max(MAX_LAYERS),
}).passthrough();

export type StyleFile = z.infer<typeof styleFileSchema>;

/** The templates in tiles/styles, by file name. */
export function loadStyleTemplates(dir = join(TILES_DIR, 'styles')): Map<string, StyleFile> {
  const out = new Map<string, StyleFile>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    out.set(file.replace(/\.json$/, ''), styleFileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
  }
  return out;
}

/** The template most of whose `match` layers the archive has (at least two), if any. */
export function templateFor(layerIds: readonly string[], templates: Map<string, StyleFile>): StyleFile | undefined {
  let best: StyleFile | undefined;
  let bestCount = 1;
  for (const t of templates.values()) {
    const count = (t.match ?? []).filter((id) => layerIds.includes(id)).length;
    if (count > bestCount) [best, bestCount] = [t, count];
  }
  return best;
}

const PALETTE = ['#7f8c8d', '#5d8aa8', '#8a9a5b', '#b0846a', '#9b7fb6', '#6f9f9a'];

/** Every source layer as thin outlines (lines and polygon edges) and small dots (points). */
export function outlineLayers(layerIds: readonly string[]): StyleLayer[] {
  return [
    { id: 'background', type: 'background', paint: { 'background-color': '#f6f4ef' } },
    ...layerIds.slice(0, MAX_LAYERS / 2).flatMap((id, i): StyleLayer[] => {
      const colour = PALETTE[i % PALETTE.length]!;
      return [
        { id: `${id}-lines`, type: 'line', 'source-layer': id, filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': colour, 'line-width': 0.8 } },
        { id: `${id}-points`, type: 'circle', 'source-layer': id, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': colour, 'circle-radius': 2 } },
      ];
    }),
  ];
}

/**
 * A style's layers made to draw from the basemap source: background layers and those with a
 * source layer are kept (others draw from sources we do not have), each reads `basemap`, and
 * labels are set in the fonts of the service's own style and lose their icons: there are no
 * glyphs or sprite to fetch, so nothing leaves the machine.
 */
export function basemapLayers(style: StyleFile): StyleLayer[] {
  return style.layers
    .filter((l) => l.type === 'background' || typeof l['source-layer'] === 'string')
    .map((l) => {
      const { metadata: _m, ...rest } = l;
      const layer: StyleLayer = l.type === 'background' ? { ...rest } : { ...rest, source: BASEMAP_SOURCE };
      if (l.type === 'symbol') {
        const { 'icon-image': _icon, ...layout } = (l.layout ?? {}) as Record<string, unknown>;
        layer.layout = { ...layout, 'text-font': LABEL_FONTS };
      }
      return layer;
    });
}
