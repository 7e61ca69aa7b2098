import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { bbox } from '@turf/turf';
import type { AppContext } from '../app/context.js';
import { createMap, partOf, setVisible, styleLayersOf } from '../map/map.js';
import type { RowStatus } from './import-api.js';

/** Row statuses as the page shows them: the table's marks and the preview's colours agree. */
export const STATUS: Record<RowStatus, { label: string; colour: string }> = {
  error: { label: '錯誤', colour: '#c1121f' },
  warning: { label: '警告', colour: '#e07b00' },
  ok: { label: '正常', colour: '#2b9348' },
};

/** Layers kept under the preview: the unit outlines, so a person sees where the rows fall. */
const CONTEXT_LAYERS = ['precincts', 'stations', 'beats'];
const SOURCE = 'import-preview';
export const PREVIEW_LAYERS = ['import-preview-fill', 'import-preview-outline', 'import-preview-points'];

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };
const colourByStatus = ['match', ['get', 'import_status'], ...Object.entries(STATUS).flatMap(([k, s]) => [k, s.colour]), '#777777'] as unknown as maplibregl.ExpressionSpecification;
type Box = [number, number, number, number];

/**
 * The report's preview on a map: each row where it would be stored, coloured by its status,
 * over the unit outlines only (the layer's own features would hide what is new).
 */
export class PreviewMap {
  private readonly boxes = new Map<number, Box>();

  private constructor(readonly map: maplibregl.Map) {
    for (const layer of otherLayers(map)) setVisible(map, styleLayersOf(map, layer), false);
    map.addSource(SOURCE, { type: 'geojson', data: EMPTY });
    map.addLayer({ id: 'import-preview-fill', type: 'fill', source: SOURCE, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': colourByStatus, 'fill-opacity': 0.3 } });
    map.addLayer({ id: 'import-preview-outline', type: 'line', source: SOURCE, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'line-color': colourByStatus, 'line-width': 2 } });
    map.addLayer({ id: 'import-preview-points', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 6, 'circle-color': colourByStatus, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } });
  }

  static async create(ctx: AppContext, container: HTMLElement): Promise<PreviewMap> {
    return new PreviewMap(await createMap({ container, config: ctx.config, registry: ctx.registry }));
  }

  /**
   * Draws a report's preview and fits the map to the rows that pass (one row off in the sea
   * would otherwise zoom the map out to half of Asia; clicking it in the table flies there).
   */
  show(preview: GeoJSON.FeatureCollection): void {
    this.boxes.clear();
    const features = preview.features.filter((f) => f.geometry);
    for (const f of features) this.boxes.set(Number(f.properties?.import_row), bbox(f) as Box);
    (this.map.getSource(SOURCE) as GeoJSONSource).setData({ type: 'FeatureCollection', features });
    const passing = features.filter((f) => f.properties?.import_status !== 'error');
    const framed = passing.length ? passing : features;
    if (framed.length) this.fit(bbox({ type: 'FeatureCollection', features: framed }) as Box, 0);
  }

  /** Whether the row is on the map. */
  has(row: number): boolean {
    return this.boxes.has(row);
  }

  /** Flies to a row of the preview, if it holds the row. */
  flyTo(row: number): void {
    const box = this.boxes.get(row);
    if (box) this.fit(box, 800);
  }

  private fit([w, s, e, n]: Box, duration: number): void {
    this.map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 17, duration });
  }
}

/** The registry layers the style draws besides the context. */
function otherLayers(map: maplibregl.Map): string[] {
  const ids = new Set(map.getLayersOrder().map((id) => partOf(map, id).layer));
  return [...ids].filter((id): id is string => !!id && !CONTEXT_LAYERS.includes(id));
}
