/** Dates and numbers as people in Taiwan read them; all times in Asia/Taipei. */
const ZONE = 'Asia/Taipei';
const DAY_MS = 86_400_000;

const dateFmt = new Intl.DateTimeFormat('zh-TW', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat('zh-TW', {
  timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export const formatDate = (iso: string) => dateFmt.format(new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso));
export const formatDateTime = (iso: string) => dateTimeFmt.format(new Date(iso));
export const formatNumber = (n: number, digits = 0) => n.toLocaleString('zh-TW', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Today's date in Taiwan as YYYY-MM-DD. */
export function taiwanDate(d = new Date()): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Whole days from a time (or a Taiwan date) to now. */
export function daysSince(iso: string, now = Date.now()): number {
  const t = new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso).getTime();
  return Math.floor((now - t) / DAY_MS);
}

/** The local time for an <input type="datetime-local">, in Taiwan time. */
export function datetimeLocalValue(d = new Date()): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** Monday first, as the hot-hours matrix and the API's ISO weekdays (1 = Monday). */
export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
