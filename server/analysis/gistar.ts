import type { Neighbours } from './neighbours.js';
import { twoSidedP } from './normal.js';

/**
 * Getis-Ord Gi* with binary weights over a fixed distance band that includes the feature
 * itself, as ArcGIS "Hot Spot Analysis (Getis-Ord Gi*)" computes it (Ord & Getis 1995,
 * Geographical Analysis 27(4), eq. 14; ArcGIS "How Hot Spot Analysis (Getis-Ord Gi*) works"):
 *
 *   Gi* = (Σj wij xj − X̄ Σj wij) / (S · √[(n Σj wij² − (Σj wij)²) / (n − 1)])
 *   X̄ = Σ xj / n,   S = √(Σ xj² / n − X̄²)
 *
 * Gi* is itself a z-score; its p-value is two-sided under the standard normal. Where it is
 * undefined (every value equal, or a neighbourhood holding every feature) z is 0 and p is 1.
 */
export interface GiStar {
  readonly z: Float64Array;
  readonly p: Float64Array;
}

export function giStar(values: ArrayLike<number>, nb: Neighbours): GiStar {
  const n = values.length;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i]!;
    sumSq += values[i]! * values[i]!;
  }
  const mean = sum / n;
  const s = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  const z = new Float64Array(n);
  const p = new Float64Array(n).fill(1);
  if (n < 2 || s === 0) return { z, p };
  for (let i = 0; i < n; i++) {
    let local = 0;
    const from = nb.offsets[i]!;
    const to = nb.offsets[i + 1]!;
    for (let k = from; k < to; k++) local += values[nb.indices[k]!]!;
    // Binary weights: Σ wij = Σ wij² = the number of neighbours, self included.
    const w = to - from;
    const spread = (n * w - w * w) / (n - 1);
    if (spread <= 0) continue;
    z[i] = (local - mean * w) / (s * Math.sqrt(spread));
    p[i] = twoSidedP(z[i]!);
  }
  return { z, p };
}
