import type { Principal } from '../auth/principal.js';
import { TAIWAN_BOUNDS } from '../geo/taiwan.js';
import type { LayerDef } from '../layers/types.js';
import { zoomRange } from './coords.js';
import { clustered, tileProperties } from './sql.js';


/** Colours for the values of a layer's colorBy property, in choice order. */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324',
  '#808000', '#469990', '#000075', '#a9a9a9', '#bfef45', '#dcbeff'];

/** The colour of each value of the layer's colorBy property, as the legend and the style use. */
export function colourOf(layer: LayerDef): { property?: string; colours: { value: string; label: string; colour: string }[] } {
  const by = layer.style?.colorBy;
  const prop = by ? layer.properties.find((p) => p.name === by) : undefined;
  if (!prop || prop.type.kind !== 'enum') return { colours: [] };
  return { property: by, colours: prop.type.choices.map((c, i) => ({ value: c.value, label: c.label, colour: PALETTE[i % PALETTE.length]! })) };
}

const fieldType = (kind: string) => (['integer', 'number', 'reference'].includes(kind) ? 'Number' : kind === 'boolean' ? 'Boolean' : 'String');

/** TileJSON 3.0.0 for one layer or a composite, with the fields the caller's tiles carry. */
export function tileJson(layers: readonly LayerDef[], p: Principal, baseUrl: string) {
  const ids = layers.map((l) => l.id).join(',');
  return {
    tilejson: '3.0.0',
    name: layers.map((l) => l.title).join('、'),
    tiles: [`${baseUrl}/tiles/${ids}/{z}/{x}/{y}.mvt`],
    bounds: TAIWAN_BOUNDS,
    ...zoomRange(layers),
    vector_layers: layers.map((l) => ({
      id: l.id,
      description: l.title,
      minzoom: l.tiles!.minzoom,
      maxzoom: l.tiles!.maxzoom,
      fields: Object.fromEntries(tileProperties(l, p).map((prop) => [prop.name, fieldType(prop.type.kind)])),
      ...(l.tiles!.cluster ? { cluster_below_zoom: l.tiles!.cluster.belowZoom } : {}),
    })),
  };
}

type Expression = unknown[] | string;

function colourExpression(layer: LayerDef): Expression {
  const { property, colours } = colourOf(layer);
  if (!property) return layer.style?.color ?? '#555555';
  return ['match', ['get', property], ...colours.flatMap((c) => [c.value, c.colour]), layer.style?.color ?? '#555555'];
}

/** MapLibre style layers drawing one registry layer from the `emap` source. */
function styleLayers(layer: LayerDef): object[] {
  const common = { source: 'emap', 'source-layer': layer.id, minzoom: layer.tiles!.minzoom };
  const colour = colourExpression(layer);
  if (layer.geometry === 'Point') {
    const cluster = layer.tiles!.cluster;
    const points = { ...common, id: layer.id, type: 'circle',
      ...(cluster ? { minzoom: cluster.belowZoom } : {}),
      paint: { 'circle-radius': 5, 'circle-color': colour, 'circle-stroke-width': 1, 'circle-stroke-color': '#ffffff' } };
    if (!cluster || !clustered(layer, layer.tiles!.minzoom)) return [points];
    return [{ ...common, id: `${layer.id}-clusters`, type: 'circle', maxzoom: cluster.belowZoom,
      paint: {
        'circle-color': colour, 'circle-opacity': 0.8, 'circle-stroke-width': 1, 'circle-stroke-color': '#ffffff',
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 1, 5, 10, 9, 100, 15, 1000, 22],
      } }, points];
  }
  const units = ['precincts', 'stations', 'beats'].includes(layer.table);
  const outline = { ...common, id: `${layer.id}-outline`, type: 'line',
    paint: { 'line-color': colour, 'line-width': layer.table === 'precincts' ? 3 : layer.table === 'stations' ? 2 : 1 } };
  if (units) return [outline];
  return [{ ...common, id: `${layer.id}-fill`, type: 'fill', paint: { 'fill-color': colour, 'fill-opacity': 0.25 } }, outline];
}

/** A MapLibre style of every tiled layer the caller may read, drawn from one composite source. */
export function mapStyle(layers: readonly LayerDef[], p: Principal, baseUrl: string) {
  return {
    version: 8,
    name: '社區治安電子地圖',
    sources: { emap: { type: 'vector', url: `${baseUrl}/tiles/${layers.map((l) => l.id).join(',')}.json` } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } },
      // Areas below points; larger units below smaller ones.
      ...[...layers].sort((a, b) => Number(a.geometry === 'Point') - Number(b.geometry === 'Point')).flatMap(styleLayers),
    ],
    metadata: { 'emap:scope': p.role },
  };
}
