/**
 * Fixed distance band neighbourhoods: for each point, every point within `band` metres of it,
 * itself included (the "*" of Gi*). Found through a hash of band-sized buckets, so the cost
 * grows with the number of pairs, not with n².
 */
export interface Neighbours {
  /** Neighbours of point i are indices[offsets[i] .. offsets[i + 1]). */
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

export function neighboursWithin(xs: ArrayLike<number>, ys: ArrayLike<number>, band: number): Neighbours {
  const n = xs.length;
  const buckets = new Map<number, number[]>();
  // TWD97 coordinates are below 4e6 m, so bucket (bx, by) has a unique number for bands ≥ 1 m.
  const key = (bx: number, by: number) => bx * 4_194_304 + by;
  for (let i = 0; i < n; i++) {
    const k = key(Math.floor(xs[i]! / band), Math.floor(ys[i]! / band));
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(i);
  }
  const offsets = new Int32Array(n + 1);
  const found: number[] = [];
  // A little slack so that lattice points exactly `band` apart are neighbours despite rounding.
  const limit = band * band * (1 + 1e-9);
  for (let i = 0; i < n; i++) {
    const bx = Math.floor(xs[i]! / band);
    const by = Math.floor(ys[i]! / band);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of buckets.get(key(bx + dx, by + dy)) ?? []) {
          const ex = xs[j]! - xs[i]!;
          const ey = ys[j]! - ys[i]!;
          if (ex * ex + ey * ey <= limit) found.push(j);
        }
      }
    }
    offsets[i + 1] = found.length;
  }
  return { offsets, indices: Int32Array.from(found) };
}
