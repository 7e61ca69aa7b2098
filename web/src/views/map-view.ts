import type * as maplibregl from 'maplibre-gl';
import { analysis } from '../analysis/analysis-api.js';
import { analysisPanel } from '../analysis/analysis-panel.js';
import type { AppContext } from '../app/context.js';
import { isInternal } from '../app/session.js';
import type { LayerInfo } from '../app/registry.js';
import { CameraAim } from '../edit/camera-aim.js';
import { editAttributes } from '../edit/attribute-editor.js';
import type { PolygonEditor } from '../edit/polygon-editor.js';
import { openVisitDialog } from '../edit/visit-dialog.js';
import { append, h } from '../lib/dom.js';
import { Notice } from '../lib/notice.js';
import type { Feature } from '../map/features.js';
import { filterPanel, lastDays, RECENT_INCIDENT_DAYS } from '../map/filter-panel.js';
import { markOverdueVisits } from '../map/overdue.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap } from '../map/map.js';
import { HomeControl, homeArea, myLocationControl, outlineHomeArea } from '../map/home-area.js';
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
  const { panel, mapElement, mapWrap, sheet } = mapLayout(main);
  // Police open the map on their own beat or precinct, a community account on its 村里, outlined;
  // police see the incidents of the last 30 days unless they ask for more.
  const home = homeArea(ctx.me);
  const filters = new TileFilters();
  if (isInternal(ctx.me) && ctx.registry.get('incidents')?.temporal) filters.set('incidents', 'datetime', lastDays(RECENT_INCIDENT_DAYS));
  const map = await createMap({
    container: mapElement, config: ctx.config, registry: ctx.registry, basemapSwitcher: true,
    bounds: home.then((a) => a?.bbox), tileQuery: () => filters.query(),
  });
  if (isInternal(ctx.me)) markOverdueVisits(map);
  const area = await home;
  if (area) {
    outlineHomeArea(map, area);
    map.addControl(new HomeControl(area), 'top-left');
  }
  map.addControl(myLocationControl(), 'top-right');
  tools.append(searchBox(map, ctx.registry));

  const notice = new Notice();
  mapWrap.append(notice.element);
  const session = h('section', { class: 'panel-section edit-session', hidden: true });
  // The sheet goes back to how the user left it when a session ends; the notice is over the map.
  let sheetBefore = sheet.current;
  const done = (message?: string) => {
    if (!session.hidden) sheet.set(sheetBefore);
    session.hidden = true;
    editTools.hidden = false;
    reloadTiles(map);
    if (message) notice.show(message);
    else notice.hide();
  };
  // The drawing code (terra-draw) is loaded when someone first draws or reshapes, not with the map.
  let drawing: Promise<PolygonEditor> | undefined;
  const editor = () => (drawing ??= import('../edit/polygon-editor.js').then((m) => new m.PolygonEditor(map, ctx, session, done)));
  const aim = new CameraAim(map, session, done);
  // An edit session opens the phone's sheet on its form: a peek for work on the map (drawing,
  // turning a camera), half of the screen for a form.
  const open = async (start: () => unknown, onMap: boolean) => {
    notice.hide();
    if (session.hidden) sheetBefore = sheet.current;
    editTools.hidden = true;
    session.hidden = false;
    sheet.reveal(session, onMap ? 'peek' : 'half');
    await start();
    sheet.reveal(session, onMap ? 'peek' : 'half');
  };
  const drawable = DRAWN_LAYERS.map((id) => ctx.registry.get(id)).filter((l): l is LayerInfo => !!l && l.writable.includes('create'));
  const editTools = h('section', { class: 'panel-section edit-tools', hidden: drawable.length === 0 },
    h('h2', {}, '繪製'),
    drawable.map((l) => h('button', { type: 'button', class: 'secondary', dataset: { create: l.id }, onclick: () => void open(async () => (await editor()).create(l), true) }, `新增${l.title}`)));

  const actions = (layer: LayerInfo, f: Feature, popup: maplibregl.Popup): HTMLElement[] => {
    const act = (label: string, start: () => unknown, action: string, onMap: boolean) =>
      h('button', { type: 'button', class: 'secondary', dataset: { action }, onclick: () => { popup.remove(); void open(start, onMap); } }, label);
    const out: HTMLElement[] = [];
    const canUpdate = layer.writable.includes('update');
    if (layer.id === 'beats' && isInternal(ctx.me)) {
      out.push(h('a', { class: 'button secondary', href: `/briefing?beat=${encodeURIComponent(String(f.properties.code))}` }, '勤前簡報'));
    }
    if (layer.id === 'key-places' && ctx.registry.can('visits', 'create')) {
      out.push(h('button', { type: 'button', class: 'secondary', dataset: { action: 'visit' },
        onclick: () => { popup.remove(); openVisitDialog(ctx, { id: f.id, name: String(f.properties.name) }, () => done('已紀錄查訪')); } }, '紀錄查訪'));
    }
    if (DRAWN_LAYERS.includes(layer.id) && canUpdate) out.push(act('編輯', async () => (await editor()).edit(layer, f.id), 'edit-shape', true));
    if (layer.id === 'cameras' && canUpdate && !layer.writableFields) out.push(act('調整方向', () => aim.start(layer, f.id), 'aim', true));
    if (canUpdate && !DRAWN_LAYERS.includes(layer.id)) {
      out.push(act(layer.writableFields ? '回報狀態' : '編輯屬性', () => editAttributes(session, layer, f.id, done), 'edit', false));
    }
    if (DRAWN_LAYERS.includes(layer.id) && layer.writable.includes('delete')) {
      out.push(h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' },
        onclick: () => { popup.remove(); void editor().then((e) => e.remove(layer, f.id)); } }, '刪除'));
    }
    return out;
  };
  // While something is being edited, a click on the map belongs to the editor.
  enableFeaturePopups(map, ctx, actions, () => session.hidden === true);

  const layers = new LayerPanel(map, ctx.registry);
  // Police accounts analyse what they filter; the community has its own view for that.
  const analyses = isInternal(ctx.me) ? analysisPanel(map, layers, filters, (await analysis.endpoints()).endpoints) : null;
  append(panel, [editTools, session, layers.element,
    filterPanel(map, ctx.registry, filters), analyses]);
  exposeForAutomation(map, layers);
}

/** The map for scripted use (the end-to-end tests, a browser console): window.emap. */
export function exposeForAutomation(map: maplibregl.Map, layers?: LayerPanel): void {
  (window as unknown as { emap: object }).emap = { map, layers };
}
