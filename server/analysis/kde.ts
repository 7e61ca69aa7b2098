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
  const values = new Float64Array(cx.length);
  const buckets = new PointBuckets(xs, ys, h);
  const h2 = h * h;
  const norm = 3 / (Math.PI * h2);
  for (let c = 0; c < cx.length; c++) {
    const x = cx[c]!;
    const y = cy[c]!;
    let sum = 0;
    buckets.near(x, y, (i) => {
      const ex = xs[i]! - x;
      const ey = ys[i]! - y;
      const d2 = ex * ex + ey * ey;
      if (d2 >= h2) return;
      const u = 1 - d2 / h2;
      sum += (ws ? ws[i]! : 1) * u * u;
    });
    values[c] = norm * sum;
  }
  return { values };
}
