import type * as maplibregl from 'maplibre-gl';
import { taiwanDate } from '../lib/format.js';
import { styleLayersOf } from './map.js';

export const OVERDUE_LAYER = 'key-places-overdue';

/**
 * Key places whose next visit is past due, ringed in red beneath their symbol, so an officer sees
 * before patrol where to go first. Drawn by the app, since "today" moves and the style does not.
 */
export function markOverdueVisits(map: maplibregl.Map): void {
  const icons = styleLayersOf(map, 'key-places', 'points');
  if (icons.length === 0) return;
  map.addLayer({
    id: OVERDUE_LAYER, type: 'circle', source: 'emap', 'source-layer': 'key-places', minzoom: 13,
    metadata: { 'emap:layer': 'key-places', 'emap:part': 'overdue' },
    filter: ['all', ['==', ['get', 'listing_status'], 'listed'], ['has', 'next_visit_due'], ['<', ['get', 'next_visit_due'], taiwanDate(new Date())]],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, 9, 16, 17], 'circle-color': 'rgba(0, 0, 0, 0)',
      'circle-stroke-color': '#d62828', 'circle-stroke-width': 3.5,
    },
  }, icons[0]);
}
