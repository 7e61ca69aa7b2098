/**
 * The standard normal distribution's tails, for the p-values of z-scores.
 *
 * erfc by the Chebyshev fit of Press et al., Numerical Recipes (2nd ed., §6.2, `erfcc`), whose
 * relative error is below 1.2e-7 everywhere, so even p-values of 1e-12 keep their digits.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Two-sided p-value of a standard normal z-score: P(|Z| ≥ |z|). */
export const twoSidedP = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
