import * as maplibregl from 'maplibre-gl';
import { analysis, type Disclosure, type Forecast, FORECAST_METHOD_NAMES, type HotSpots } from '../analysis/analysis-api.js';
import { AnalysisOverlays } from '../analysis/overlays.js';
import { siteList } from '../analysis/site-list.js';
import type { AppContext } from '../app/context.js';
import { ApiError } from '../lib/api.js';
import { append, h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap, exposeForAutomation, partOf } from '../map/map.js';
import { communityHome, HomeControl, myLocationControl, outlineHomeArea } from '../map/home-area.js';
import { areaName, myArea } from '../map/my-area.js';
import { periodTitle } from '../rollups/periods.js';
import { enableFeaturePopups } from '../map/popups.js';
import { searchBox } from '../map/search-box.js';
import { mapLayout } from './map-layout.js';

/** The widest square the community view asks hot spots for: a district, in 200 m cells well within the server's limit. */
const HOT_SPOT_SPAN_KM = 16;

/** The part of the view to ask hot spots for: all of it, or a square at its centre when it shows a whole city. */
function hotSpotBox(map: maplibregl.Map): { bbox: [number, number, number, number]; whole: boolean } {
  const b = map.getBounds();
  const [w, s, e, n] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  const c = map.getCenter();
  const halfLat = HOT_SPOT_SPAN_KM / 2 / 111.32;
  const halfLon = halfLat / Math.cos((c.lat * Math.PI) / 180);
  const whole = (e - w) / 2 <= halfLon && (n - s) / 2 <= halfLat;
  return whole ? { bbox: [w, s, e, n], whole } : { bbox: [c.lng - halfLon, c.lat - halfLat, c.lng + halfLon, c.lat + halfLat], whole };
}

/**
 * What a 里長, a 管委會 or a resident sees: public cameras, their coverage and the watch blocks,
 * the hot-spot picture as the server publishes it (200 m squares, whole quarters, counts rounded
 * at random to multiples of 5), and where a new camera would help or which camera to turn — for a
 * community account's own area, without any map of what cameras do not see. Nothing sensitive is
 * requested: the style and layers are the public ones (or the community account's), and analysis
 * answers published figures only. Every figure says it is rounded: 「約 25 件」, 「很少」.
 */

/** A published count as it reads: about n, or very few where it rounded to 0. */
const approx = (n: number) => (n > 0 ? `約 ${formatNumber(n)} 件` : '很少');
/** A camera's gain, in incidents of the published squares spread over them: a tenth at a time. */
const approxGain = (g: number) => (g >= 1 ? `約 ${formatNumber(g)} 件` : g > 0 ? '不到 1 件' : '幾乎沒有');
/** The quarters an answer covers, as reports date them: 114年第四季至115年第三季. */
const quartersTitle = (d: Disclosure) => {
  const [first, last] = [d.quarters[0]!, d.quarters[d.quarters.length - 1]!];
  return first === last ? periodTitle(first) : `${periodTitle(first)}至${periodTitle(last)}`;
};
/** The 村里 of a forecast's first squares, in rank order, each once: 「大豐里、福安里一帶」 (at most three). */
function placesOf(f: Forecast): string {
  const names = [...new Set(f.features.map((x) => x.properties.place).filter((p): p is string => p !== null))].slice(0, 3);
  return names.length ? `${names.join('、')}一帶` : '';
}

/** The quarter after the last one published: the one under way, which a forecast is for. */
function nextQuarterOf(d: Disclosure): string {
  const last = d.quarters[d.quarters.length - 1]!;
  const [year, q] = [Number(last.slice(0, 4)), Number(last.slice(5))];
  return q === 4 ? `${year + 1}Q1` : `${year}Q${q + 1}`;
}
const schemeNote = (d: Disclosure) => h('p', { class: 'legend-note disclosure-note' },
  `公開統計以 ${d.grid.cellSize} 公尺方格、整季為單位，件數隨機進位為 ${d.rounding.base} 的倍數，相減也推算不出個別案件；`
  + `進位後為 0 的顯示「很少」。`);
/**
 * A click on a hot or cold square drawn on the map (not on a camera or cluster above it): a popup
 * with the square's published count. Whether it answered the click.
 */
