import type * as maplibregl from 'maplibre-gl';
import { curveChart } from '../charts/curve-chart.js';
import { hotHours as busiest, hourWeekChart } from '../charts/hour-week-chart.js';
import { ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { formatNumber, taiwanDate, WEEKDAYS } from '../lib/format.js';
import type { LayerPanel } from '../map/layer-panel.js';
import type { TileFilters } from '../map/tile-filters.js';
import { siteList } from './site-list.js';
import { analysis, type Params } from './analysis-api.js';
import { AnalysisOverlays, explain } from './overlays.js';

const DAY_MS = 86_400_000;
const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${formatNumber(x * 100, digits)}%`);
const table = (head: string[], rows: (string | number)[][]) => h('table', { class: 'compact' },
  h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
  h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, String(c)))))));

const METHOD_LABELS: Record<string, string> = { counts: '前期件數', kde: '案件密度', gistar: '熱點' };

/**
 * The analysis tools of the e-map, on the incidents the filter panel selects and the area in
 * view (or the caller's own area): hot spots (Gi*) or kernel density as a layer, hot hours,
 * camera coverage, re-aim suggestions, new camera sites and a back-test of the hot-spot methods.
 */
export function analysisPanel(map: maplibregl.Map, layers: LayerPanel, filters: TileFilters, endpoints: string[], forPlanners: boolean): HTMLElement {
  const overlays = new AnalysisOverlays(map, layers);
  const has = (name: string) => endpoints.includes(`/api/analysis/${name}`);
  const result = h('div', { class: 'analysis-result', 'aria-live': 'polite' });
  const scope = h('select', { name: 'scope' }, h('option', { value: 'view' }, '目前畫面'), h('option', { value: 'own' }, '我的轄區'));
  const grid = h('select', { name: 'grid' }, h('option', { value: 'square' }, '方格'), h('option', { value: 'hexagon' }, '六角格'));
  const cellSize = h('input', { type: 'number', name: 'cellSize', min: 10, max: 5000, value: '150', step: 10 });
  const fdr = h('input', { type: 'checkbox', name: 'fdr', checked: true });

  /** The request's scope and incident filter: what the map shows is what is analysed. */
  const params = (): Params => {
    const b = map.getBounds();
    return {
      ...(scope.value === 'view' ? { bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(6)).join(',') } : {}),
      types: filters.get('incidents', 'type'), datetime: filters.get('incidents', 'datetime'),
      hour: filters.get('incidents', 'hour'), weekday: filters.get('incidents', 'weekday'),
    };
  };
  const run = (label: string, work: () => Promise<Node[]>) => async () => {
    replace(result, h('p', { class: 'hint' }, `${label}分析中…`));
    try {
      replace(result, h('h3', {}, label), ...(await work()));
    } catch (err) {
      replace(result, h('p', { class: 'form-error' }, err instanceof ApiError ? err.message : '分析失敗，請稍後再試'));
    }
  };

  const hotSpots = run('熱點', async () => {
    const r = await analysis.hotspots({ ...params(), grid: grid.value, cellSize: cellSize.value });
    overlays.showHotSpots(r, fdr.checked);
    const bins = fdr.checked ? r.analysis.binsFdr : r.analysis.bins;
    const hot = (bins['3'] ?? 0) + (bins['2'] ?? 0);
    return [h('p', {}, `${formatNumber(r.analysis.incidents)} 件案件、${formatNumber(r.analysis.cells)} 格中，熱點 ${hot} 格：這些格子的案件比周圍明顯多，地圖上以紅色標示。`),
      ...r.analysis.warnings.map((w) => h('p', { class: 'warning' }, w)),
      explain(`熱點為 95% 以上信心的網格（統計方法 Getis-Ord Gi*${fdr.checked ? '，已校正多重比較（FDR）' : ''}）。`)];
  });
  const density = run('案件密度', async () => {
    const r = await analysis.density({ ...params(), cellSize: Math.max(25, Math.round(Number(cellSize.value) / 3)) });
    overlays.showDensity(r);
    return [h('p', {}, `最密集處每平方公里約 ${formatNumber(r.analysis.maxDensity, 1)} 件。`),
      explain(`每個位置計入周圍 ${r.analysis.bandwidth} 公尺內的案件，越近權重越高（四次核密度估計）。`)];
  });
  const hours = run('熱時', async () => {
    const r = await analysis.hotHours(params());
    const top = busiest(r.matrix);
    return [hourWeekChart(r.matrix, '案件的星期與時段分布'),
      h('p', { class: 'hot' }, top.length ? `最多：${top.map((c) => `週${WEEKDAYS[c.weekday - 1]} ${c.hour} 時（${c.count} 件）`).join('、')}` : '沒有案件'),
      h('p', { class: 'legend-note' }, `共 ${formatNumber(r.total)} 件`)];
  });
  const coverage = run('監視覆蓋', async () => {
    const r = await analysis.coverage(params());
    return [table(['項目', '數值'], [
      ['監視器（正常／故障／離線）', `${r.cameras.total}（${r.cameras.working}／${r.cameras.broken}／${r.cameras.offline}）`],
      ['覆蓋面積比例', pct(r.area.coveredShare)],
      ['故障、離線造成的覆蓋缺口', `${formatNumber(r.area.lostM2)} 平方公尺（${pct(r.area.lostShare)}）`],
      ...(r.incidents ? [['在覆蓋範圍內的案件', `${formatNumber(r.incidents.covered)}／${formatNumber(r.incidents.total)}（${pct(r.incidents.coveredShare)}）`]] : []),
      ...(r.keyPlaces ? [['在監視範圍內的治安重點處所', `${r.keyPlaces.inView}／${r.keyPlaces.total}（${pct(r.keyPlaces.share)}）`]] : []),
    ])];
  });
  const reaim = run('鏡頭調整建議', async () => {
    const r = await analysis.reaim(params());
    overlays.showReaim(r);
    const moved = r.features.filter((f) => f.properties.changed).sort((a, b) => b.properties.gain - a.properties.gain);
    const t = r.analysis.totals;
    return [h('p', {}, `可調整的監視器 ${r.analysis.cameras.adjustable} 支，建議轉向 ${moved.length} 支；覆蓋的案件權重由 ${formatNumber(t.before, 1)}（${pct(t.beforeShare)}）增為 ${formatNumber(t.after, 1)}（${pct(t.afterShare)}）。`),
      moved.length ? table(['監視器', '方位角', '增加覆蓋（件）'], moved.slice(0, 12).map((f) => [
        f.properties.name, `${f.properties.currentAzimuth}° → ${f.properties.suggestedAzimuth}°`, formatNumber(f.properties.gain, 1)])) : h('p', { class: 'ok' }, '目前方向已是最佳。')];
  });
  const sites = run('新設監視器建議', async () => {
    const r = await analysis.newSites({ ...params(), k: 5 });
    overlays.showSites(r);
    const curve = r.curve.filter((c) => c.share !== null).map((c) => ({ x: c.k, y: c.share! }));
    return [h('p', { class: 'hint' }, '地圖上的紫色圓點依效益排序，扇形為建議的鏡頭方向；點選下列各處可移到該處。'),
      await siteList(map, r.features, (f) => `可多涵蓋約 ${formatNumber(f.properties.gain, 1)} 件案件（依案件權重）`),
      curve.length ? curveChart(curve, '新設監視器數與案件覆蓋比例', '新設支數') : h('p', {}, '')];
  });
  const backtest = run('熱點方法回測', async () => {
    const now = Date.now();
    const test = `${taiwanDate(new Date(now - 28 * DAY_MS))}/..`;
    const train = `${taiwanDate(new Date(now - (28 + 180) * DAY_MS))}/${taiwanDate(new Date(now - 29 * DAY_MS))}`;
    const { types, hour, weekday, bbox } = params();
    const r = await analysis.backtest({ bbox, types, hour, weekday, train, test, shares: '0.01,0.05', cellSize: cellSize.value });
    return [h('p', { class: 'legend-note' }, `以前 180 天預測最近 28 天：標出面積 1% 或 5% 的網格，能抓到多少案件。`),
      explain('命中率：標出的網格抓到最近 28 天案件的比例。PAI：命中率除以面積比例，越高越有效率。PEI*：抓到的案件占同面積最多可能抓到的比例（1 為最好）。'),
      table(['方法', '面積', '命中率', 'PAI', 'PEI*'], r.results.flatMap((m) => m.scores.map((s) => [
        METHOD_LABELS[m.method] ?? m.method, pct(s.share, 0), pct(s.hitRate), s.pai === null ? '—' : formatNumber(s.pai, 1), s.peiStar === null ? '—' : formatNumber(s.peiStar, 2)])))];
  });

  const tool = (name: string, label: string, action: () => Promise<void>) =>
    has(name) ? h('button', { type: 'button', class: 'secondary', dataset: { analysis: name }, onclick: () => void action() }, label) : null;
  // Officers get the answers in plain words; the method's settings and its back-test are the
  // planners' (an officer analyses with the defaults).
  return h('section', { class: 'panel-section analysis' },
    h('h2', {}, '分析'),
    h('p', { class: 'hint' }, '分析篩選條件中的案件；範圍為目前畫面或你的轄區。'),
    h('div', { class: 'analysis-options' },
      h('label', {}, '範圍 ', scope),
      forPlanners ? [h('label', {}, '網格 ', grid), h('label', {}, '大小 ', cellSize, ' 公尺'), h('label', {}, fdr, ' 校正多重比較（FDR）')] : null),
    h('div', { class: 'analysis-tools' },
      tool('hotspots', '熱點', hotSpots), tool('density', '案件密度', density), tool('hot-hours', '熱時', hours),
      tool('coverage', '監視覆蓋', coverage), tool('reaim', '鏡頭調整', reaim), tool('new-sites', '新設點位', sites),
      forPlanners ? tool('backtest', '方法回測', backtest) : null),
    result);
}
