import type { AppContext } from '../app/context.js';
import { isPlanner } from '../app/session.js';
import { api, ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { WEEKDAYS } from '../lib/format.js';
import { listFeatures } from '../map/features.js';
import {
  addDays, backtestText, daysText, dosageText, listPlans, planTable, progressText, thisMonday, weekText, type Plan, type PlanItem,
} from '../patrol/plans.js';

/**
 * 巡邏計畫（熱時熱點）: a station's plans week by week. Planners draft the coming week's from the
 * incidents (of chosen types), adjust each place's days, hours and visits, drop places, note, and
 * approve; officers read the approved plans. Each plan says how a plan made the same way did
 * before (its back-test) and how far this one is done (sign-ins at its points in its hours).
 */
export async function patrolPlansView(ctx: AppContext, main: HTMLElement): Promise<void> {
  const planner = isPlanner(ctx.me);
  const notice = h('p', { class: 'notice', role: 'status', hidden: true });
  const say = (text: string) => { notice.textContent = text; notice.hidden = false; };
  const list = h('div', { class: 'plan-list' }, h('p', { class: 'hint' }, '讀取中…'));
  const stations = (await listFeatures('stations', ctx.me.precinctCode ? { precinct_code: ctx.me.precinctCode } : {}, 500))
    .map((f) => ({ code: String(f.properties.code), name: String(f.properties.name) }))
    .sort((a, b) => a.code.localeCompare(b.code));
  const station = h('select', { name: 'station', 'aria-label': '派出所' }, stations.map((s) => h('option', { value: s.code }, s.name)));
  if (ctx.me.stationCode) station.value = ctx.me.stationCode;
  const refresh = async () => {
    const plans = await listPlans(`station=${encodeURIComponent(station.value)}&weeks=8`);
    replace(list, plans.length ? plans.map((p) => planCard(p, planner, async (text) => { say(text); await refresh(); }))
      : h('p', { class: 'legend-note' }, planner ? '這個派出所近 8 週沒有巡邏計畫；可在上方產生下週的草案。' : '這個派出所近 8 週沒有已核定的巡邏計畫。'));
  };
  station.addEventListener('change', () => void refresh());
  main.append(h('section', { class: 'patrol-plans' },
    h('h1', {}, '巡邏計畫（熱時熱點）'),
    h('div', { class: 'toolbar actions start' }, h('label', {}, '派出所 ', station), planner ? draftForm(() => station.value, say, refresh) : null),
    notice, list));
  await refresh();
}

/** 產生草案: the week and incident types, for planners. */
function draftForm(station: () => string, say: (t: string) => void, refresh: () => Promise<void>): HTMLElement {
  const monday = thisMonday();
  const week = h('select', { name: 'week', 'aria-label': '週次' },
    h('option', { value: addDays(monday, 7) }, `下週（${weekText(addDays(monday, 7))}）`),
    h('option', { value: monday }, `本週（${weekText(monday)}）`));
  const types = h('select', { name: 'types', 'aria-label': '案類' },
    h('option', { value: '' }, '所有案類'), h('option', { value: 'fraud_withdrawal' }, '車手提款'),
    h('option', { value: 'residential_burglary,car_theft,scooter_theft,bicycle_theft' }, '竊盜（住宅、汽機車、自行車）'),
    h('option', { value: 'drugs' }, '毒品'), h('option', { value: 'violence' }, '暴力犯罪'));
  const draft = async (replaceDraft: boolean) => {
    const body = { station: station(), week: week.value, ...(types.value ? { types: types.value.split(',') } : {}), ...(replaceDraft ? { replace: true } : {}) };
    try {
      say((await api.post<{ message: string }>('/api/patrol-plans', body)).body.message);
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'plan_exists' && window.confirm(`${err.message}\n\n要以新草案取代嗎？`)) return draft(true);
      say(err instanceof ApiError ? err.message : '無法產生草案，請稍後再試。');
    }
  };
  return h('div', { class: 'draft-form' }, week, types,
    h('button', { type: 'button', class: 'primary', dataset: { action: 'draft' }, onclick: () => void draft(false) }, '產生草案'));
}

