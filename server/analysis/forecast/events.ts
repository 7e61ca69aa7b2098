import type { Period } from '../incidents.js';

export const DAY_MS = 86_400_000;

/**
 * Incidents as a forecast sees them: TWD97 position, time, and the grid cell holding them (−1:
 * none); with `w`, each stands for that many incidents (a published count: one event per square
 * and quarter), otherwise for one.
 */
export interface Events {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Epoch milliseconds, ascending. */
  readonly t: Float64Array;
  readonly cell: Int32Array;
  readonly w?: Float64Array;
}

/** How many incidents the events stand for. */
export const weightOf = (e: Events): number => (e.w ? e.w.reduce((a, b) => a + b, 0) : e.t.length);

/** The events in [from, to), still in time order. */
export function eventsIn(e: Events, p: Period): Events {
  const keep: number[] = [];
  for (let i = 0; i < e.t.length; i++) if (e.t[i]! >= p.from && e.t[i]! < p.to) keep.push(i);
  return {
    x: Float64Array.from(keep, (i) => e.x[i]!), y: Float64Array.from(keep, (i) => e.y[i]!),
    t: Float64Array.from(keep, (i) => e.t[i]!), cell: Int32Array.from(keep, (i) => e.cell[i]!),
    ...(e.w ? { w: Float64Array.from(keep, (i) => e.w![i]!) } : {}),
  };
}

/** Events sorted by time, each with its cell from `cellIndex`. */
export function toEvents(x: ArrayLike<number>, y: ArrayLike<number>, t: ArrayLike<number>, cellIndex: (x: number, y: number) => number): Events {
  const order = Array.from({ length: t.length }, (_, i) => i).sort((a, b) => t[a]! - t[b]! || a - b);
  return {
    x: Float64Array.from(order, (i) => x[i]!), y: Float64Array.from(order, (i) => y[i]!), t: Float64Array.from(order, (i) => t[i]!),
    cell: Int32Array.from(order, (i) => cellIndex(x[i]!, y[i]!)),
  };
}

/** Events per cell; those outside the grid are left out. */
export function countsOf(e: Events, cells: number): Float64Array {
  const counts = new Float64Array(cells);
  e.cell.forEach((c, i) => {
    if (c >= 0) counts[c]! += e.w ? e.w[i]! : 1;
  });
  return counts;
}
