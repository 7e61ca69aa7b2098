import type { Period } from './incidents.js';

/**
 * Calendar quarters in Taiwan time (UTC+8 all year, no daylight saving): the time unit of the
 * figures published to the community and the public. A quarter is named `2026Q3`.
 */
const TAIPEI_MS = 8 * 3_600_000;

export interface Quarter {
  readonly year: number;
  /** 1–4. */
  readonly q: number;
}

export const quarterName = (x: Quarter) => `${x.year}Q${x.q}`;

/** The quarter holding an instant. */
export function quarterAt(ms: number): Quarter {
  const d = new Date(ms + TAIPEI_MS);
  return { year: d.getUTCFullYear(), q: Math.floor(d.getUTCMonth() / 3) + 1 };
}

/** When a quarter starts (epoch ms). */
export const quarterStart = (x: Quarter) => Date.UTC(x.year, (x.q - 1) * 3, 1) - TAIPEI_MS;

export const nextQuarter = (x: Quarter): Quarter => (x.q === 4 ? { year: x.year + 1, q: 1 } : { year: x.year, q: x.q + 1 });
export const previousQuarter = (x: Quarter): Quarter => (x.q === 1 ? { year: x.year - 1, q: 4 } : { year: x.year, q: x.q - 1 });

/** A period made of whole quarters, with their names in order. */
export interface QuarterPeriod extends Period {
  readonly quarters: readonly string[];
}

/** The quarters from `first` for `count` quarters. */
export function quartersFrom(first: Quarter, count: number): QuarterPeriod {
  const names: string[] = [];
  let x = first;
  for (let k = 0; k < count; k++, x = nextQuarter(x)) names.push(quarterName(x));
  return { from: quarterStart(first), to: quarterStart(x), quarters: names };
}

/** The `count` complete quarters before the one holding `now`. */
export function lastQuarters(count: number, now: number): QuarterPeriod {
  let first = quarterAt(now);
  for (let k = 0; k < count; k++) first = previousQuarter(first);
  return quartersFrom(first, count);
}

/** A period as whole quarters, or null when it does not start and end on quarter boundaries. */
export function asQuarters(p: Period): QuarterPeriod | null {
  const first = quarterAt(p.from);
  if (quarterStart(first) !== p.from) return null;
  const last = quarterAt(p.to - 1);
  if (quarterStart(nextQuarter(last)) !== p.to) return null;
  const count = (last.year - first.year) * 4 + last.q - first.q + 1;
  return quartersFrom(first, count);
}

/** The same number of quarters just before. */
export function quartersBefore(p: QuarterPeriod): QuarterPeriod {
  let first = quarterAt(p.from);
  for (let k = 0; k < p.quarters.length; k++) first = previousQuarter(first);
  return quartersFrom(first, p.quarters.length);
}
