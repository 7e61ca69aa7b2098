import type { AppContext } from '../app/context.js';
import { api, ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { LayerPanel } from '../map/layer-panel.js';
import { createMap } from '../map/map.js';
import { enableFeaturePopups } from '../map/popups.js';
import { mapLayout } from './map-layout.js';
import { exposeForAutomation } from './map-view.js';

/**
 * What a 里長, a 管委會 or a resident sees: public cameras and the watch blocks, aggregated
 * hot spots, and where a new camera would help. The map's style and layers are the public
 * ones (or the community account's), so nothing sensitive is ever requested.
 */
export async function communityView(ctx: AppContext, main: HTMLElement): Promise<void> {
  const { panel, mapElement } = mapLayout(main);
  const map = await createMap({ container: mapElement, config: ctx.config, registry: ctx.registry });
  enableFeaturePopups(map, ctx, () => []);
  const answer = h('div', { class: 'analysis-answer', 'aria-live': 'polite' });
  const ask = h('button', { type: 'button', class: 'primary', onclick: async () => {
    ask.disabled = true;
    try {
      await api.get('/api/analysis');
    } catch (err) {
      replace(answer, h('p', { class: 'notice' }, err instanceof ApiError && err.status === 404
        ? '監視器建議分析功能尚未提供，敬請期待。' : '目前無法取得分析結果，請稍後再試。'));
    } finally {
      ask.disabled = false;
    }
  } }, '分析這個區域');
  panel.append(
    h('section', { class: 'panel-section intro' },
      h('h2', {}, '社區治安地圖'),
      h('p', {}, '這裡顯示公開的監視器與守望相助治安區塊。點選地圖上的監視器或區塊可看詳細資料。')),
    h('section', { class: 'panel-section camera-help' },
      h('h2', {}, '哪裡加裝監視器最有幫助？'),
      h('p', {}, '依近年案件分布，建議新設監視器的位置與方向，或可調整方向的既有監視器。'),
      ask, answer),
    new LayerPanel(map, ctx.registry).element);
  exposeForAutomation(map);
}
