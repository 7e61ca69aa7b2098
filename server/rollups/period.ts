import { TIME_ZONE } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { isoDate, parseDate } from '../http/time.js';

/**
 * The period a roll-up counts, in Taiwan dates (inclusive), and the period it is compared with.
 * `period=2026H1` (half-year: 評核 is half-yearly), `2026Q2`, `2026-03`, `2026`; or `from`/`to`.
 * A named period is compared with the one before it of the same kind (2026H1 with 2025H2); a
 * from/to span with the same number of days just before it. Without either: this half-year.
 */
export interface Period {
  from: string;
  to: string;
  label: string;
  previous: { from: string; to: string };
}

/** Midnight UTC of a civil date; months and days past the end roll over, as Date.UTC does (but for years below 100 too). */
const utc = (y: number, m: number, d: number) => {
  const t = new Date(0);
  t.setUTCFullYear(y, m, d);
  return t.getTime();
};

/**
 * YYYY-MM-DD of a day this service can name; a period (or the one it is compared with) that
 * would reach outside years 1–9999 is refused, naming the parameter that asked for it.
 */
function iso(ms: number, field: string): string {
  const s = isoDate(ms);
  if (s === undefined) throw refusal(400, 'datetime_year', { field }, { field });
  return s;
}

/** The date n days after (or before) a date, YYYY-MM-DD. */
export const addDays = (s: string, n: number, field = 'from') => iso(Date.parse(`${s}T00:00:00Z`) + n * 86_400_000, field);

/** Today in Taiwan. */
export const taiwanToday = (now = new Date()) => now.toLocaleDateString('sv-SE', { timeZone: TIME_ZONE });

function months(y: number, firstMonth: number, count: number, label: string, previousLabelStep: number): Period {
  const day = (m: number, d: number) => iso(utc(y, m, d), 'period');
  // The roll-up counts up to the day after the period: that day must be nameable too.
  day(firstMonth + count, 1);
  return {
    from: day(firstMonth, 1), to: day(firstMonth + count, 0), label,
    previous: { from: day(firstMonth - previousLabelStep, 1), to: day(firstMonth, 0) },
  };
}

export function namedPeriod(name: string): Period {
  const s = name.trim().toUpperCase();
  let m = /^(\d{4})H([12])$/.exec(s);
  if (m) return months(Number(m[1]), m[2] === '1' ? 0 : 6, 6, s, 6);
  m = /^(\d{4})Q([1-4])$/.exec(s);
  if (m) return months(Number(m[1]), (Number(m[2]) - 1) * 3, 3, s, 3);
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return months(Number(m[1]), Number(m[2]) - 1, 1, s, 1);
  m = /^(\d{4})$/.exec(s);
  if (m) return months(Number(m[1]), 0, 12, s, 12);
  throw refusal(400, 'rollup_period', { value: name }, { field: 'period' });
}

/** The longest from/to span a roll-up counts: ten years. */
const MAX_DAYS = 3660;

export function parsePeriod(q: { period?: string; from?: string; to?: string }, today = taiwanToday()): Period {
  if (q.period !== undefined) {
    if (q.from !== undefined || q.to !== undefined) throw refusal(400, 'rollup_period_and_range', undefined, { field: 'period' });
    return namedPeriod(q.period);
  }
  if (q.from === undefined && q.to === undefined) {
    const [y, mo] = today.split('-').map(Number) as [number, number];
    return namedPeriod(`${y}H${mo <= 6 ? 1 : 2}`);
  }
  for (const [name, v] of [['from', q.from], ['to', q.to]] as const) {
    if (v === undefined) throw refusal(400, 'rollup_range_missing', { field: name }, { field: name });
    parseDate(v, name);
  }
  const [from, to] = [q.from!, q.to!];
  if (from > to) throw refusal(400, 'rollup_range_reversed', undefined, { field: 'from' });
  addDays(to, 1, 'to');
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  if (days > MAX_DAYS) throw refusal(400, 'rollup_range_too_long', { days: MAX_DAYS }, { field: 'from' });
  return { from, to, label: `${from}/${to}`, previous: { from: addDays(from, -days), to: addDays(from, -1) } };
}
