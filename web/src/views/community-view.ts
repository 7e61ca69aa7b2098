import { analysis } from '../analysis/analysis-api.js';
import { AnalysisOverlays } from '../analysis/overlays.js';
import type { AppContext } from '../app/context.js';
import { ApiError } from '../lib/api.js';
import { append, h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap } from '../map/map.js';
import { enableFeaturePopups } from '../map/popups.js';
import { searchBox } from '../map/search-box.js';
import { mapLayout } from './map-layout.js';
import { exposeForAutomation } from './map-view.js';

/**
 * What a 里長, a 管委會 or a resident sees: public cameras, their coverage and the watch blocks,
 * the hot-spot picture aggregated (small counts suppressed by the server), and where a new
 * camera would help or which camera to turn — for a community account's own area, without any
 * map of what cameras do not see. Nothing sensitive is requested: the style and layers are the
 * public ones (or the community account's), and analysis answers aggregates only.
 */
export async function communityView(ctx: AppContext, main: HTMLElement, tools: HTMLElement): Promise<void> {
  const { panel, mapElement } = mapLayout(main);
  const map = await createMap({ container: mapElement, config: ctx.config, registry: ctx.registry, basemapSwitcher: true });
  tools.append(searchBox(map, ctx.registry));
  enableFeaturePopups(map, ctx, () => []);
  const layers = new LayerPanel(map, ctx.registry);
  const overlays = new AnalysisOverlays(map, layers);
  const { endpoints } = await analysis.endpoints();
  const may = (name: string) => endpoints.includes(`/api/analysis/${name}`);
  const signedIn = ctx.me.role === 'community';

  const hot = h('div', { class: 'analysis-answer', 'aria-live': 'polite' });
  const showHotSpots = async () => {
    replace(hot, h('p', { class: 'hint' }, '計算中…'));
    try {
      const b = map.getBounds();
      const r = await analysis.hotspots({ cellSize: 200, bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(6)).join(',') });
      overlays.showHotSpots(r, true);
      const spots = (r.analysis.binsFdr['3'] ?? 0) + (r.analysis.binsFdr['2'] ?? 0);
      replace(hot, h('p', {}, `畫面中近一年案件的熱點：${spots} 個 200 公尺網格達 95% 以上信心。`),
        h('p', { class: 'legend-note' }, `為保護隱私，只顯示統計結果；少於 ${r.analysis.minCount} 件的網格不顯示件數。`));
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
        replace(answer, h('p', {}, '地圖上的藍色圓點依效益排序，扇形為建議的鏡頭方向。'),
          h('ol', {}, r.features.map((f) => h('li', {}, `朝 ${f.properties.azimuth}° 方向${f.properties.gain ? `，可多涵蓋約 ${formatNumber(f.properties.gain, 0)} 件案件的位置` : ''}`))));
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
      h('h2', {}, '社區治安地圖'),
      h('p', {}, '這裡顯示公開的監視器與其可視範圍，以及守望相助治安區塊。點選地圖上的監視器或區塊可看詳細資料。')),
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
