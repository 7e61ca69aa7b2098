import type * as maplibregl from 'maplibre-gl';
import { analysis } from '../analysis/analysis-api.js';
import { analysisPanel } from '../analysis/analysis-panel.js';
import type { AppContext } from '../app/context.js';
import { isInternal, isPlanner } from '../app/session.js';
import type { LayerInfo } from '../app/registry.js';
import { CameraAim } from '../edit/camera-aim.js';
import { editAttributes } from '../edit/attribute-editor.js';
import { showHistory } from '../edit/history-panel.js';
import type { PolygonEditor } from '../edit/polygon-editor.js';
import { openVisitDialog } from '../edit/visit-dialog.js';
import { ApiError } from '../lib/api.js';
import { append, h } from '../lib/dom.js';
import { Notice } from '../lib/notice.js';
import type { Feature } from '../map/features.js';
import { filterPanel, lastDays, RECENT_INCIDENT_DAYS } from '../map/filter-panel.js';
import { MeasureTool } from '../map/measure.js';
import { forgetScannedCode, pointOfCode, signIn, takeScannedCode } from '../map/patrol-sign-in.js';
import { enableMapPrinting } from '../map/print-map.js';
import { markOverdueVisits } from '../map/overdue.js';
import { keepAddressCurrent, readSharedState, sharedUrl } from '../map/share-link.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap, exposeForAutomation } from '../map/map.js';
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
  // A share link (the address after #) restores its view, layers and filters instead.
  const shared = readSharedState(location.hash, ctx.registry);
  const home = homeArea(ctx.me);
  const filters = new TileFilters();
  if (shared.filters !== undefined) filters.load(shared.filters);
  else if (isInternal(ctx.me) && ctx.registry.get('incidents')?.temporal) filters.set('incidents', 'datetime', lastDays(RECENT_INCIDENT_DAYS));
  const map = await createMap({
    container: mapElement, config: ctx.config, registry: ctx.registry, basemapSwitcher: true,
    bounds: home.then((a) => a?.bbox), view: shared.view, tileQuery: () => filters.query(),
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
  // Those who may draw have it fetched once the map is drawn, so 新增 answers at once.
  if (DRAWN_LAYERS.some((id) => ctx.registry.can(id, 'create') || ctx.registry.can(id, 'update'))) {
    map.once('idle', () => void import('../edit/polygon-editor.js'));
  }
  const aim = new CameraAim(map, session, done, () => sheet.covers('peek'));
  // An edit session opens the phone's sheet on its form: a peek for work on the map (drawing,
  // turning a camera), half of the screen for a form.
  const open = async (start: () => unknown, onMap: boolean) => {
    notice.hide();
    // A tap on the map now belongs to the session, not to a measure.
    measure.finish();
    if (session.hidden) sheetBefore = sheet.current;
    editTools.hidden = true;
    session.replaceChildren(h('p', { class: 'hint' }, '載入中…'));
    session.hidden = false;
    sheet.reveal(session, onMap ? 'peek' : 'half');
    try {
      await start();
    } catch (err) {
      // Whatever could not be read (a record since deleted, the network) is said, with a way out.
      session.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.message : '無法開啟，請稍後再試。'),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => done() }, '關閉')));
    }
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
    if (layer.id === 'patrol-points' && ctx.me.role === 'officer') {
      out.push(h('button', { type: 'button', class: 'primary', dataset: { action: 'sign-in' },
        onclick: () => { popup.remove(); void signInAt(f.id); } }, '簽到'));
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
    // Every change is kept and attributed: police read it, those who may edit step back to it.
    if (isInternal(ctx.me) && !layer.ground) out.push(act('修改紀錄', () => showHistory(session, layer, f.id, done), 'history', false));
    if (DRAWN_LAYERS.includes(layer.id) && layer.writable.includes('delete')) {
      out.push(h('button', { type: 'button', class: 'danger', dataset: { action: 'delete' },
        onclick: () => { popup.remove(); void editor().then((e) => e.remove(layer, f.id)); } }, '刪除'));
    }
    return out;
  };
  // 電子巡簽: at a point from its popup, or by its QR code (whose link opened this page).
  const signInAt = async (pointId: number, token?: string) => {
    notice.show('定位中，請稍候…');
    const outcome = await signIn(pointId, token);
    notice.show(outcome.message, outcome.refused);
  };
  const code = takeScannedCode();
  if (code !== undefined && ctx.me.role === 'officer') {
    forgetScannedCode();
    const point = pointOfCode(code);
    if (point === undefined) notice.show('這不是有效的簽到 QR code：請重新掃描簽到點上的 QR code。', true);
    else void signInAt(point, code);
  } else if (code !== undefined) {
    // Kept for this tab: after signing in as an officer, the reload signs in with it.
    notice.show(ctx.me.role === 'public' ? '請先以員警帳號登入，登入後會自動以這個 QR code 簽到。' : '巡簽由員警帳號進行：請以員警帳號登入後再掃描。', true);
    if (ctx.me.role !== 'public') forgetScannedCode();
  }

  const measure = new MeasureTool(map, () => { popups.close(); sheet.reveal(mapTools, 'peek'); }, () => !session.hidden);
  // While something is being edited or measured, a click on the map belongs to that.
  const popups = enableFeaturePopups(map, ctx, actions, () => session.hidden === true && !measure.active);

  const layers = new LayerPanel(map, ctx.registry);
  if (shared.layers) layers.showOnly(shared.layers);
  keepAddressCurrent(map, layers, filters);
  const share = async () => {
    const url = sharedUrl(map, layers, filters);
    const copied = await navigator.clipboard?.writeText(url).then(() => true, () => false);
    notice.show(copied ? '已複製這個畫面的連結（含圖層與篩選），貼給同仁即可開啟同一畫面' : `請複製這個連結：${url}`);
  };
  const print = enableMapPrinting(map, layers,
    { unit: area?.name ?? null, restricted: isInternal(ctx.me), demoNote: ctx.config.demo ? `${ctx.config.demo.label}：${ctx.config.demo.note}` : null },
    area ? `電子地圖：${area.name}` : '社區治安電子地圖');
  const mapTools = h('section', { class: 'panel-section map-tools' }, h('h2', {}, '地圖工具'),
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', dataset: { tool: 'share' }, onclick: () => void share() }, '分享連結'),
      measure.buttons,
      h('button', { type: 'button', class: 'secondary', dataset: { tool: 'print' }, onclick: print }, '列印地圖')),
    measure.element);
  // Police accounts analyse what they filter; the community has its own view for that.
  const analyses = isInternal(ctx.me) ? analysisPanel(map, layers, filters, (await analysis.endpoints()).endpoints, isPlanner(ctx.me)) : null;
  // The page's heading, for screen readers and the document outline; the map says the rest.
  append(panel, [h('h1', { class: 'visually-hidden' }, '電子地圖'), editTools, session, mapTools, layers.element,
    filterPanel(map, ctx.registry, filters), analyses]);
  exposeForAutomation(map, layers);
}
