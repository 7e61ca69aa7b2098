import { csvCell } from '../export/spreadsheet-cells.js';
import { KEY_PLACE_CATEGORIES, PATROL_POINT_KINDS } from '../layers/vocabularies.js';

const PATROL_KIND = new Map(PATROL_POINT_KINDS.map((c) => [c.value, c.label]));
import type { Rollup } from './rollup.js';
import type { Counted, Figures } from './sections.js';

/**
 * A roll-up as CSV for the bureau's spreadsheets: one row per unit and a 合計 row, every figure
 * in its own column under a Chinese heading; or the overdue list, one row per place.
 */

type Column = [string, (f: Figures) => unknown];

const get = (f: Figures, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], f);
const pct = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 10 : '');
const byKey = (path: string, key: string, field = 'count') => (f: Figures) =>
  ((get(f, path) as (Counted & Record<string, number>)[] | undefined)?.find((c) => c.key === key)?.[field] ?? '');

function columns(r: Rollup): Column[] {
  const first = (r.units[0] ?? r.total) as Figures;
  const listOf = (path: string) => (get(first, path) as Counted[] | undefined) ?? [];
  const cols: Column[] = [];
  const has = (s: string) => r.sections.includes(s);
  if (has('keyPlaces')) {
    cols.push(['治安重點處所', (f) => get(f, 'keyPlaces.total')], ['列管中', (f) => get(f, 'keyPlaces.listed')], ['已解除列管', (f) => get(f, 'keyPlaces.delisted')],
      ['本期新列管', (f) => get(f, 'keyPlaces.listedInPeriod')], ['本期解除列管', (f) => get(f, 'keyPlaces.delistedInPeriod')],
      ...KEY_PLACE_CATEGORIES.map((c): Column => [`列管中：${c.label}`, byKey('keyPlaces.byCategory', c.value, 'listed')]));
  }
  if (has('visits')) {
    cols.push(['本期查訪次數', (f) => get(f, 'visits.visits')], ['本期查訪處所', (f) => get(f, 'visits.placesVisited')],
      ['應查訪處所', (f) => get(f, 'visits.due')], ['已查訪（應查訪中）', (f) => get(f, 'visits.dueVisited')],
      ['查訪率(%)', (f) => pct(get(f, 'visits.rate'))], ['逾期未查訪', (f) => get(f, 'visits.overdue')],
      ...listOf('visits.byOutcome').map((c): Column => [`查訪結果：${c.label}`, byKey('visits.byOutcome', c.key)]));
  }
  if (has('cameras')) {
    cols.push(['監視器', (f) => get(f, 'cameras.total')],
      ...listOf('cameras.byStatus').map((c): Column => [`監視器${c.label}`, byKey('cameras.byStatus', c.key)]),
      ['目前正常(%)', (f) => pct(get(f, 'cameras.workingRatio'))], ['本期妥善率(%)', (f) => pct(get(f, 'cameras.availability'))],
      ['本期使用時數', (f) => get(f, 'cameras.inServiceHours')], ['本期故障時數', (f) => get(f, 'cameras.brokenHours')],
      ['本期離線時數', (f) => get(f, 'cameras.offlineHours')], ['未連網', (f) => get(f, 'cameras.notNetworked')],
      ['無車牌辨識', (f) => get(f, 'cameras.noLpr')], [`應汰換（建置滿${r.replaceAfterYears}年）`, (f) => get(f, 'cameras.replacementDue')],
      ['建置年度不明', (f) => get(f, 'cameras.unknownAge')], ['車牌辨識', (f) => get(f, 'cameras.lpr')], ['連網', (f) => get(f, 'cameras.networked')],
      ...listOf('cameras.byOwner').map((c): Column => [`設置單位：${c.label}`, byKey('cameras.byOwner', c.key)]));
  }
  if (has('watch')) {
    cols.push(['治安區塊', (f) => get(f, 'watch.blocks')], ['認養單位', (f) => get(f, 'watch.adopters')], ['守望相助隊', (f) => get(f, 'watch.teams')],
      ['區塊面積（平方公里）', (f) => get(f, 'watch.areaKm2')],
      ...listOf('watch.byAdopterKind').map((c): Column => [`認養：${c.label}`, byKey('watch.byAdopterKind', c.key)]));
  }
  if (has('drones')) {
    cols.push(['本期空拍蒐證區', (f) => get(f, 'drones.surveys')], ['已執行', (f) => get(f, 'drones.done')], ['有蒐證結果', (f) => get(f, 'drones.withFindings')]);
  }
  if (has('patrol')) {
    cols.push(['巡簽點', (f) => get(f, 'patrol.points')], ['本期有簽到的巡簽點', (f) => get(f, 'patrol.pointsSignedAt')],
      ['本期未簽到的巡簽點', (f) => get(f, 'patrol.pointsMissed')], ['本期簽到次數', (f) => get(f, 'patrol.signIns')],
      ...listOf('patrol.byShift').map((c): Column => [`簽到：${c.label}`, byKey('patrol.byShift', c.key)]));
  }
  if (has('incidents')) {
    cols.push(['本期案件', (f) => get(f, 'incidents.current')], ['前期案件', (f) => get(f, 'incidents.previous')], ['增減', (f) => get(f, 'incidents.change')],
      ['增減率(%)', (f) => get(f, 'incidents.changePct') ?? ''],
      ...listOf('incidents.byType').flatMap((c): Column[] => [[`${c.label}（本期）`, byKey('incidents.byType', c.key, 'current')],
        [`${c.label}（前期）`, byKey('incidents.byType', c.key, 'previous')]]));
  }
  return cols;
}

