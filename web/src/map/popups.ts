import * as maplibregl from 'maplibre-gl';
import type { AppContext } from '../app/context.js';
import { displayValue, type LayerInfo } from '../app/registry.js';
import { ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { getFeature, type Feature } from './features.js';
import { partOf } from './map.js';

/** Parts of the style a click can land on (outlines and labels are not targets). */
const CLICKABLE_PARTS = new Set(['points', 'clusters', 'fill']);

export type FeatureActions = (layer: LayerInfo, feature: Feature, popup: maplibregl.Popup) => HTMLElement[];

/** The details of a feature: every property the caller may read, with the registry's labels. */
export function featureDetails(layer: LayerInfo, f: Feature): HTMLElement {
  const rows = layer.properties
    .filter((p) => f.properties[p.name] !== null && f.properties[p.name] !== undefined && f.properties[p.name] !== '')
    .map((p) => h('tr', {}, h('th', {}, p.label), h('td', {}, displayValue(p, f.properties[p.name]))));
  return h('div', { class: 'feature-details' },
    h('h3', {}, h('span', { class: 'layer-title' }, layer.title), String(f.properties[layer.label] ?? `#${f.id}`)),
    h('table', {}, rows));
}

/**
 * Clicking the map: a cluster zooms in to where it splits; a feature opens a popup with its
 * details, read from the feature API (so a role sees exactly what it may), and the actions the
 * caller may take on it.
 */
export function enableFeaturePopups(map: maplibregl.Map, ctx: AppContext, actions: FeatureActions,
  enabled: () => boolean = () => true): void {
  // The style layers a click can land on, worked out again only when the style changes (a
  // layer switched on or off, overlays added), not on every pointer move.
  let clickableIds: string[] | undefined;
  map.on('styledata', () => { clickableIds = undefined; });
  const clickable = () => (clickableIds ??= map.getLayersOrder().filter((id) => {
    const { part } = partOf(map, id);
    return part !== undefined && CLICKABLE_PARTS.has(part) && map.getLayoutProperty(id, 'visibility') !== 'none';
  }));
  let popup: maplibregl.Popup | undefined;

  map.on('click', async (e) => {
    if (!enabled()) return;
    const hit = map.queryRenderedFeatures(e.point, { layers: clickable() })[0];
    if (!hit) return;
    const layerId = partOf(map, hit.layer.id).layer;
    const layer = layerId ? ctx.registry.get(layerId) : undefined;
    if (!layer) return;
    const props = hit.properties as Record<string, unknown>;
    if (Number(props.point_count ?? 1) > 1) {
      map.easeTo({ center: e.lngLat, zoom: Number(props.expansion_zoom ?? map.getZoom() + 2) });
      return;
    }
    if (typeof hit.id !== 'number') return;
    popup?.remove();
    const body = h('div', { class: 'popup-body' }, h('p', {}, '讀取中…'));
    popup = new maplibregl.Popup({ maxWidth: '340px', className: 'feature-popup' }).setLngLat(e.lngLat).setDOMContent(body).addTo(map);
    try {
      const f = await getFeature(layer.id, hit.id);
      const own = popup;
      body.replaceChildren(featureDetails(layer, f), h('div', { class: 'popup-actions' }, actions(layer, f, own)));
    } catch (err) {
      body.replaceChildren(h('p', { class: 'form-error' }, err instanceof ApiError ? err.message : '無法讀取這筆資料'));
    }
  });
  // A pointer over something clickable says so.
  map.on('mousemove', (e) => {
    if (!enabled()) return;
    const over = map.queryRenderedFeatures(e.point, { layers: clickable() }).some((f) => f.layer.id !== 'beats-fill');
    map.getCanvas().style.cursor = over ? 'pointer' : '';
  });
}
