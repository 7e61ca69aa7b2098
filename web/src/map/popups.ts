import * as maplibregl from 'maplibre-gl';
import type { AppContext } from '../app/context.js';
import { displayValue, type LayerInfo } from '../app/registry.js';
import { ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { namesOf } from './display-names.js';
import { getFeature, type Feature } from './features.js';
import { locate, locationDetails } from './locate-popup.js';
import { partOf } from './map.js';

/** Parts of the style a click can land on (outlines and labels are not targets). */
const CLICKABLE_PARTS = new Set(['points', 'clusters', 'fill']);

export type FeatureActions = (layer: LayerInfo, feature: Feature, popup: maplibregl.Popup) => HTMLElement[];

/** Areas a click on which means "where am I?": beats (drawn with a clear fill) and the ground. */
const answersWhere = (layer: LayerInfo) => layer.id === 'beats' || layer.ground === true;

/** The details of a feature: every property the caller may read, with the registry's labels. */
export function featureDetails(layer: LayerInfo, f: Feature, names: Record<string, string>, demoLabel?: string): HTMLElement {
  const rows = layer.properties
    .filter((p) => f.properties[p.name] !== null && f.properties[p.name] !== undefined && f.properties[p.name] !== '')
    .map((p) => h('tr', {}, h('th', {}, p.label), h('td', {}, names[p.name] ?? displayValue(p, f.properties[p.name]))));
  return h('div', { class: 'feature-details' },
    h('h3', {}, h('span', { class: 'layer-title' }, layer.title), headingOf(layer, f)),
    demoLabel ? h('p', { class: 'demo-tag' }, demoLabel) : null,
    h('table', {}, rows));
}

/** What a feature is called: its name where it has one (a beat's, not its code), else its label. */
function headingOf(layer: LayerInfo, f: Feature): string {
  const name = layer.properties.some((p) => p.name === 'name') ? f.properties.name : undefined;
  const v = name ?? f.properties[layer.label];
  return v === null || v === undefined || v === '' ? `編號 ${f.id}` : String(v);
}

/**
 * Clicking the map: a cluster zooms in to where it splits; a feature opens a popup with its
 * details, read from the feature API (so a role sees exactly what it may), and the actions the
 * caller may take on it; anywhere else the popup says which 村里, 警勤區 and 派出所 it is.
 */
export function enableFeaturePopups(map: maplibregl.Map, ctx: AppContext, actions: FeatureActions,
  enabled: () => boolean = () => true): { close(): void } {
  // The style layers a click can land on, worked out again only when the style changes (a
  // layer switched on or off, overlays added), not on every pointer move.
  let clickableIds: string[] | undefined;
  map.on('styledata', () => { clickableIds = undefined; });
  const clickable = () => (clickableIds ??= map.getLayersOrder().filter((id) => {
    const { part } = partOf(map, id);
    return part !== undefined && CLICKABLE_PARTS.has(part) && map.getLayoutProperty(id, 'visibility') !== 'none';
  }));
  let popup: maplibregl.Popup | undefined;

  const demo = ctx.config.demo;
  const open = (at: maplibregl.LngLat, fill: (body: HTMLElement, own: maplibregl.Popup) => Promise<void>) => {
    popup?.remove();
    const body = h('div', { class: 'popup-body' }, h('p', {}, '讀取中…'));
    const own = new maplibregl.Popup({ maxWidth: '340px', className: 'feature-popup' }).setLngLat(at).setDOMContent(body).addTo(map);
    popup = own;
    fill(body, own).catch((err: unknown) => {
      body.replaceChildren(h('p', { class: 'form-error' }, err instanceof ApiError ? err.message : '無法讀取這筆資料'));
    });
  };

  map.on('click', (e) => {
    if (!enabled()) return;
    const hits = map.queryRenderedFeatures(e.point, { layers: clickable() });
    const hit = hits.find((f) => {
      const layer = ctx.registry.get(partOf(map, f.layer.id).layer ?? '');
      return layer && !answersWhere(layer);
    });
    if (!hit) {
      // Anywhere else: which 村里, 警勤區 and 派出所 this is, with the station's phone; a beat's
      // own actions (the briefing) for those who have them.
      const beat = hits.find((f) => partOf(map, f.layer.id).layer === 'beats');
      const beats = ctx.registry.get('beats');
      open(e.lngLat, async (body, own) => {
        const where = await locate(e.lngLat.lng, e.lngLat.lat);
        const extra = beat && beats && typeof beat.id === 'number' ? actions(beats, await getFeature('beats', beat.id), own) : [];
        body.replaceChildren(locationDetails(where), h('div', { class: 'popup-actions' }, extra));
      });
      return;
    }
    const layer = ctx.registry.get(partOf(map, hit.layer.id).layer!)!;
    const props = hit.properties as Record<string, unknown>;
    if (Number(props.point_count ?? 1) > 1) {
      map.easeTo({ center: e.lngLat, zoom: Number(props.expansion_zoom ?? map.getZoom() + 2) });
      return;
    }
    if (typeof hit.id !== 'number') return;
    const id = hit.id;
    open(e.lngLat, async (body, own) => {
      const f = await getFeature(layer.id, id);
      const demoLabel = demo?.layers.includes(layer.id) ? demo.label : undefined;
      body.replaceChildren(featureDetails(layer, f, await namesOf(ctx.registry, layer, f), demoLabel), h('div', { class: 'popup-actions' }, actions(layer, f, own)));
    });
  });
  // A pointer over something clickable says so.
  map.on('mousemove', (e) => {
    if (!enabled()) return;
    const over = map.queryRenderedFeatures(e.point, { layers: clickable() }).some((f) => {
      const layer = ctx.registry.get(partOf(map, f.layer.id).layer ?? '');
      return layer !== undefined && !answersWhere(layer);
    });
    map.getCanvas().style.cursor = over ? 'pointer' : '';
  });
  return { close: () => popup?.remove() };
}