/** One plan: its week and state, the back-test in words, its places, and how far it is done. */
function planCard(plan: Plan, planner: boolean, changed: (message: string) => Promise<void>): HTMLElement {
  const state = plan.status === 'approved' ? `已核定（${plan.approvedBy ?? ''}）` : '草案';
  const editable = planner;
  const body = editable ? planEditor(plan, changed) : planTable(plan);
  return h('article', { class: `plan-card ${plan.status}`, dataset: { plan: plan.id } },
    h('h2', {}, `${plan.station.name}　${weekText(plan.weekStart)}　`, h('span', { class: 'plan-state' }, state)),
    h('p', { class: 'hint' }, backtestText(plan.basis.backtest)),
    plan.items.length ? body : h('p', { class: 'legend-note' }, '近 8 週沒有找到熱點（一處至少 3 件）。'),
    plan.note && !editable ? h('p', {}, `備註：${plan.note}`) : null,
    h('p', { class: 'plan-progress' }, progressText(plan.progress),
      plan.progress.byOfficer.length ? `；${plan.progress.byOfficer.map((o) => `${o.officer} ${o.signIns} 次`).join('、')}` : ''));
}

/** A planner's table: each place's days, hours, visits and minutes editable, a place droppable; 儲存 and 核定. */
function planEditor(plan: Plan, changed: (message: string) => Promise<void>): HTMLElement {
  const rows = plan.items.map((item) => itemEditor(item));
  const tbody = h('tbody', {}, rows.map((r) => r.row));
  const note = h('textarea', { name: 'note', rows: '2', maxlength: '500', 'aria-label': '備註', placeholder: '備註（例如 週五六夜間加強）' });
  note.value = plan.note ?? '';
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const act = async (fn: () => Promise<{ body: { message?: string } }>) => {
    try {
      await changed((await fn()).body.message ?? '');
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : '無法儲存，請稍後再試。';
      error.hidden = false;
    }
  };
  const save = () => act(() => api.patch(`/api/patrol-plans/${plan.id}`,
    { items: rows.filter((r) => r.row.isConnected).map((r) => r.value()), note: note.value.trim() || null }, `"${plan.version}"`));
  const approve = () => act(() => api.post(`/api/patrol-plans/${plan.id}/approve`, undefined, { 'If-Match': `"${plan.version}"` }));
  return h('div', { class: 'plan-editor' },
    h('table', { class: 'compact plan-items' },
      h('thead', {}, h('tr', {}, ['地點', '星期', '時段', '巡簽點', '每日巡簽', '依據', ''].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    note, error,
    h('div', { class: 'actions start' },
      h('button', { type: 'button', class: 'secondary', dataset: { action: 'save' }, onclick: () => void save() }, '儲存'),
      plan.status === 'draft' ? h('button', { type: 'button', class: 'primary', dataset: { action: 'approve' }, onclick: () => void approve() }, '核定') : null));
}

function itemEditor(item: PlanItem): { row: HTMLTableRowElement; value: () => object } {
  const days = WEEKDAYS.map((d, k) => h('input', { type: 'checkbox', value: String(k + 1), checked: item.weekdays.includes(k + 1), 'aria-label': `週${d}` }));
  const from = h('select', { 'aria-label': '開始時間' }, Array.from({ length: 24 }, (_, hr) => h('option', { value: String(hr), selected: hr === item.from }, `${hr} 時起`)));
  const hours = h('select', { 'aria-label': '時數' }, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => h('option', { value: String(n), selected: n === item.hours }, `${n} 小時`)));
  const visits = h('input', { type: 'number', min: '1', max: '6', value: String(item.visits), 'aria-label': '每日巡簽次數' });
  const minutes = h('input', { type: 'number', min: '5', max: '120', step: '5', value: String(item.minutes), 'aria-label': '每次分鐘' });
  const row: HTMLTableRowElement = h('tr', { title: `${daysText(item.weekdays)}・${dosageText(item)}` },
    h('td', { class: 'place' }, item.place),
    h('td', { class: 'weekdays', dataset: { label: '星期' } }, days.map((d, k) => h('label', {}, d, WEEKDAYS[k]!))),
    h('td', { dataset: { label: '時段' } }, from, hours),
    h('td', { dataset: { label: '巡簽點' } }, item.pointNames.length ? item.pointNames.join('、') : '（附近沒有巡簽點）'),
    h('td', { class: 'dosage', dataset: { label: '每日巡簽' } }, visits, ' 次 × ', minutes, ' 分'),
    h('td', { dataset: { label: '依據' } }, `${item.incidents} 件，${item.inWindow} 件在原時段`),
    h('td', {}, h('button', { type: 'button', class: 'small secondary', dataset: { action: 'drop' }, onclick: () => row.remove() }, '刪除')));
  return {
    row,
    value: () => ({
      cell: item.cell, weekdays: days.filter((d) => d.checked).map((d) => Number(d.value)), from: Number(from.value), hours: Number(hours.value),
      points: item.points, visits: Number(visits.value), minutes: Number(minutes.value),
    }),
  };
}
