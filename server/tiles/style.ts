import type { Principal } from '../auth/principal.js';
import { legendOf, type LegendEntries } from '../layers/legend.js';
import type { LayerDef, LayerStyle } from '../layers/types.js';
import { clustered, partName } from './sql.js';

/**
 * The default MapLibre style of the tiled layers, derived from the registry: what the web app
 * draws and what any MapLibre client gets from /tiles/style.json. Every style layer says in its
 * metadata which registry layer it draws (`emap:layer`) and which part of it (`emap:part`), so a
 * layer list can switch a registry layer on and off as one.
 *
 * The style has no `glyphs`: MapLibre then draws every label with the device's own fonts
 * (TinySDF), so Traditional Chinese renders without fetching glyphs from anywhere. Key places
 * (and any layer whose style asks for icons) are drawn with icons named `<layer>:<value>`, which the web app draws when MapLibre
 * asks for them (a missing-image resolver); other clients see the coloured circle beneath.
 */

type Expression = unknown[] | string;
type StyleLayer = Record<string, unknown>;

/** Fonts tried in order for labels: Traditional Chinese first, on every common system. */
export const LABEL_FONTS = ['Noto Sans CJK TC', 'Noto Sans TC', 'Microsoft JhengHei', 'PingFang TC', 'Heiti TC', 'sans-serif'];

const DEFAULT_FILL_OPACITY = 0.28;
/**
 * Labels are not wrapped: MapLibre breaks Chinese between any two characters, so a name wrapped
 * at 8 or 10 ems splits mid-word (「大豐里29鄰88號 / 空屋」). Names are shorter than this.
 */
const NO_WRAP_EMS = 40;
const DEFAULT_LINE: NonNullable<LayerStyle['line']> = { width: 1.5 };

function match(entries: LegendEntries | undefined, fallback: string): Expression {
  if (!entries) return fallback;
  return ['match', ['get', entries.property], ...entries.entries.flatMap((c) => [c.value, c.colour]), fallback];
}

const meta = (layer: LayerDef, part: string) => ({ 'emap:layer': layer.id, 'emap:part': part });

const halo = { 'text-color': '#1d1d1f', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 };

/**
 * Clusters of different layers gather on one grid, so at a busy corner they would lie exactly on
 * one another and hide each other's counts. Each clustered layer's clusters are drawn this far
 * from their place, in a direction of their own (evenly around it), so they sit side by side.
 */
const CLUSTER_SPREAD_PX = 18;

/** The screen offset of the clusters of the i-th of n clustered layers. */
function clusterOffset(i: number, n: number): [number, number] {
  if (n < 2) return [0, 0];
  const angle = (2 * Math.PI * i) / n;
  return [Math.round(CLUSTER_SPREAD_PX * Math.sin(angle) * 10) / 10, Math.round(-CLUSTER_SPREAD_PX * Math.cos(angle) * 10) / 10];
}

