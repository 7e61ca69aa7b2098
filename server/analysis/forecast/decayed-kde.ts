import { quarticKde } from '../kde.js';
import type { Events } from './events.js';

/**
 * Time-decayed, multi-scale kernel density: each past event weighs 2^(−age / half-life) at the
 * forecast's origin, and the surface is the mean of densities at one or more scales — the cell
 * itself (scale 0: its own weighted count over its area) and quartic kernels (kde.ts) whose
 * bandwidth is a multiple of the cell spacing, for the neighbourhood. Which scales and half-life
 * suit a place is not assumed: the candidates below are tried on the training data itself
 * (forecast/methods.ts), never on the period being forecast.
 */
export interface DecayedKdeSettings {
  /** Bandwidths as multiples of the grid's cell spacing; 0 is the cell itself. */
  readonly scales: readonly number[];
  /** Half-life of an event's weight in days; null: no decay. */
  readonly halfLifeDays: number | null;
}

const SCALES: readonly (readonly number[])[] = [[1], [2], [4], [1, 4], [0, 1], [0, 2], [0, 3]];
const HALF_LIVES: readonly (number | null)[] = [365, 730, null];
export const DECAYED_KDE_CANDIDATES: readonly DecayedKdeSettings[] =
  SCALES.flatMap((scales) => HALF_LIVES.map((halfLifeDays) => ({ scales, halfLifeDays })));

export interface DensityGrid {
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly spacing: number;
  readonly cellArea: number;
}

const DAY_MS = 86_400_000;

export function decayedKde(events: Events, grid: DensityGrid, origin: number, s: DecayedKdeSettings): Float64Array {
  const weights = s.halfLifeDays === null ? null
    : Float64Array.from(events.t, (t) => 2 ** (-Math.max(0, origin - t) / DAY_MS / s.halfLifeDays!));
  const surface = new Float64Array(grid.cx.length);
  for (const scale of s.scales) {
    if (scale === 0) {
      events.cell.forEach((c, i) => {
        if (c >= 0) surface[c]! += (weights ? weights[i]! : 1) / grid.cellArea / s.scales.length;
      });
      continue;
    }
    const { values } = quarticKde(events.x, events.y, weights, grid.cx, grid.cy, scale * grid.spacing);
    for (let c = 0; c < surface.length; c++) surface[c]! += values[c]! / s.scales.length;
  }
  return surface;
}
