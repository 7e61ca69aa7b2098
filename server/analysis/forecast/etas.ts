import { DAY_MS } from './events.js';

/**
 * A self-exciting point process on grid cells, the ETAS-type model of Mohler et al. (2015,
 * "Randomized controlled field trials of predictive policing", JASA 110(512), eq. 1), fitted by
 * expectation–maximisation on the scope's history:
 *
 *   λ_n(t) = μ_n + Σ_{t_i < t, event i in cell n} θ ω e^{−ω (t − t_i)}
 *
 * Each cell n has a steady background rate μ_n (events per day); every event raises its own
 * cell's rate for a while after it (near-repeat): it is followed by θ further events on
 * average, spread over time with an exponential decay of rate ω per day (mean delay 1/ω days).
 *
 * E-step: each event's chance of being background (μ_n / λ_n(t_i)) or triggered by an earlier
 * event j of its cell (θ ω e^{−ω (t_i − t_j)} / λ_n(t_i)). M-step: μ_n = Σ background chances /
 * T; ω = Σ p_ij / Σ p_ij (t_i − t_j); θ = Σ p_ij / Σ_j (1 − e^{−ω (T − t_j)}) (the offspring
 * each event had time to have before the end of the training period).
 */
export interface EtasFit {
  /** Background events per day in each cell. */
  readonly mu: Float64Array;
  /** Mean number of events each event triggers. */
  readonly theta: number;
  /** Decay of the triggering per day. */
  readonly omega: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** At the last E-step's parameters (once converged, the returned ones differ from them by less than the tolerances). */
  readonly logLikelihood: number;
}

const MAX_ITERATIONS = 300;
/** Relative change of the log-likelihood from one iteration to the next below which EM has converged. */
const TOLERANCE = 1e-7;
/** Relative change of θ and of ω below which they have settled. */
const PARAMETER_TOLERANCE = 1e-4;

/**
 * Fits the model on events given as cell index and time (epoch ms) within [from, to).
 * Events must be sorted by time.
 *
 * The E-step needs, for each event i, A_i = Σ_j e^{−ω (t_i − t_j)} and B_i = Σ_j (t_i − t_j)
 * e^{−ω (t_i − t_j)} over the earlier events j of its cell. For an exponential decay both follow
 * from the cell's previous values (Ogata 1981's recursion): with Δ the time since the cell's
 * last instant, A = e^{−ωΔ} S_A and B = e^{−ωΔ} (Δ S_A + S_B), where S_A and S_B are the sums
 * at that instant. So an iteration costs one pass over the events, every pair counted, however
 * busy a cell. Events at the same instant are never each other's cause (records that give only
 * a date put a day's events at one time): they join the sums only after their instant.
 */
export function fitEtas(cellOf: Int32Array, t: Float64Array, cells: number, from: number, to: number): EtasFit {
  const n = cellOf.length;
  const span = (to - from) / DAY_MS;
  const days = Float64Array.from(t, (x) => (x - from) / DAY_MS);
  const counts = new Float64Array(cells);
  for (let i = 0; i < n; i++) counts[cellOf[i]!]! += 1;
  let mu = Float64Array.from(counts, (c) => (c / span) / 2);
  let theta = 0.5;
  let omega = 1 / 7;
  let converged = false;
  let iterations = 0;
  let logLikelihood = -Infinity;
  // Per cell: its last instant, the sums there (S_A, S_B, with that instant's events), and the
  // sums over strictly earlier events at that instant (A, B).
  const last = new Float64Array(cells);
  const sumA = new Float64Array(cells);
  const sumB = new Float64Array(cells);
  const earlierA = new Float64Array(cells);
  const earlierB = new Float64Array(cells);
  while (iterations < MAX_ITERATIONS && !converged) {
    iterations++;
    last.fill(Number.NEGATIVE_INFINITY);
    sumA.fill(0);
    sumB.fill(0);
    // E-step, and the log-likelihood of the current parameters:
    // Σ log λ(t_i) − ∫ λ = Σ log λ(t_i) − (Σ_n μ_n T + θ Σ_j (1 − e^{−ω (T − t_j)})).
    const background = new Float64Array(cells);
    let triggered = 0;
    let weightedGap = 0;
    let sumLog = 0;
    for (let i = 0; i < n; i++) {
      const c = cellOf[i]!;
      if (days[i] !== last[c]) {
        const gap = days[i]! - last[c]!;
        const decay = Number.isFinite(gap) ? Math.exp(-omega * gap) : 0;
        earlierA[c] = decay * sumA[c]!;
        earlierB[c] = decay * (sumA[c]! > 0 ? gap * sumA[c]! + sumB[c]! : 0);
        sumA[c] = earlierA[c]!;
        sumB[c] = earlierB[c]!;
        last[c] = days[i]!;
      }
      sumA[c]! += 1;
      const m = mu[c]!;
      const excitation = theta * omega * earlierA[c]!;
      const lambda = m + excitation;
      if (!(lambda > 0)) continue;
      sumLog += Math.log(lambda);
      background[c]! += m / lambda;
      triggered += excitation / lambda;
      weightedGap += (theta * omega * earlierB[c]!) / lambda;
    }
    let compensator = mu.reduce((s, m) => s + m, 0) * span;
    for (let i = 0; i < n; i++) compensator += theta * (1 - Math.exp(-omega * (span - days[i]!)));
    const next = sumLog - compensator;
    const settled = Math.abs(next - logLikelihood) <= TOLERANCE * Math.abs(next);
    logLikelihood = next;
    // M-step.
    mu = Float64Array.from(background, (b) => b / span);
    const nextOmega = weightedGap > 0 ? triggered / weightedGap : omega;
    let exposure = 0;
    for (let i = 0; i < n; i++) exposure += 1 - Math.exp(-nextOmega * (span - days[i]!));
    const nextTheta = exposure > 0 ? triggered / exposure : 0;
    // Converged when the likelihood has settled and so have the two parameters people read. A
    // triggering that all but vanished (θ < 0.01: under 1 % of events) creeps towards 0 for
    // hundreds of iterations without changing the forecast: settled likelihood is enough there.
    converged = settled && (nextTheta < 0.01
      || (Math.abs(nextTheta - theta) <= PARAMETER_TOLERANCE * theta && Math.abs(nextOmega - omega) <= PARAMETER_TOLERANCE * omega));
    theta = nextTheta;
    omega = nextOmega;
  }
  return { mu, theta, omega, iterations, converged, logLikelihood };
}

/**
 * Expected events per cell in [origin, origin + horizon): the background over the horizon, plus
 * what the past events are still expected to trigger in it.
 */
export function forecastEtas(fit: EtasFit, cellOf: Int32Array, t: Float64Array, origin: number, horizon: number): Float64Array {
  const h = horizon / DAY_MS;
  const expected = Float64Array.from(fit.mu, (m) => m * h);
  for (let i = 0; i < cellOf.length; i++) {
    const age = (origin - t[i]!) / DAY_MS;
    if (age < 0) continue;
    expected[cellOf[i]!]! += fit.theta * (Math.exp(-fit.omega * age) - Math.exp(-fit.omega * (age + h)));
  }
  return expected;
}
