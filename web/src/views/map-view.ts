import type * as maplibregl from 'maplibre-gl';
import { analysis } from '../analysis/analysis-api.js';
import { analysisPanel } from '../analysis/analysis-panel.js';
import type { AppContext } from '../app/context.js';
import { isInternal } from '../app/session.js';
import type { LayerInfo } from '../app/registry.js';
import { CameraAim } from '../edit/camera-aim.js';
import { editAttributes } from '../edit/attribute-editor.js';
import { PolygonEditor } from '../edit/polygon-editor.js';
import { openVisitDialog } from '../edit/visit-dialog.js';
import { append, h } from '../lib/dom.js';
import type { Feature } from '../map/features.js';
import { filterPanel } from '../map/filter-panel.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap } from '../map/map.js';
import { myArea, showMyArea } from '../map/my-area.js';
import { fitToUnit, myUnit, myUnitButton } from '../map/my-unit.js';
import { enableFeaturePopups } from '../map/popups.js';
import { searchBox } from '../map/search-box.js';
import { reloadTiles, TileFilters } from '../map/tile-filters.js';
import { mapLayout } from './map-layout.js';

/** Layers drawn as polygons that planners draw and reshape on the map. */
const DRAWN_LAYERS = ['watch-blocks', 'drone-surveys'];

/**
 * The e-map: every layer the caller may read with its legend and filters, search, popups, and
 * for those who may, drawing blocks and survey areas, turning cameras and recording visits.
 */
export async function mapView(ctx: AppContext, main: HTMLElement, tools: HTMLElement): Promise<void> {
  const { panel, mapElement } = mapLayout(main);
  const map = await createMap({ container: mapElement, config: ctx.config, registry: ctx.registry, basemapSwitcher: true });
  // Police open the map on their own beat or precinct, a community account on its 村里.
  const unit = myUnit(ctx.me);
  if (unit) await fitToUnit(map, unit.layer, unit.code, false);
  const area = ctx.me.role === 'community' ? await myArea() : null;
  if (area) showMyArea(map, area);
  const filters = new TileFilters();
  tools.append(searchBox(map, ctx.registry));

  const notice = h('p', { class: 'notice', role: 'status', hidden: true });
  const session = h('section', { class: 'panel-section edit-session', hidden: true });
  const done = (message?: string) => {
    session.hidden = true;
    editTools.hidden = false;
    reloadTiles(map);
    notice.hidden = !message;
    notice.textContent = message ?? '';
  };
  const editor = new PolygonEditor(map, ctx, session, done);
  const aim = new CameraAim(map, session, done);
  const open = (start: () => unknown) => {
    notice.hidden = true;
    editTools.hidden = true;
    session.hidden = false;
    void start();
  };
  const drawable = DRAWN_LAYERS.map((id) => ctx.registry.get(id)).filter((l): l is LayerInfo => !!l && l.writable.includes('create'));
  const editTools = h('section', { class: 'panel-section edit-tools', hidden: drawable.length === 0 },
    h('h2', {}, '繪製'),
    drawable.map((l) => h('button', { type: 'button', class: 'secondary', dataset: { create: l.id }, onclick: () => open(() => editor.create(l)) }, `新增${l.title}`)));

  const actions = (layer: LayerInfo, f: Feature, popup: maplibregl.Popup): HTMLElement[] => {
    const act = (label: string, start: () => unknown, action: string) =>
      h('button', { type: 'button', class: 'secondary', dataset: { action }, onclick: () => { popup.remove(); open(start); } }, label);
    const out: HTMLElement[] = [];
    const canUpdate = layer.writable.includes('update');
    if (layer.id === 'beats' && isInternal(ctx.me)) {
      out.push(h('a', { class: 'button secondary', href: `/briefing?beat=${encodeURIComponent(String(f.properties.code))}` }, '勤前簡報'));
    }
    if (layer.id === 'key-places' && ctx.registry.can('visits', 'create')) {
      out.push(h('button', { type: 'button', class: 'secondary', dataset: { action: 'visit' },
        onclick: () => { popup.remove(); openVisitDialog(ctx, { id: f.id, name: String(f.properties.name) }, () => done('已紀錄查訪')); } }, '紀錄查訪'));
    }
    if (DRAWN_LAYERS.includes(layer.id) && canUpdate) out.push(act('編輯', () => editor.edit(layer, f.id), 'edit-shape'));
    if (layer.id === 'cameras' && canUpdate && !layer.writableFields) out.push(act('調整方向', () => aim.start(layer, f.id), 'aim'));
    if (canUpdate && !DRAWN_LAYERS.includes(layer.id)) {
      out.push(act(layer.writableFields ? '回報狀態' : '編輯屬性', () => editAttributes(session, layer, f.id, done), 'edit'));
    }
    if (DRAWN_LAYERS.includes(layer.id) && layer.writable.includes('delete')) {
      out.push(h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' },
        onclick: () => { popup.remove(); void editor.remove(layer, f.id); } }, '刪除'));
    }
    return out;
  };
  // While something is being edited, a click on the map belongs to the editor.
  enableFeaturePopups(map, ctx, actions, () => session.hidden === true);

  const layers = new LayerPanel(map, ctx.registry);
  // Police accounts analyse what they filter; the community has its own view for that.
  const analyses = isInternal(ctx.me) ? analysisPanel(map, layers, filters, (await analysis.endpoints()).endpoints) : null;
  append(panel, [notice, h('div', { class: 'panel-actions' }, myUnitButton(map, ctx.me)), editTools, session, layers.element,
    filterPanel(map, ctx.registry, filters), analyses]);
  exposeForAutomation(map, layers);
}

/** The map for scripted use (the end-to-end tests, a browser console): window.emap. */
export function exposeForAutomation(map: maplibregl.Map, layers?: LayerPanel): void {
  (window as unknown as { emap: object }).emap = { map, layers };
}
