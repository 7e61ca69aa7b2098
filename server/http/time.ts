import { refusal } from './messages.js';

/**
 * Dates and times as they arrive (filters, feature properties, analysis periods, roll-up
 * periods), read one way everywhere: RFC 3339 / ISO 8601, years 1 to 9999 (what PostgreSQL reads
 * back as written; year 0 is not a year), real calendar dates, UTC offsets within ±14:00 (the
 * widest any zone uses; PostgreSQL itself stops at ±15:59). A time without an offset is Taiwan
 * time. Values come out in one canonical spelling with their instant in epoch milliseconds.
 */

export const TAIWAN_OFFSET = '+08:00';
const MAX_OFFSET_MINUTES = 14 * 60;
const DAY_MS = 86_400_000;

export interface DateValue {
  readonly kind: 'date';
  /** YYYY-MM-DD */
  readonly text: string;
  /** The day's start in Taiwan time. */
  readonly ms: number;
}

export interface InstantValue {
  readonly kind: 'instant';
  /** YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM */
  readonly text: string;
  readonly ms: number;
}

export type TimeValue = DateValue | InstantValue;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Midnight UTC of a civil date in epoch ms, or undefined for a day that does not exist. */
function civilDay(y: number, mo: number, d: number): number | undefined {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? t.getTime() : undefined;
}

function day(y: number, mo: number, d: number, field: string, value: string): number {
  if (y < 1 || y > 9999) throw refusal(400, 'datetime_year', { field }, { field });
  const ms = civilDay(y, mo, d);
  if (ms === undefined) throw refusal(400, 'datetime_format', { field, value }, { field });
  return ms;
}

/** YYYY-MM-DD of a UTC midnight, or undefined outside years 1–9999. */
export function isoDate(ms: number): string | undefined {
  const t = new Date(ms);
  const y = t.getUTCFullYear();
  if (!(y >= 1 && y <= 9999)) return undefined;
  return `${pad(y, 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** A calendar date, exactly YYYY-MM-DD. */
export function parseDate(s: string, field: string): DateValue {
  const m = DATE.exec(s);
  if (!m) throw refusal(400, 'datetime_format', { field, value: s }, { field });
  const ms = day(Number(m[1]), Number(m[2]), Number(m[3]), field, s);
  return { kind: 'date', text: s, ms: ms - 8 * 3_600_000 };
}

/** A date-time; without an offset, Taiwan time. */
export function parseInstant(s: string, field: string): InstantValue {
  const m = DATE_TIME.exec(s);
  if (!m) throw refusal(400, 'datetime_format', { field, value: s }, { field });
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const sec = Number(m[6] ?? 0);
  const base = day(y, mo, d, field, s);
  // 60 is a leap second, which PostgreSQL takes as the next minute's first.
  if (h > 23 || mi > 59 || sec > 60) throw refusal(400, 'datetime_format', { field, value: s }, { field });
  let offset = TAIWAN_OFFSET;
  let offsetMinutes = 8 * 60;
  if (m[8]) {
    offset = 'Z';
    offsetMinutes = 0;
  } else if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11] ?? 0)];
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    if (om > 59 || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) throw refusal(400, 'datetime_offset', { field }, { field });
    offset = `${m[9]}${pad(oh)}:${pad(om)}`;
  }
  // Microseconds are as fine as PostgreSQL keeps; more digits are cut, not rounded up a second.
  const micro = (m[7] ?? '').slice(0, 6).replace(/0+$/, '');
  const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}${micro ? `.${micro}` : ''}${offset}`;
  const ms = base + ((h * 60 + mi - offsetMinutes) * 60 + sec) * 1000 + Number(`0.${micro || 0}`) * 1000;
  return { kind: 'instant', text, ms };
}

/**
 * A bound of a time filter: a date (the whole day; `YYYY-MM-DDT` too, as GDAL writes dates) or
 * a date-time.
 */
export function parseTimeBound(s: string, field: string): TimeValue {
  if (/^\d{4}-\d{2}-\d{2}T?$/.test(s)) return parseDate(s.slice(0, 10), field);
  return parseInstant(s, field);
}

/** The end of a bound as an instant: a date's end is the start of the next day. */
export const endOf = (v: TimeValue) => (v.kind === 'date' ? v.ms + DAY_MS : v.ms);
