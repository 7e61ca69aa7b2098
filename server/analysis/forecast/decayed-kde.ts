import { quarticKdes } from '../kde.js';
import { DAY_MS, type Events } from './events.js';

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


/**
 * The surface of each of `candidates`, in their order. Every scale is computed once, for every
 * half-life at once (quarticKdes), and shared by the candidates that use it.
 */
export function decayedKdes(events: Events, grid: DensityGrid, origin: number, candidates: readonly DecayedKdeSettings[]): Float64Array[] {
  const halfLives = [...new Set(candidates.map((c) => c.halfLifeDays))];
  // Each half-life's weights, times what each event stands for.
  const weightings = halfLives.map((hl) => (hl === null ? events.w ?? null
    : Float64Array.from(events.t, (t, i) => (events.w ? events.w[i]! : 1) * 2 ** (-Math.max(0, origin - t) / DAY_MS / hl))));
  const byScale = new Map<number, Float64Array[]>();
  for (const scale of new Set(candidates.flatMap((c) => c.scales))) {
    if (scale > 0) {
      byScale.set(scale, quarticKdes(events.x, events.y, weightings, grid.cx, grid.cy, scale * grid.spacing));
      continue;
    }
    byScale.set(0, weightings.map((w) => {
      const own = new Float64Array(grid.cx.length);
      events.cell.forEach((c, i) => {
        if (c >= 0) own[c]! += (w ? w[i]! : 1) / grid.cellArea;
      });
      return own;
    }));
  }
  return candidates.map((s) => {
    const k = halfLives.indexOf(s.halfLifeDays);
    const surface = new Float64Array(grid.cx.length);
    for (const scale of s.scales) {
      const values = byScale.get(scale)![k]!;
      for (let c = 0; c < surface.length; c++) surface[c]! += values[c]! / s.scales.length;
    }
    return surface;
  });
}

export const decayedKde = (events: Events, grid: DensityGrid, origin: number, s: DecayedKdeSettings): Float64Array =>
  decayedKdes(events, grid, origin, [s])[0]!;
