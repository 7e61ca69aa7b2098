import type * as maplibregl from 'maplibre-gl';
import type { Feature, Geometry } from 'geojson';

/**
 * What the search box found, shown on the map: an area outlined (村里, 鄉鎮市區, 警勤區, a
 * watch block), a point marked (a 門牌, a police unit, a camera), a road's 門牌 as dots. Drawn
 * over every layer, in a colour no layer uses; one place at a time.
 */

const SOURCE = 'search-found';
/** The zoom a point is shown at (the ground's tiles end at z16; 門牌 numbers show from z16.5). */
const FOUND_ZOOM = 16.5;
const COLOUR = '#e8590c';

export interface FoundPlace {
  geometry?: Geometry;
  bbox: [number, number, number, number];
  approximate?: boolean;
}

/** How a geometry is drawn: `area` outlined, `pin` one mark, `dots` many small ones. */
function markOf(g: Geometry): 'area' | 'pin' | 'dots' {
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return 'area';
  return g.type === 'MultiPoint' ? 'dots' : 'pin';
}

function ensureLayers(map: maplibregl.Map): maplibregl.GeoJSONSource {
  const existing = map.getSource(SOURCE) as maplibregl.GeoJSONSource | undefined;
  if (existing) return existing;
  map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  const is = (mark: string) => ['==', ['get', 'mark'], mark] as maplibregl.FilterSpecification;
  map.addLayer({ id: 'search-found-fill', type: 'fill', source: SOURCE, filter: is('area'), paint: { 'fill-color': COLOUR, 'fill-opacity': 0.1 } });
  map.addLayer({ id: 'search-found-line', type: 'line', source: SOURCE, filter: is('area'),
    paint: { 'line-color': COLOUR, 'line-width': 3.5, 'line-opacity': ['case', ['get', 'approximate'], 0.7, 1] } });
  map.addLayer({ id: 'search-found-dots', type: 'circle', source: SOURCE, filter: is('dots'),
    paint: { 'circle-color': COLOUR, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, 2, 17, 4.5], 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 } });
  map.addLayer({ id: 'search-found-pin', type: 'circle', source: SOURCE, filter: is('pin'),
    paint: { 'circle-color': COLOUR, 'circle-radius': 9, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 } });
  return map.getSource(SOURCE) as maplibregl.GeoJSONSource;
}

/** Flies to the place (fits its box) and draws it. */
export function showFound(map: maplibregl.Map, place: FoundPlace): void {
  const [w, s, e, n] = place.bbox;
  const geometry: Geometry = place.geometry ?? { type: 'Point', coordinates: [(w + e) / 2, (s + n) / 2] };
  const mark = markOf(geometry);
  const feature: Feature = { type: 'Feature', geometry, properties: { mark, approximate: place.approximate === true } };
  ensureLayers(map).setData({ type: 'FeatureCollection', features: [feature] });
  const small = map.getContainer().clientWidth < 600;
  // Close enough to read the 門牌 numbers around a point, not past the block fabric's last zoom.
  map.fitBounds([[w, s], [e, n]], { padding: small ? 36 : 72, maxZoom: FOUND_ZOOM, duration: 700 });
}

export function clearFound(map: maplibregl.Map): void {
  (map.getSource(SOURCE) as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [] });
}
