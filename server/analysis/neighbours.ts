import { PointBuckets } from './buckets.js';

/**
 * Fixed distance band neighbourhoods: for each point, every point within `band` metres of it,
 * itself included (the "*" of Gi*).
 */
export interface Neighbours {
  /** Neighbours of point i are indices[offsets[i] .. offsets[i + 1]). */
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

export function neighboursWithin(xs: ArrayLike<number>, ys: ArrayLike<number>, band: number): Neighbours {
  const n = xs.length;
  const buckets = new PointBuckets(xs, ys, band);
  const offsets = new Int32Array(n + 1);
  const found: number[] = [];
  // A little slack so that lattice points exactly `band` apart are neighbours despite rounding.
  const limit = band * band * (1 + 1e-9);
  for (let i = 0; i < n; i++) {
    const [x, y] = [xs[i]!, ys[i]!];
    buckets.near(x, y, (j) => {
      if ((xs[j]! - x) ** 2 + (ys[j]! - y) ** 2 <= limit) found.push(j);
    });
    offsets[i + 1] = found.length;
  }
  return { offsets, indices: Int32Array.from(found) };
}
