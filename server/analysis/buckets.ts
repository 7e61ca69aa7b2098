/**
 * Points hashed into square buckets of `size` metres (TWD97), so that every point within
 * `size` of a place is found in that place's bucket and the eight around it: neighbour
 * searches cost what the pairs cost, not n².
 */
export class PointBuckets {
  private readonly buckets = new Map<number, number[]>();

  constructor(xs: ArrayLike<number>, ys: ArrayLike<number>, readonly size: number) {
    for (let i = 0; i < xs.length; i++) {
      const k = this.key(Math.floor(xs[i]! / size), Math.floor(ys[i]! / size));
      let b = this.buckets.get(k);
      if (!b) this.buckets.set(k, (b = []));
      b.push(i);
    }
  }

  // TWD97 coordinates are below 4e6 m, so bucket (bx, by) has a unique number for sizes ≥ 1 m.
  private key(bx: number, by: number) {
    return bx * 4_194_304 + by;
  }

  /** Calls `visit` with every point in the 3 × 3 buckets around (x, y): a superset of those within `size`. */
  near(x: number, y: number, visit: (i: number) => void): void {
    const bx = Math.floor(x / this.size);
    const by = Math.floor(y / this.size);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const b = this.buckets.get(this.key(bx + dx, by + dy));
        if (b) for (const i of b) visit(i);
      }
    }
  }
}
