import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatNumber, WEEKDAYS } from '../lib/format.js';

/** A 熱時熱點 patrol plan as GET /api/patrol-plans gives it (server/patrol/plans.ts). */
export interface PlanItem {
  cell: { i: number; j: number };
  /** The place's square (GeoJSON Polygon, WGS84). */
  outline: GeoJSON.Polygon;
  place: string;
  weekdays: number[];
  from: number;
  hours: number;
  points: number[];
  pointNames: string[];
  visits: number;
  minutes: number;
  incidents: number;
  inWindow: number;
}
export interface Backtest { incidents: number; caught: number; share: number | null; baseline: number | null; ratio: number | null; note?: string }
export interface Progress {
  items: { required: number; done: number; days: { date: string; required: number; done: number }[] }[];
  required: number; done: number; share: number | null; byOfficer: { officer: string; signIns: number }[];
}
export interface Plan {
  id: number; station: { code: string; name: string }; weekStart: string; types: string[] | null; status: 'draft' | 'approved';
  items: PlanItem[]; basis: { weeks: number; incidents: number; backtest: Backtest }; note: string | null; version: number;
  approvedBy: string | null; progress: Progress;
}

export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The Monday of this week, Taiwan time. */
export function thisMonday(now = Date.now()): string {
  const taiwan = new Date(now + 8 * 3_600_000);
  return addDays(taiwan.toISOString().slice(0, 10), -((taiwan.getUTCDay() + 6) % 7));
}

/** Today's ISO weekday (1 Monday … 7 Sunday), Taiwan time. */
export const todayWeekday = (now = Date.now()) => ((new Date(now + 8 * 3_600_000).getUTCDay() + 6) % 7) + 1;

export const listPlans = async (params: string) => (await api.get<{ plans: Plan[] }>(`/api/patrol-plans?${params}`)).plans;

const pct = (x: number) => `${formatNumber(x * 100, x < 0.01 ? 2 : 0)}%`;

/** 22–01 時 */
export const windowText = (i: Pick<PlanItem, 'from' | 'hours'>) => `${String(i.from).padStart(2, '0')}–${String((i.from + i.hours) % 24).padStart(2, '0')} 時`;

/** 每天, 週五、週六 */
export const daysText = (weekdays: readonly number[]) => (weekdays.length === 7 ? '每天' : weekdays.map((d) => `週${WEEKDAYS[d - 1]}`).join('、'));

/** 2 次，每次 10 分鐘 */
export const dosageText = (i: Pick<PlanItem, 'visits' | 'minutes'>) => `${i.visits} 次，每次 ${i.minutes} 分鐘`;

/** Monday's date and Sunday's as 12/14–12/20. */
export function weekText(monday: string): string {
  const d = new Date(`${monday}T00:00:00Z`);
  const end = new Date(d.getTime() + 6 * 86_400_000);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}–${end.getUTCMonth() + 1}/${end.getUTCDate()}`;
}

/** The back-test in words an officer reads: how a plan made the same way did. */
export function backtestText(b: Backtest): string {
  if (b.share === null || b.baseline === null) return '過去案件太少（每段至少 30 件），無法回測這個排法的效果。';
  return `用同樣的排法回測：8 週前排的計畫，接下來 8 週的 ${formatNumber(b.incidents)} 件中有 ${formatNumber(b.caught)} 件（${pct(b.share)}）`
    + `發生在計畫的地點與時段；這些地點時段只占轄區的 ${pct(b.baseline)}（平均巡邏只會遇到這麼多）。`;
}

/** 已完成 6 / 8 次巡簽（75%） */
export const progressText = (p: Progress) => (p.share === null ? '本週時段尚未開始。'
  : `已完成 ${formatNumber(p.done)} / ${formatNumber(p.required)} 次巡簽（${pct(p.share)}）`);

/** A plan's places as a read-only table: where, when, which points, how often, why, and how far done. */
export function planTable(plan: Plan): HTMLElement {
  // Each cell names its column too: on a phone the rows become cards and the header is hidden.
  const cell = (label: string, text: string) => h('td', { dataset: { label } }, text);
  return h('table', { class: 'compact plan-items' },
    h('thead', {}, h('tr', {}, ['地點', '時段', '巡簽點', '每日巡簽', '依據', '完成'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, plan.items.map((i, k) => {
      const done = plan.progress.items[k];
      return h('tr', {},
        h('td', { class: 'place' }, i.place), cell('時段', `${daysText(i.weekdays)} ${windowText(i)}`),
        cell('巡簽點', i.pointNames.length ? i.pointNames.join('、') : '（附近沒有巡簽點）'), cell('每日巡簽', dosageText(i)),
        cell('依據', `近 ${plan.basis.weeks} 週 ${i.incidents} 件，${i.inWindow} 件在此時段`),
        cell('完成', done && done.required ? `${done.done} / ${done.required} 次` : '時段未到'));
    })));
}

/**
 * For the briefing: the places of the station's approved plan for this week that are patrolled
 * today, as one line each; null when there is no approved plan or nothing today.
 */
export async function todaysPlan(station: string): Promise<{ plan: Plan; items: PlanItem[] } | null> {
  const plan = (await listPlans(`station=${encodeURIComponent(station)}&weeks=1`)).find((p) => p.weekStart === thisMonday() && p.status === 'approved');
  const items = plan?.items.filter((i) => i.weekdays.includes(todayWeekday())) ?? [];
  return plan && items.length ? { plan, items } : null;
}

export const planLine = (i: PlanItem) =>
  `${i.place} ${windowText(i)}：${i.pointNames.length ? `在${i.pointNames.join('、')}巡簽` : '巡邏'} ${dosageText(i)}`;
