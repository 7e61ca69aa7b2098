import type { AppContext } from '../app/context.js';
import { choiceLabel } from '../app/registry.js';
import { barChart, type Bar } from '../charts/bar-chart.js';
import { tableScroll } from '../lib/table-scroll.js';
import { h } from '../lib/dom.js';
import { formatDate, formatNumber } from '../lib/format.js';
import { periodTitle } from './periods.js';
import { LEVEL_LABELS, type Figures, type Rollup, type Unit } from './rollup-api.js';

const pct = (share: number | null | undefined) => (share === null || share === undefined ? '—' : `${formatNumber(share * 100, 1)}%`);
const signedPct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${n > 0 ? '+' : ''}${formatNumber(n, 1)}%`);
const count = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));
/** Below this 妥善率 the headline is marked: the plans ask that cameras be kept working. */
const AVAILABILITY_TARGET = 0.9;
/** Per-unit charts stop being readable beyond this many bars; the table has every unit. */
const MAX_UNIT_BARS = 40;

/** One column of the units table: which section it belongs to and how a unit's figure reads. */
interface Column { section: keyof Figures; head: string; value: (f: Figures) => string; className?: string }

const COLUMNS: Column[] = [
  { section: 'keyPlaces', head: '列管', value: (f) => count(f.keyPlaces?.listed) },
  { section: 'keyPlaces', head: '新列管', value: (f) => count(f.keyPlaces?.listedInPeriod) },
  { section: 'visits', head: '應查', value: (f) => count(f.visits?.due) },
  { section: 'visits', head: '已查', value: (f) => count(f.visits?.dueVisited) },
  { section: 'visits', head: '完成率', value: (f) => pct(f.visits?.rate) },
  { section: 'visits', head: '逾期', value: (f) => count(f.visits?.overdue), className: 'warn' },
  { section: 'cameras', head: '總數', value: (f) => count(f.cameras?.total) },
  { section: 'cameras', head: '妥善率', value: (f) => pct(f.cameras?.availability) },
  { section: 'cameras', head: '未連網', value: (f) => count(f.cameras?.notNetworked) },
  { section: 'cameras', head: '無車牌辨識', value: (f) => count(f.cameras?.noLpr) },
  { section: 'cameras', head: '屆汰換', value: (f) => count(f.cameras?.replacementDue) },
  { section: 'watch', head: '區塊', value: (f) => count(f.watch?.blocks) },
  { section: 'watch', head: '認養', value: (f) => count(f.watch?.adopters) },
  { section: 'drones', head: '規劃', value: (f) => count(f.drones?.surveys) },
  { section: 'drones', head: '執行', value: (f) => count(f.drones?.done) },
  { section: 'incidents', head: '本期', value: (f) => count(f.incidents?.current) },
  { section: 'incidents', head: '前期', value: (f) => count(f.incidents?.previous) },
  { section: 'incidents', head: '增減', value: (f) => signedPct(f.incidents?.changePct) },
  { section: 'patrol', head: '巡簽點', value: (f) => count(f.patrol?.points) },
  { section: 'patrol', head: '未簽到', value: (f) => count(f.patrol?.pointsMissed), className: 'warn' },
  { section: 'patrol', head: '簽到次數', value: (f) => count(f.patrol?.signIns) },
];

/** The units table's heading over each section's columns. */
const SECTION_HEADS: Record<keyof Figures, string> = {
  keyPlaces: '治安重點處所', visits: '到期查訪', cameras: '監視器', watch: '守望相助', drones: '無人機空拍', incidents: '案件', patrol: '電子巡簽',
};

/**
 * The printable 彙整 report: headline figures for the whole scope, charts by unit and by
 * category, one table row per unit with a 合計 row, the overdue visits and the drone findings.
 * Only the sections the server sent are drawn (the others are not the caller's to see).
 */
export function rollupSheet(ctx: AppContext, r: Rollup): HTMLElement {
  const has = (s: keyof Figures) => r.sections.includes(s);
  const scopeName = r.unit?.name ?? '全轄';
  return h('article', { class: 'sheet rollup-sheet', id: 'rollup-sheet' },
    h('header', { class: 'sheet-head' },
      h('h1', {}, `治安彙整報表　${scopeName}`, h('small', {}, `${periodTitle(r.period.label)}・依${LEVEL_LABELS[r.by]}`)),
      h('p', {}, [`期間 ${formatDate(r.period.from)}～${formatDate(r.period.to)}`,
        `比較前期 ${formatDate(r.period.previous.from)}～${formatDate(r.period.previous.to)}`,
        `列管資料截至 ${formatDate(r.asOf)}`, has('cameras') ? `監視器使用 ${r.replaceAfterYears} 年以上屆汰換` : null].filter(Boolean).join('・'))),
    headline(r.total, has),
    h('div', { class: 'rollup-charts' }, charts(ctx, r, has)),
    unitsTable(r, has),
    r.overdue ? overdueTable(ctx, r) : null,
    r.camerasDown ? downTable(ctx, r) : null,
    r.patrolPoints ? patrolTable(ctx, r) : null,
    r.patrolPlans ? plansTable(r) : null,
    r.droneFindings ? findingsTable(ctx, r) : null);
}

function headline(t: Figures, has: (s: keyof Figures) => boolean): HTMLElement {
  const card = (title: string, figure: string, detail: string, tone = '') => h('div', { class: `kpi ${tone}` },
    h('div', { class: 'kpi-title' }, title), h('div', { class: 'kpi-figure' }, figure), h('div', { class: 'kpi-detail' }, detail));
  const { keyPlaces: kp, visits: v, cameras: c, watch: w, drones: d, incidents: i } = t;
  return h('section', { class: 'kpis' },
    has('keyPlaces') && kp ? card('治安重點處所', `${count(kp.listed)} 處`, `本期新列管 ${count(kp.listedInPeriod)}、解除 ${count(kp.delistedInPeriod)}`) : null,
    has('visits') && v ? card('到期查訪完成率', pct(v.rate), `應查訪 ${count(v.due)}、已查訪 ${count(v.dueVisited)}、逾期 ${count(v.overdue)} 處`, v.overdue > 0 ? 'alert' : '') : null,
    has('cameras') && c ? card('監視器妥善率', pct(c.availability),
      `本期正常時間占使用時間；目前 ${count(c.working)}／${count(c.total)} 支正常、屆汰換 ${count(c.replacementDue)} 支`, (c.availability ?? 1) < AVAILABILITY_TARGET ? 'alert' : '') : null,
    has('watch') && w ? card('守望相助', `${count(w.blocks)} 區塊`, `認養單位 ${count(w.adopters)}、巡守隊 ${count(w.teams)}、${formatNumber(w.areaKm2, 2)} 平方公里`) : null,
    has('drones') && d ? card('無人機空拍', `${count(d.done)}／${count(d.surveys)} 次`, `已執行／本期規劃；有發現 ${count(d.withFindings)} 次`) : null,
    has('incidents') && i ? card('案件數', `${count(i.current)} 件`, `前期 ${count(i.previous)}（${signedPct(i.changePct)}）`, i.change > 0 ? 'alert' : 'good') : null);
}

function charts(ctx: AppContext, r: Rollup, has: (s: keyof Figures) => boolean): HTMLElement[] {
  const level = LEVEL_LABELS[r.by];
  const figure = (title: string, bars: Bar[], options: { format?: (n: number) => string; max?: number } = {}) =>
    h('figure', { class: 'rollup-chart' }, h('figcaption', {}, title), bars.length ? barChart(bars, { title, ...options }) : h('p', { class: 'legend-note' }, '沒有資料'));
  const perUnit = r.units.length > 1 && r.units.length <= MAX_UNIT_BARS;
  const unitBars = (value: (f: Figures) => number | null | undefined, previous?: (f: Figures) => number | undefined) =>
    r.units.map((u) => ({ label: unitLabel(u), value: value(u) ?? 0, ...(previous ? { previous: previous(u) ?? 0 } : {}) }));
  const statusColour = new Map(ctx.registry.get('cameras')?.legend?.fill?.property === 'status'
    ? ctx.registry.get('cameras')!.legend!.fill!.entries.map((e) => [e.value, e.colour]) : []);
  const { total: t } = r;
  const out: (HTMLElement | null)[] = [
    perUnit && has('cameras') ? figure(`各${level}監視器妥善率（本期）`, unitBars((f) => f.cameras?.availability), { format: pct, max: 1 }) : null,
    perUnit && has('visits') ? figure(`各${level}到期查訪完成率`, unitBars((f) => f.visits?.rate), { format: pct, max: 1 }) : null,
    perUnit && has('incidents') ? figure(`各${level}案件數（細條為前期）`, unitBars((f) => f.incidents?.current, (f) => f.incidents?.previous)) : null,
    has('incidents') && t.incidents ? figure('案件類別（細條為前期）', t.incidents.byType.filter((b) => b.current + b.previous > 0)
      .map((b) => ({ label: b.label, value: b.current, previous: b.previous }))) : null,
    has('keyPlaces') && t.keyPlaces ? figure('列管處所類別', t.keyPlaces.byCategory.filter((b) => b.listed > 0).map((b) => ({ label: b.label, value: b.listed }))) : null,
    has('cameras') && t.cameras ? figure('監視器狀態', t.cameras.byStatus.map((b) => ({ label: b.label, value: b.count, colour: statusColour.get(b.key) }))) : null,
    has('visits') && t.visits ? figure('本期查訪結果', t.visits.byOutcome.map((b) => ({ label: b.label, value: b.count }))) : null,
  ];
  return out.filter((e): e is HTMLElement => e !== null);
}

/** A unit as a chart reads it: the name, which carries the station or beat the code stands for. */
const unitLabel = (u: Unit) => (u.name.length > 7 ? `${u.name.slice(0, 6)}…` : u.name);

function unitsTable(r: Rollup, has: (s: keyof Figures) => boolean): HTMLElement {
  const columns = COLUMNS.filter((c) => has(c.section));
  // A rule before each section's first column, so the groups read apart.
  const first = (i: number) => (columns[i - 1]?.section !== columns[i]!.section ? 'first' : '');
  const row = (name: HTMLElement | string, f: Figures) => [h('th', { scope: 'row' }, name),
    ...columns.map((c, i) => h('td', { class: [c.className, first(i)].filter(Boolean).join(' ') }, c.value(f)))];
  return h('section', { class: 'rollup-units' },
    h('h2', {}, `各${LEVEL_LABELS[r.by]}統計（${r.units.length} 個單位）`),
    tableScroll(`各${LEVEL_LABELS[r.by]}統計表`,
      h('table', { class: 'figures' },
        h('thead', {},
          h('tr', { class: 'groups' }, h('th', { rowspan: 2 }, LEVEL_LABELS[r.by]), r.sections.map((s) => {
            const span = columns.filter((c) => c.section === s).length;
            return span ? h('th', { colspan: span }, SECTION_HEADS[s]) : null;
          })),
          h('tr', {}, columns.map((c, i) => h('th', { class: first(i) }, c.head)))),
        h('tbody', {}, r.units.map((u) => h('tr', { dataset: { unit: u.code } }, row(h('span', {}, u.name, h('small', {}, u.code)), u)))),
        h('tfoot', {}, h('tr', { dataset: { unit: 'total' } }, row('合計', r.total))))),
    r.units.length === 0 ? h('p', { class: 'legend-note' }, '此範圍沒有單位。') : null);
}

/** A titled list of records under the units table: a compact table, or a line saying there are none. */
function listSection<T extends { id: number }>(className: string, title: string, empty: HTMLElement, heads: string[], rows: T[],
  cells: (row: T) => (string | HTMLElement)[], rowClass = ''): HTMLElement {
  return h('section', { class: className },
    h('h2', {}, title),
    rows.length === 0 ? empty : h('table', { class: 'compact' },
      h('thead', {}, h('tr', {}, heads.map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.map((row) => h('tr', { class: rowClass, dataset: { id: row.id } },
        cells(row).map((c) => (typeof c === 'string' ? h('td', {}, c) : c)))))));
}

function overdueTable(ctx: AppContext, r: Rollup): HTMLElement {
  const places = ctx.registry.get('key-places');
  const list = r.overdue ?? [];
  return listSection('rollup-overdue', `逾期未查訪處所（${list.length} 處）`, h('p', { class: 'ok' }, '沒有逾期未查訪的處所。'),
    ['處所', '類別', '警勤區', '應查訪日', '最近查訪', '逾期天數'], list,
    (p) => [p.name, choiceLabel(places, 'category', p.category), p.beatName ?? p.beat ?? '—', formatDate(p.nextVisitDue),
      p.lastVisitedAt ? formatDate(p.lastVisitedAt) : '從未查訪', h('td', { class: 'num' }, `${p.daysOverdue} 天`)], 'overdue');
}

function downTable(ctx: AppContext, r: Rollup): HTMLElement {
  const cameras = ctx.registry.get('cameras');
  const list = r.camerasDown ?? [];
  return listSection('rollup-cameras-down', `拉低妥善率的監視器（停用最久的 ${list.length} 支）`, h('p', { class: 'ok' }, '本期沒有停用超過一小時的監視器。'),
    ['監視器', '單位', '目前狀態', '本期妥善率', '故障或離線'], list,
    (c) => [c.deleted ? `${c.name}（已刪除）` : c.name, c.unit ? unitName(r, c.unit) : '—', choiceLabel(cameras, 'status', c.status),
      h('td', { class: 'num' }, pct(c.availability)), h('td', { class: 'num' }, `${formatNumber(c.downHours)} 小時`)]);
}

/** A unit's name from the roll-up's own units, by code. */
const unitName = (r: Rollup, code: string) => r.units.find((u) => u.code === code)?.name ?? code;

function patrolTable(ctx: AppContext, r: Rollup): HTMLElement {
  const points = ctx.registry.get('patrol-points');
  const list = r.patrolPoints ?? [];
  const missed = list.filter((p) => p.signIns === 0).length;
  const shifts = list[0]?.byShift.map((b) => b.label) ?? [];
  return listSection('rollup-patrol', `各巡簽點簽到情形（${list.length} 處，本期未簽到 ${missed} 處）`, h('p', { class: 'legend-note' }, '此範圍沒有巡簽點。'),
    ['巡簽點', '種類', '單位', ...shifts, '合計', '最近簽到'], list,
    (p) => [p.name, choiceLabel(points, 'kind', p.kind), p.unit ? unitName(r, p.unit) : '—',
      ...p.byShift.map((b) => h('td', { class: 'num' }, count(b.count))), h('td', { class: p.signIns ? 'num' : 'num warn' }, count(p.signIns)),
      p.lastSignedAt ? formatDate(p.lastSignedAt) : '—'], '');
}

/** The 熱時熱點 plans of the period, a station's week a row: planned against done, and who did it. */
function plansTable(r: Rollup): HTMLElement {
  const list = r.patrolPlans ?? [];
  return listSection('rollup-plans', `熱時熱點巡邏計畫執行（${list.length} 份，逐週）`, h('p', { class: 'legend-note' }, '此範圍本期沒有巡邏計畫。'),
    ['派出所', '週次', '狀態', '地點', '應巡簽', '已巡簽', '完成率', '員警'], list,
    (p) => [p.station, `${formatDate(p.weekStart)} 起`, p.status === 'approved' ? '已核定' : '草案', h('td', { class: 'num' }, count(p.places)),
      h('td', { class: 'num' }, count(p.required)), h('td', { class: 'num' }, count(p.done)),
      h('td', { class: p.share !== null && p.share < 0.5 ? 'num warn' : 'num' }, p.share === null ? '—' : pct(p.share)),
      p.byOfficer.map((o) => `${o.officer} ${o.signIns}`).join('、') || '—'], '');
}

function findingsTable(ctx: AppContext, r: Rollup): HTMLElement {
  const surveys = ctx.registry.get('drone-surveys');
  const list = r.droneFindings ?? [];
  return listSection('rollup-findings', `無人機空拍發現（${list.length} 次）`, h('p', { class: 'legend-note' }, '本期沒有記錄發現的空拍。'),
    ['日期', '名稱', '目的', '單位', '發現'], list,
    (d) => [formatDate(d.plannedOn), d.name, choiceLabel(surveys, 'purpose', d.purpose), d.unit ?? '—', d.findings]);
}
