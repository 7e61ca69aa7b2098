import type * as maplibregl from 'maplibre-gl';
import { api } from '../lib/api.js';

/** GET /api/me/area (server/auth/my-area.ts): a community account's 村里 and outline. */
export interface MyArea {
  villages: { code: string; name: string; town: string | null; county: string | null }[];
  bbox: [number, number, number, number];
  geometry: GeoJSON.MultiPolygon;
}

export const myArea = async () => (await api.get<{ area: MyArea | null }>('/api/me/area')).area;

/** How a community account's area reads: 「桃園區大豐里」, or 「社區範圍」 for a drawn one. */
export const areaName = (a: MyArea) =>
  a.villages.length ? a.villages.map((v) => `${v.town ?? ''}${v.name}`).join('、') : '社區範圍';

export const MY_AREA_LAYER = 'my-area-outline';

/** Outlines the account's area over the map (beneath the labels) and opens the map on it. */
export function showMyArea(map: maplibregl.Map, area: MyArea): void {
  map.addSource(MY_AREA_LAYER, { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: area.geometry } });
  const beforeLabels = map.getLayersOrder().find((id) => map.getLayer(id)?.type === 'symbol');
  map.addLayer({ id: `${MY_AREA_LAYER}-halo`, type: 'line', source: MY_AREA_LAYER, paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.9 } }, beforeLabels);
  map.addLayer({ id: MY_AREA_LAYER, type: 'line', source: MY_AREA_LAYER, paint: { 'line-color': '#d62828', 'line-width': 3.5 } }, beforeLabels);
  const [w, s, e, n] = area.bbox;
  map.fitBounds([[w, s], [e, n]], { padding: 40, duration: 0 });
}