/** Clusters (below the cluster zoom, moved by `offset` px) and single points of a point layer. */
function pointLayers(layer: LayerDef, offset: [number, number]): StyleLayer[] {
  const legend = legendOf(layer);
  const fill = match(legend.fill, legend.colour);
  const outline = match(legend.outline, '#ffffff');
  const cluster = layer.tiles!.cluster;
  const common = { source: 'emap', 'source-layer': layer.id };
  const out: StyleLayer[] = [];
  if (layer.style?.heatmap) {
    // Hot spots at a glance; clusters weigh as many points as they hold.
    out.push({ ...common, id: `${layer.id}-heat`, type: 'heatmap', minzoom: layer.tiles!.minzoom, maxzoom: 17,
      metadata: meta(layer, 'heat'), layout: { visibility: 'none' },
      paint: {
        'heatmap-weight': ['interpolate', ['linear'], ['coalesce', ['get', 'point_count'], 1], 1, 0.2, 50, 1, 500, 3],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 16, 1.5],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 12, 14, 24, 16, 36],
        'heatmap-opacity': 0.75,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
          0, 'rgba(255,255,178,0)', 0.2, '#fed976', 0.4, '#feb24c', 0.6, '#fd8d3c', 0.8, '#f03b20', 1, '#bd0026'],
      } });
  }
  if (cluster && clustered(layer, layer.tiles!.minzoom)) {
    const isCluster = ['>', ['coalesce', ['get', 'point_count'], 1], 1];
    out.push(
      { ...common, id: `${layer.id}-clusters`, type: 'circle', maxzoom: cluster.belowZoom, filter: isCluster,
        metadata: meta(layer, 'clusters'),
        paint: {
          'circle-color': fill, 'circle-opacity': 0.85, 'circle-stroke-width': 1.5, 'circle-stroke-color': '#ffffff',
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 9, 10, 12, 100, 17, 1000, 24],
          'circle-translate': offset,
        } },
      { ...common, id: `${layer.id}-cluster-counts`, type: 'symbol', maxzoom: cluster.belowZoom, filter: isCluster,
        metadata: meta(layer, 'clusters'),
        layout: { 'text-field': ['to-string', ['get', 'point_count']], 'text-font': LABEL_FONTS, 'text-size': 12, 'text-allow-overlap': true },
        // Dark figures on a white halo read on every colour of the palette, light or dark.
        paint: { 'text-color': '#1d1d1f', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6, 'text-translate': offset } },
    );
  }
  // Single points: everything from the cluster zoom on, and lone points below it.
  const single = cluster ? ['==', ['coalesce', ['get', 'point_count'], 1], 1] : ['boolean', true];
  const marks = layer.style?.marks;
  const valueIn = (values: readonly string[]) => ['in', ['get', legend.fill?.property ?? ''], ['literal', [...values]]];
  out.push({ ...common, id: layer.id, type: 'circle', minzoom: layer.tiles!.minzoom, filter: single,
    metadata: meta(layer, 'points'),
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 4, 16, 7, 18, 9],
      // A hollow value keeps its colour as a ring inside the outline, white in the middle; a
      // ring layer's points are all rings of its colour.
      'circle-color': layer.style?.ring ? '#ffffff' : marks?.hollow?.length ? ['case', valueIn(marks.hollow), '#ffffff', fill] : fill,
      'circle-stroke-width': layer.style?.ring ? 3.5 : legend.outline ? 2.5 : 1.5,
      'circle-stroke-color': layer.style?.ring ? fill : outline,
    } });
  if (marks?.hollow?.length) {
    out.push({ ...common, id: `${layer.id}-hollow`, type: 'circle', minzoom: layer.tiles!.minzoom, filter: ['all', single, valueIn(marks.hollow)],
      metadata: meta(layer, 'points'),
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 2.2, 16, 4.2, 18, 5.6], 'circle-color': 'rgba(0, 0, 0, 0)',
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 12, 1.2, 16, 2, 18, 2.5], 'circle-stroke-color': fill,
      } });
  }
  if (marks?.cross?.length) {
    out.push({ ...common, id: `${layer.id}-cross`, type: 'symbol', minzoom: layer.tiles!.minzoom, filter: ['all', single, valueIn(marks.cross)],
      metadata: meta(layer, 'points'),
      layout: {
        'text-field': '✕', 'text-font': LABEL_FONTS, 'text-size': ['interpolate', ['linear'], ['zoom'], 12, 7, 16, 11, 18, 14],
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': '#ffffff' } });
  }
  if (layer.style?.icons) {
    out.push({ ...common, id: `${layer.id}-icons`, type: 'symbol', minzoom: cluster?.belowZoom ?? layer.tiles!.minzoom, filter: single,
      metadata: meta(layer, 'points'),
      layout: {
        'icon-image': ['concat', `${layer.id}:`, ['get', legend.fill?.property ?? 'category']],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 14, 0.8, 17, 1.1], 'icon-allow-overlap': true,
        'text-field': ['step', ['zoom'], '', 16, ['get', layer.label]], 'text-font': LABEL_FONTS, 'text-size': 11, 'text-max-width': NO_WRAP_EMS,
        'text-offset': [0, 1.6], 'text-anchor': 'top', 'text-optional': true,
      },
      paint: halo });
  }
  const labels = layer.style?.labels;
  if (labels && !layer.style?.icons) {
    out.push({ ...common, id: `${layer.id}-labels`, type: 'symbol', minzoom: labels.minzoom, maxzoom: labels.maxzoom ?? 24,
      filter: single, metadata: meta(layer, 'labels'),
      layout: {
        'text-field': ['get', labels.text ?? layer.label], 'text-font': LABEL_FONTS, 'text-size': labels.size,
        'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-max-width': NO_WRAP_EMS, 'text-optional': true,
      },
      paint: { ...halo, 'text-color': labels.colour ?? legend.colour } });
  }
  return out;
}

/** Line width: fixed, or interpolated between zoom stops. */
const lineWidth = (line: NonNullable<LayerStyle['line']>): Expression | number =>
  (line.widthStops ? ['interpolate', ['linear'], ['zoom'], ...line.widthStops.flat()] : line.width);

/** Fills, outlines and labels of a polygon layer, as its style declares them. */
function polygonLayers(layer: LayerDef): StyleLayer[] {
  const legend = legendOf(layer);
  const colour = match(legend.fill, legend.colour);
  const style = layer.style;
  const common = { source: 'emap', 'source-layer': layer.id, minzoom: layer.tiles!.minzoom };
  const fill = style?.fill ?? DEFAULT_FILL_OPACITY;
  const line = style?.line ?? DEFAULT_LINE;
  const out: StyleLayer[] = [];
  if (fill !== false) {
    out.push({ ...common, id: `${layer.id}-fill`, type: 'fill', metadata: meta(layer, 'fill'), paint: { 'fill-color': colour, 'fill-opacity': fill } });
  }
  out.push({ ...common, id: `${layer.id}-outline`, type: 'line', metadata: meta(layer, 'outline'),
    layout: { 'line-join': 'round' },
    paint: {
      'line-color': style?.lineColour ?? colour, 'line-width': lineWidth(line),
      ...(line.dashed ? { 'line-dasharray': [3, 2] } : {}),
      ...(line.opacity !== undefined ? { 'line-opacity': line.opacity } : {}),
    } });
  const labels = style?.labels;
  if (layer.tiles!.labels && labels) {
    // Names, never codes: a beat reads 「第3警勤區」, within its station's outline and name.
    const text = ['get', labels.text ?? layer.label];
    out.push({ source: 'emap', 'source-layer': partName(layer, 'labels'), id: `${layer.id}-labels`, type: 'symbol',
      minzoom: labels.minzoom, maxzoom: labels.maxzoom ?? 24, metadata: meta(layer, 'labels'),
      layout: { 'text-field': text, 'text-font': LABEL_FONTS, 'text-size': labels.size, 'text-max-width': NO_WRAP_EMS, 'text-padding': 4 },
      paint: { ...halo, 'text-color': labels.colour ?? legend.colour } });
  }
  return out;
}

/**
 * Drawing order: the ground beneath everything; areas below points; larger units below smaller;
 * labels on top, the ground's first (MapLibre places later symbol layers first, so a feature's
 * label wins over a 村里 name where they collide).
 */
function order(layer: StyleLayer, def: LayerDef): number {
  const part = (layer.metadata as Record<string, string>)['emap:part'] ?? '';
  if (def.ground) return part === 'labels' ? 4.5 : part === 'fill' ? -2 : -1;
  // Cluster counts over every layer's cluster circles, so none hides another's figure.
  if (part === 'clusters' && layer.type === 'symbol') return 4.3;
  // A register drawn with its own symbols (key places) lies over every other layer's dots.
  if (def.style?.icons && (part === 'points' || part === 'clusters')) return 4.2;
  return ({ fill: 0, outline: 1, heat: 2, clusters: 3, points: 4, labels: 5 } as Record<string, number>)[part] ?? 0;
}

/** A MapLibre style of every tiled layer the caller may read, drawn from one composite source. */
export function mapStyle(layers: readonly LayerDef[], p: Principal, baseUrl: string) {
  const clusteredIds = layers.filter((l) => l.geometry === 'Point' && l.tiles?.cluster).map((l) => l.id);
  const offsetOf = (l: LayerDef) => clusterOffset(clusteredIds.indexOf(l.id), clusteredIds.length);
  const styleLayers = layers.flatMap((l) => (l.geometry === 'Point' ? pointLayers(l, offsetOf(l)) : polygonLayers(l)).map((s) => ({ s, def: l })));
  return {
    version: 8,
    name: '社區治安電子地圖',
    sources: { emap: { type: 'vector', url: `${baseUrl}/tiles/${layers.map((l) => l.id).join(',')}.json` } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } },
      // A stable sort keeps the registry's order within each part.
      ...styleLayers.map((l, i) => ({ l, i })).sort((a, b) => order(a.l.s, a.l.def) - order(b.l.s, b.l.def) || a.i - b.i).map(({ l }) => l.s),
    ],
    metadata: { 'emap:scope': p.role },
  };
}
