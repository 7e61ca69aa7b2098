/**
 * Poisson regression with a log link, fitted by iteratively reweighted least squares (Newton's
 * method on the log-likelihood), with a small ridge penalty on the slopes so that a covariate
 * that is zero in every cell, or two that move together, cannot make the fit diverge:
 *
 *   log E[y_c] = β₀ + Σ_k β_k x_ck
 *
 * Covariates are standardised inside (mean 0, sd 1) and the slopes reported on that scale, so
 * exp(β_k) is the rate ratio for one standard deviation more of covariate k.
 */
export interface PoissonFit {
  readonly intercept: number;
  /** Per standard deviation of each covariate. */
  readonly slopes: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Expected count of each row. */
  readonly fitted: Float64Array;
}

const MAX_ITERATIONS = 50;
const RIDGE = 1;

/** Solves A x = b for a small symmetric positive-definite A (Cholesky); A is k×k row-major. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * k + j]!;
      for (let m = 0; m < j; m++) sum -= l[i * k + m]! * l[j * k + m]!;
      l[i * k + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * k + j]!;
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = b[i]!;
    for (let m = 0; m < i; m++) sum -= l[i * k + m]! * z[m]!;
    z[i] = sum / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let m = i + 1; m < k; m++) sum -= l[m * k + i]! * x[m]!;
    x[i] = sum / l[i * k + i]!;
  }
  return x;
}

/** `columns[k][c]`: covariate k of row c; `y[c]`: the count of row c. */
export function poissonRegression(columns: readonly Float64Array[], y: Float64Array): PoissonFit {
  const rows = y.length;
  const kk = columns.length + 1;
  const standard = columns.map((col) => {
    const mean = col.reduce((s, v) => s + v, 0) / rows;
    const sd = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / rows);
    return Float64Array.from(col, (v) => (sd > 0 ? (v - mean) / sd : 0));
  });
  const x = (c: number, k: number) => (k === 0 ? 1 : standard[k - 1]![c]!);
  const linear = (b: Float64Array) => Float64Array.from(y, (_, c) => {
    let e = 0;
    for (let a = 0; a < kk; a++) e += b[a]! * x(c, a);
    return Math.min(e, 50);
  });
  /** The penalised log-likelihood (up to a constant) at linear predictor `eta` and coefficients `b`. */
  const objective = (eta: Float64Array, b: Float64Array) => {
    let l = 0;
    for (let c = 0; c < rows; c++) l += y[c]! * eta[c]! - Math.exp(eta[c]!);
    for (let a = 1; a < kk; a++) l -= (RIDGE / 2) * b[a]! ** 2;
    return l;
  };
  const meanY = y.reduce((s, v) => s + v, 0) / rows;
  let beta = new Float64Array(kk);
  beta[0] = Math.log(Math.max(meanY, 1e-9));
  let eta = linear(beta);
  let current = objective(eta, beta);
  let converged = false;
  let iterations = 0;
  while (iterations < MAX_ITERATIONS && !converged) {
    iterations++;
    // Newton step: (Xᵀ W X + R) Δ = Xᵀ (y − μ) − R β, W = diag(μ).
    const hessian = new Float64Array(kk * kk);
    const gradient = new Float64Array(kk);
    for (let c = 0; c < rows; c++) {
      const mu = Math.exp(eta[c]!);
      const r = y[c]! - mu;
      for (let a = 0; a < kk; a++) {
        const xa = x(c, a);
        gradient[a]! += xa * r;
        for (let b = 0; b <= a; b++) hessian[a * kk + b]! += mu * xa * x(c, b);
      }
    }
    for (let a = 0; a < kk; a++) for (let b = 0; b < a; b++) hessian[b * kk + a] = hessian[a * kk + b]!;
    for (let a = 1; a < kk; a++) {
      hessian[a * kk + a]! += RIDGE;
      gradient[a]! -= RIDGE * beta[a]!;
    }
    const step = solve(hessian, gradient, kk);
    // A full Newton step can overshoot when counts are heavy-tailed (a few cells with hundreds):
    // halved until the penalised likelihood does not fall.
    let t = 1;
    let next = beta.map((b, a) => b + step[a]!);
    let nextEta = linear(next);
    let value = objective(nextEta, next);
    for (let halvings = 0; value < current && halvings < 30; halvings++) {
      t /= 2;
      next = beta.map((b, a) => b + t * step[a]!);
      nextEta = linear(next);
      value = objective(nextEta, next);
    }
    const largest = Math.max(...step.map((d) => Math.abs(t * d)));
    beta = next;
    eta = nextEta;
    current = value;
    converged = largest < 1e-8;
  }
  return { intercept: beta[0]!, slopes: beta.slice(1), iterations, converged, fitted: Float64Array.from(eta, Math.exp) };
}
