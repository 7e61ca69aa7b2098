import type { AppContext } from '../app/context.js';
import { ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { taiwanDate } from '../lib/format.js';
import { unitName } from '../map/display-names.js';
import { listFeatures } from '../map/features.js';
import { periodChoices } from '../rollups/periods.js';
import { fetchRollup, LEVEL_LABELS, rollupUrl, type Level, type RollupRequest } from '../rollups/rollup-api.js';
import { rollupSheet } from '../rollups/rollup-sheet.js';

const CUSTOM = 'custom';

/**
 * The 彙整 page: the figures the 警察局 asks each precinct for every half year, per unit, as a
 * report to print or download (CSV for Excel, Big5 on request). What is shown is in the page's
 * address (a plain GET form), so a report can be bookmarked or sent to a colleague.
 */
export async function rollupsView(ctx: AppContext, main: HTMLElement): Promise<void> {
  main.classList.add('sheet-page');
  const request = requestFrom(new URLSearchParams(location.search), ctx);
  const body = h('div', { class: 'rollup-body', 'aria-live': 'polite' }, h('p', { class: 'hint' }, '統計中…'));
  // The figures and the toolbar's unit lists are asked for together.
  const [bar, answer] = await Promise.all([toolbar(ctx, request),
    fetchRollup(request).then((rollup) => ({ rollup }), (err: unknown) => ({ err }))]);
  main.append(bar, body);
  if ('err' in answer) {
    const { err } = answer;
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    replace(body, h('p', { class: 'form-error', role: 'alert' }, `無法產生報表：${err.message}`));
    return;
  }
  const { rollup } = answer;
  replace(body, rollupSheet(ctx, rollup));
  document.title = `治安彙整報表 ${rollup.unit?.name ?? ''} ${rollup.period.label}`;
}

/** The request the address asks for; empty fields are left to the server's defaults. */
function requestFrom(q: URLSearchParams, ctx: AppContext): RollupRequest {
  const get = (k: string) => q.get(k) || undefined;
  const defaultLevel: Level = ctx.me.role === 'admin' ? 'precinct' : ctx.me.role === 'officer' ? 'beat' : 'station';
  const custom = get('period') === CUSTOM || (!get('period') && (get('from') || get('to')));
  return {
    by: (get('by') as Level | undefined) ?? defaultLevel,
    unit: get('unit') ?? (ctx.me.role === 'officer' ? ctx.me.stationCode ?? undefined : undefined),
    ...(custom ? { from: get('from'), to: get('to') } : { period: get('period') }),
    replaceAfter: get('replaceAfter') ? Number(get('replaceAfter')) : undefined,
  };
}

async function toolbar(ctx: AppContext, r: RollupRequest): Promise<HTMLElement> {
  const { me } = ctx;
  const levels: Level[] = me.precinctCode ? ['precinct', 'station', 'beat'] : ['bureau', 'precinct', 'station', 'beat'];
  const [precincts, stations, ownName] = await Promise.all([
    me.precinctCode ? Promise.resolve([]) : listFeatures('precincts', {}, 500),
    listFeatures('stations', me.precinctCode ? { precinct_code: me.precinctCode } : {}, 2000),
    me.precinctCode ? unitName(me.precinctCode) : Promise.resolve(''),
  ]);
  const option = (value: string, label: string, selected: boolean) => h('option', { value, selected }, label);
  const units = h('select', { name: 'unit', 'aria-label': '範圍' },
    me.precinctCode ? option(me.precinctCode, `本分局（${ownName}）`, !r.unit || r.unit === me.precinctCode) : option('', '全轄', !r.unit),
    precincts.length ? h('optgroup', { label: '分局' }, precincts.map((p) => option(String(p.properties.code), String(p.properties.name), r.unit === p.properties.code))) : null,
    h('optgroup', { label: '派出所' }, stations.map((s) => option(String(s.properties.code), String(s.properties.name), r.unit === s.properties.code))));
  const from = h('input', { type: 'date', name: 'from', value: r.from ?? '', 'aria-label': '起日' });
  const to = h('input', { type: 'date', name: 'to', value: r.to ?? '', 'aria-label': '迄日' });
  const custom = h('span', { class: 'custom-period' }, from, '～', to);
  const isCustom = r.period === undefined && (r.from !== undefined || r.to !== undefined);
  const period = h('select', { name: 'period', 'aria-label': '期間', onchange: () => showCustom(period.value === CUSTOM) },
    option('', '本半年', !r.period && !isCustom),
    periodChoices(taiwanDate()).map((g) => h('optgroup', { label: g.group }, g.choices.map((c) => option(c.value, c.label, r.period === c.value)))),
    option(CUSTOM, '自訂起訖…', isCustom));
  // Dates of a hidden custom span must not be sent with a named period.
  const showCustom = (show: boolean) => { custom.hidden = !show; from.disabled = !show; to.disabled = !show; };
  showCustom(isCustom);
  const csv = (label: string, extra: Record<string, string>) => h('a', { class: 'button secondary', href: rollupUrl(r, { format: 'csv', ...extra }), download: '' }, label);
  return h('form', { class: 'sheet-toolbar rollup-toolbar no-print', method: 'get', action: '/rollups' },
    h('label', {}, '統計層級 ', h('select', { name: 'by', 'aria-label': '統計層級' }, levels.map((l) => option(l, `依${LEVEL_LABELS[l]}`, r.by === l)))),
    h('label', {}, '範圍 ', units),
    h('label', {}, '期間 ', period), custom,
    h('label', {}, '汰換年限 ', h('input', { type: 'number', name: 'replaceAfter', min: 1, max: 50, step: 1, value: r.replaceAfter ?? '', placeholder: '7', class: 'years', 'aria-label': '汰換年限（年）' }), ' 年'),
    h('button', { type: 'submit', class: 'primary' }, '產製報表'),
    h('span', { class: 'toolbar-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, '列印'),
      csv('下載 CSV', {}),
      csv('CSV（Big5）', { encoding: 'big5' }),
      ctx.registry.get('key-places') ? csv('逾期清單 CSV', { table: 'overdue' }) : null,
      ctx.registry.get('patrol-signins') ? csv('巡簽表 CSV', { table: 'patrol' }) : null,
      ctx.registry.get('patrol-signins') ? csv('巡邏計畫執行 CSV', { table: 'plans' }) : null));
}