const line = (cells: unknown[]) => cells.map(csvCell).join(',');

export function rollupCsv(r: Rollup): string {
  const cols = columns(r);
  const rows = [
    line(['單位代碼', '單位名稱', ...cols.map((c) => c[0])]),
    ...r.units.map((u) => line([u.code, u.name, ...cols.map((c) => c[1](u))])),
    line(['', '合計', ...cols.map((c) => c[1](r.total))]),
  ];
  return `${rows.join('\r\n')}\r\n`;
}

export function overdueCsv(r: Rollup): string {
  const label = new Map(KEY_PLACE_CATEGORIES.map((c) => [c.value, c.label]));
  const rows = [line(['id', '名稱', '類別', '警勤區', '派出所', '分局', '下次查訪期限', '最近查訪', '逾期天數']),
    ...(r.overdue ?? []).map((o) => line([o.id, o.name, label.get(o.category) ?? o.category, o.beat, o.station, o.precinct, o.nextVisitDue, o.lastVisitedAt, o.daysOverdue]))];
  return `${rows.join('\r\n')}\r\n`;
}

/** Each patrol point's sign-ins in the period by shift, for the 勤務 records. */
export function patrolCsv(r: Rollup): string {
  const points = r.patrolPoints ?? [];
  const shifts = points[0]?.byShift.map((b) => b.label) ?? [];
  const rows = [line(['id', '巡簽點', '種類', '警勤區', '單位', '簽到次數', ...shifts.map((s) => `簽到：${s}`), '最近簽到']),
    ...points.map((p) => line([p.id, p.name, PATROL_KIND.get(p.kind) ?? p.kind, p.beat, p.unit, p.signIns, ...p.byShift.map((b) => b.count), p.lastSignedAt]))];
  return `${rows.join('\r\n')}\r\n`;
}

/** The patrol plans of the period, week by week: planned against done, and by officer. */
export function plansCsv(r: Rollup): string {
  const rows = [line(['id', '派出所', '週次（週一）', '狀態', '地點數', '應巡簽次數', '已巡簽次數', '完成率', '各員警巡簽次數']),
    ...(r.patrolPlans ?? []).map((p) => line([p.id, p.station, p.weekStart, p.status === 'approved' ? '已核定' : '草案', p.places, p.required, p.done,
      p.share === null ? '' : `${Math.round(p.share * 1000) / 10}%`, p.byOfficer.map((o) => `${o.officer} ${o.signIns}`).join('、')]))];
  return `${rows.join('\r\n')}\r\n`;
}
