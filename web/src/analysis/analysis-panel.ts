import type * as maplibregl from 'maplibre-gl';
import { curveChart } from '../charts/curve-chart.js';
import { hotHours as busiest, hourWeekChart } from '../charts/hour-week-chart.js';
import { ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { formatNumber, taiwanDate, WEEKDAYS } from '../lib/format.js';
import type { LayerPanel } from '../map/layer-panel.js';
import type { TileFilters } from '../map/tile-filters.js';
import { siteList } from './site-list.js';
import { analysis, type Fallback, FORECAST_METHOD_NAMES, type Params } from './analysis-api.js';
import { AnalysisOverlays, explain } from './overlays.js';

const DAY_MS = 86_400_000;
const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${formatNumber(x * 100, digits)}%`);
const table = (head: string[], rows: (string | number)[][]) => h('table', { class: 'compact' },
  h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
  h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, String(c)))))));

const methodLabel = (m: string) => FORECAST_METHOD_NAMES[m]?.label ?? m;
const FALLBACKS: Record<Exclude<Fallback, null>, string> = {
  too_few_incidents: '案件太少，以前期件數代替', not_converged: '模型未收斂，以前期件數代替',
  unstable: '模型不穩定（每件案件引發一件以上），以前期件數代替', no_covariates: '沒有可用的環境資料，以前期件數代替',
};

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
    // Three rolling windows: 180 days forecast the next 28, moved 28 days later each time.
    const now = Date.now();
    const firstTest = now - 3 * 28 * DAY_MS;
    const test = `${taiwanDate(new Date(firstTest))}/${taiwanDate(new Date(firstTest + 27 * DAY_MS))}`;
    const train = `${taiwanDate(new Date(firstTest - 180 * DAY_MS))}/${taiwanDate(new Date(firstTest - DAY_MS))}`;
    const { types, hour, weekday, bbox } = params();
    const r = await analysis.backtest({ bbox, types, hour, weekday, train, test, windows: 3, shares: '0.01,0.05', cellSize: cellSize.value });
    const fallbacks = new Map(r.results.map((m) => [m.method, m.fallback]));
    const figure = (x: { mean: number | null; sd: number | null }, digits: number) =>
      (x.mean === null ? '—' : `${formatNumber(x.mean, digits)}${x.sd ? ` ± ${formatNumber(x.sd, digits)}` : ''}`);
    return [h('p', { class: 'legend-note' }, `以前 180 天預測其後 28 天，連續 3 次（最近 84 天）：標出面積 1% 或 5% 的網格，平均能抓到多少案件。`),
      h('p', { class: 'recommended' }, `建議方法：${methodLabel(r.recommended.method)}（${FORECAST_METHOD_NAMES[r.recommended.method]?.plain ?? ''}）——只用最近一次的訓練期間內部回測選出，未看驗證期間。`),
      explain('PAI：抓到的案件比例除以面積比例，越高越有效率。PEI*：抓到的案件占同面積最多可能抓到的比例（1 為最好）。± 為 3 次之間的差異（標準差）。「建議（依訓練期間選）」為每次只用訓練期間選出的方法實際的成績。'),
      table(['方法', '面積', 'PAI', 'PEI*', '備註'], r.summary.flatMap((m) => m.scores.map((s) => [
        m.method === 'recommended' ? '建議（依訓練期間選）' : `${methodLabel(m.method)}${m.method === r.recommended.method ? ' ★' : ''}`,
        pct(s.share, 0), figure(s.pai, 1), figure(s.peiStar, 2),
        m.method === 'recommended' ? '' : (() => { const f = fallbacks.get(m.method); return f ? `最近一次：${FALLBACKS[f]}` : ''; })()])))];
  });
  const methodChoice = h('select', { name: 'method' }, h('option', { value: '' }, '建議方法'),
    Object.entries(FORECAST_METHOD_NAMES).map(([value, m]) => h('option', { value }, m.label)));
  const forecast = run('預測熱點', async () => {
    const { types, hour, weekday, bbox } = params();
    const r = await analysis.forecast({ bbox, types, hour, weekday, cellSize: cellSize.value, method: forPlanners ? methodChoice.value || undefined : undefined });
    overlays.showForecast(r);
    const name = FORECAST_METHOD_NAMES[r.method];
    const lines: HTMLElement[] = [h('p', {}, r.features.length
      ? `依近三年 ${formatNumber(r.analysis.history.incidents ?? 0)} 件案件，未來 ${r.analysis.horizonDays} 天最可能有案件的 ${r.features.length} 格以紅色標示（越深越可能）`
        + `${r.features[0]!.properties.place ? `，最可能的在${r.features[0]!.properties.place}` : ''}。`
      : '這個範圍近三年的案件太少，無法預測。'),
      h('p', { class: 'legend-note' }, `方法：${name?.label ?? r.method}——${name?.plain ?? ''}${!r.recommended ? '' : r.recommended.fallback ? '（資料不足以比較各方法，以前期件數預測）' : '（依過去資料回測選出的建議方法）'}。`)];
    if (r.fallback) lines.push(h('p', { class: 'warning' }, FALLBACKS[r.fallback]));
    return lines;
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
      forPlanners ? [h('label', {}, '網格 ', grid), h('label', {}, '大小 ', cellSize, ' 公尺'), h('label', {}, fdr, ' 校正多重比較（FDR）'),
        has('forecast') ? h('label', {}, '預測方法 ', methodChoice) : null] : null),
    h('div', { class: 'analysis-tools' },
      tool('hotspots', '熱點', hotSpots), tool('forecast', '預測熱點', forecast), tool('density', '案件密度', density), tool('hot-hours', '熱時', hours),
      tool('coverage', '監視覆蓋', coverage), tool('reaim', '鏡頭調整', reaim), tool('new-sites', '新設點位', sites),
      forPlanners ? tool('backtest', '方法回測', backtest) : null),
    result);
}