function showSquare(map: maplibregl.Map, shown: HotSpots, e: maplibregl.MapMouseEvent): boolean {
  const hits = map.queryRenderedFeatures(e.point);
  const square = hits.find((f) => f.layer.id === 'analysis-cells' && Number(f.properties.binFdr) !== 0);
  if (!square || hits.some((f) => ['points', 'clusters'].includes(partOf(map, f.layer.id).part ?? ''))) return false;
  const d = shown.analysis.disclosure!;
  // At most 60 % of the screen wide: MapLibre anchors a popup at its side when the point is
  // within half its width of an edge, so a 280 px one ran off a phone's screen; at 60 % every
  // anchor it chooses keeps the popup, and its close button, on screen.
  new maplibregl.Popup({ maxWidth: 'min(280px, 60vw)', className: 'square-popup' }).setLngLat(e.lngLat)
    .setDOMContent(h('div', { class: 'popup-body' },
      h('h3', {}, `${d.grid.cellSize} 公尺方格`),
      h('p', { class: 'square-count' }, `${quartersTitle(d)}：${approx(Number(square.properties.count))}`),
      schemeNote(d)))
    .addTo(map);
  return true;
}

export async function communityView(ctx: AppContext, main: HTMLElement, tools: HTMLElement): Promise<void> {
  const { panel, mapElement, sheet } = mapLayout(main);
  // A community account opens on its own 村里, outlined.
  const myHome = ctx.me.role === 'community' ? myArea() : Promise.resolve(null);
  const home = myHome.then((a) => (a ? communityHome(a) : null));
  const map = await createMap({ container: mapElement, config: ctx.config, registry: ctx.registry, basemapSwitcher: true, bounds: home.then((a) => a?.bbox) });
  tools.append(searchBox(map, ctx.registry));
  const area = await myHome;
  const homeShown = await home;
  if (homeShown) {
    outlineHomeArea(map, homeShown);
    map.addControl(new HomeControl(homeShown), 'top-left');
  }
  map.addControl(myLocationControl(), 'top-right');
  // A hot-spot square drawn on the map says its own published count; registered first, so that a
  // click it answers opens no feature popup beneath it.
  let shown: HotSpots | undefined;
  let answered = false;
  map.on('click', (e) => { answered = shown !== undefined && showSquare(map, shown, e); });
  enableFeaturePopups(map, ctx, () => [], () => !answered);
  const layers = new LayerPanel(map, ctx.registry);
  const overlays = new AnalysisOverlays(map, layers);
  const { endpoints } = await analysis.endpoints();
  const may = (name: string) => endpoints.includes(`/api/analysis/${name}`);
  const signedIn = ctx.me.role === 'community';

  /**
   * The squares where the most incidents are expected this quarter, from the same published
   * figures, by the method they recommend, outlined on the map; a sentence that says so, or
   * nothing when the forecast cannot be had (the hot spots stand on their own). `asked` numbers
   * the request: an answer to an older one draws nothing.
   */
  let forecasts = 0;
  const forecastNote = async (bbox: number[], asked: number) => {
    try {
      const f = await analysis.forecast({ bbox: bbox.map((x) => x.toFixed(6)).join(',') });
      if (asked !== forecasts) return null;
      overlays.showForecastOutlines(f, '預測本季案件較多的方格');
      const d = f.analysis.disclosure!;
      const how = f.recommended?.fallback
        ? `過去的公開統計太少，無法比較哪種估計方法最準，以「${FORECAST_METHOD_NAMES.counts!.plain}」估計`
        : `比較過去幾季哪種估計方法最準後，以「${FORECAST_METHOD_NAMES[f.method]?.plain ?? f.method}」估計`;
      return h('p', { class: 'forecast-summary' }, f.features.length
        ? `預測：依${quartersTitle(d)}的公開統計，本季（${periodTitle(nextQuarterOf(d))}）案件可能最多的 ${f.features.length} 格以深紅框標示`
          + `${placesOf(f) ? `，最多在${placesOf(f)}` : ''}；${how}。`
        : `${quartersTitle(d)}的公開統計太少，無法預測本季案件較多的地方。`);
    } catch {
      if (asked === forecasts) overlays.clearForecast();
      return null;
    }
  };
  const hot = h('div', { class: 'analysis-answer', 'aria-live': 'polite' });
  const showHotSpots = async () => {
    // A forecast still on its way belongs to the view being replaced.
    const asked = ++forecasts;
    overlays.clearForecast();
    replace(hot, h('p', { class: 'hint' }, '計算中…'));
    try {
      const { bbox, whole } = hotSpotBox(map);
      const r = await analysis.hotspots({ bbox: bbox.map((x) => x.toFixed(6)).join(',') });
      shown = r;
      overlays.showHotSpots(r, true);
      const d = r.analysis.disclosure!;
      const spots = (r.analysis.binsFdr['3'] ?? 0) + (r.analysis.binsFdr['2'] ?? 0);
      replace(hot, h('p', { class: 'hot-summary' }, `${quartersTitle(d)}，${whole ? '畫面中' : `畫面中央約 ${HOT_SPOT_SPAN_KM} 公里見方內`}的方格共${approx(r.analysis.incidents)}案件；`
          + `其中 ${spots} 格（每格 ${d.grid.cellSize} 公尺見方）的案件比周圍明顯多（熱點）。點地圖上著色的方格可看該格件數。`),
        schemeNote(d));
      // The forecast follows when it is ready, beneath the hot spots already shown.
      if (may('forecast')) void forecastNote(bbox, asked).then((note) => note && hot.lastChild?.before(note));
    } catch {
      replace(hot, h('p', { class: 'notice' }, '目前無法取得熱點統計，請稍後再試。'));
    }
  };

  const answer = h('div', { class: 'analysis-answer', 'aria-live': 'polite' });
  const ask = (what: 'new-sites' | 'reaim') => async () => {
    if (!signedIn) {
      replace(answer, h('p', { class: 'notice' }, '請以社區帳號登入，查詢你所在社區的建議。'));
      return;
    }
    replace(answer, h('p', { class: 'hint' }, '分析中…'));
    try {
      if (what === 'new-sites') {
        const r = await analysis.newSites({ k: 3 });
        overlays.showSites(r);
        const d = r.analysis.disclosure!;
        replace(answer, h('p', {}, '地圖上的紫色圓點依效益排序（數字為順序），扇形為建議的鏡頭方向；點選下列各處可移到該處。'),
          await siteList(map, r.features, (f) => `估計可多看到${approxGain(f.properties.gain)}案件的位置`, () => sheet.covers()),
          h('p', { class: 'legend-note disclosure-note' }, `估計依${quartersTitle(d)}的公開統計：每個 ${d.grid.cellSize} 公尺方格的件數（進位為 ${d.rounding.base} 的倍數）`
            + '平均分布在方格內；個別案件的位置不公開。'));
      } else {
        const r = await analysis.reaim({});
        overlays.showReaim(r);
        const moved = r.features.filter((f) => f.properties.changed);
        replace(answer, moved.length
          ? h('ul', {}, moved.map((f) => h('li', {}, `「${f.properties.name}」由 ${f.properties.currentAzimuth}° 轉向 ${f.properties.suggestedAzimuth}°`)))
          : h('p', { class: 'ok' }, '社區內可調整的監視器方向已是最佳。'));
      }
    } catch (err) {
      replace(answer, h('p', { class: 'notice' }, err instanceof ApiError && err.status === 404 ? '此分析功能尚未提供。' : '目前無法取得分析結果，請稍後再試。'));
    }
  };

  append(panel, [
    h('section', { class: 'panel-section intro' },
      h('h1', { class: 'panel-title' }, area ? `社區治安地圖：${areaName(area)}` : '社區治安地圖'),
      area ? h('p', { class: 'my-area-note' }, '紅線圍起的是你的社區範圍。') : null,
      h('p', {}, '這裡顯示公開的監視器與其可視範圍，以及守望相助治安區塊。點選地圖上的監視器或區塊可看詳細資料；點選其他地方可知道那裡歸哪個派出所。')),
    may('hotspots') ? h('section', { class: 'panel-section hot-spots' }, h('h2', {}, '案件熱點'), hot,
      h('button', { type: 'button', class: 'secondary', dataset: { ask: 'hotspots' }, onclick: () => void showHotSpots() }, '依目前畫面重新計算')) : null,
    h('section', { class: 'panel-section camera-help' },
      h('h2', {}, '哪裡加裝監視器最有幫助？'),
      h('p', {}, '依近年案件分布，建議社區新設監視器的位置與方向，或哪支可調整的監視器該轉向。'),
      h('div', { class: 'actions start' },
        h('button', { type: 'button', class: 'primary', dataset: { ask: 'new-sites' }, onclick: ask('new-sites') }, '建議新設位置'),
        h('button', { type: 'button', class: 'secondary', dataset: { ask: 'reaim' }, onclick: ask('reaim') }, '建議調整方向')),
      answer),
    layers.element]);
  exposeForAutomation(map, layers);
  if (may('hotspots')) await showHotSpots();
}
