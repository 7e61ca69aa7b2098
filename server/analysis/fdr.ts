/**
 * Confidence bins of hot and cold spots, as ArcGIS's Gi_Bin: +3/+2/+1 for hot spots
 * significant at 99/95/90 % confidence, −3/−2/−1 for cold spots, 0 otherwise.
 *
 * Without correction a feature is significant at level α when its p-value is at most α. With
 * the false discovery rate correction (ArcGIS's "Apply False Discovery Rate (FDR) Correction",
 * the procedure of Benjamini & Hochberg 1995, JRSS B 57(1) 289–300), for each α the m p-values
 * are ranked p(1) ≤ … ≤ p(m), k is the largest rank with p(k) ≤ α·k/m, and the features with
 * p ≤ p(k) are significant at α (none when there is no such k).
 */
export const CONFIDENCE_LEVELS = [
  { bin: 3, alpha: 0.01 },
  { bin: 2, alpha: 0.05 },
  { bin: 1, alpha: 0.1 },
] as const;

/** The largest p-value significant at `alpha` under Benjamini–Hochberg; -1 when none is. */
export function benjaminiHochbergCutoff(sortedP: ArrayLike<number>, alpha: number): number {
  const m = sortedP.length;
  for (let k = m; k >= 1; k--) {
    if (sortedP[k - 1]! <= (alpha * k) / m) return sortedP[k - 1]!;
  }
  return -1;
}

export function confidenceBins(z: ArrayLike<number>, p: ArrayLike<number>, fdr: boolean): Int8Array {
  const sorted = Float64Array.from(p).sort();
  const cutoffs = CONFIDENCE_LEVELS.map(({ bin, alpha }) => ({ bin, cutoff: fdr ? benjaminiHochbergCutoff(sorted, alpha) : alpha }));
  const bins = new Int8Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const level = cutoffs.find((c) => p[i]! <= c.cutoff);
    if (level && z[i] !== 0) bins[i] = z[i]! > 0 ? level.bin : -level.bin;
  }
  return bins;
}
