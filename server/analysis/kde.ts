import { PointBuckets } from './buckets.js';

/**
 * Kernel density with the quartic (biweight) kernel of Silverman (1986, Density Estimation,
 * eq. 4.5), as ArcGIS "Kernel Density" and QGIS "Heatmap" use it:
 *
 *   K(d) = 3 / (π h²) · (1 − d²/h²)²   for d < h, else 0
 *
 * K integrates to 1 over the plane, so the surface Σ wi K(|x − xi|) is in (weighted) points per
 * m², and over a grid that covers every point's disc of radius h, Σ density × cell area is the
 * (weighted) number of points, up to the error of sampling at cell centres (below 1 % for cells
 * of h/5 or finer).
 */
export interface Density {
  /** Points per m² at each centre. */
  readonly values: Float64Array;
}

export function quarticKde(
  xs: ArrayLike<number>, ys: ArrayLike<number>, ws: ArrayLike<number> | null,
  cx: ArrayLike<number>, cy: ArrayLike<number>, h: number,
): Density {
  return { values: quarticKdes(xs, ys, [ws], cx, cy, h)[0]! };
}

/**
 * The same surface for several weightings of the same points at once (each null: weight 1):
 * the points near each centre are found once for all of them.
 */
export function quarticKdes(
  xs: ArrayLike<number>, ys: ArrayLike<number>, weightings: readonly (ArrayLike<number> | null)[],
  cx: ArrayLike<number>, cy: ArrayLike<number>, h: number,
): Float64Array[] {
  const out = weightings.map(() => new Float64Array(cx.length));
  const buckets = new PointBuckets(xs, ys, h);
  const h2 = h * h;
  const norm = 3 / (Math.PI * h2);
  const sums = new Float64Array(weightings.length);
  for (let c = 0; c < cx.length; c++) {
    const x = cx[c]!;
    const y = cy[c]!;
    sums.fill(0);
    buckets.near(x, y, (i) => {
      const ex = xs[i]! - x;
      const ey = ys[i]! - y;
      const d2 = ex * ex + ey * ey;
      if (d2 >= h2) return;
      const u = 1 - d2 / h2;
      const k = u * u;
      for (let w = 0; w < weightings.length; w++) sums[w]! += (weightings[w] ? weightings[w]![i]! : 1) * k;
    });
    for (let w = 0; w < weightings.length; w++) out[w]![c] = norm * sums[w]!;
  }
  return out;
}
