import type { Cell } from '../grid.js';
import { hotSpotStatistics } from '../hotspots.js';
import type { Period } from '../incidents.js';
import { quarticKde } from '../kde.js';
import type { Covariate } from './covariates.js';
import { DECAYED_KDE_CANDIDATES, decayedKde, decayedKdes, type DecayedKdeSettings, type DensityGrid } from './decayed-kde.js';
import { fitEtas, forecastEtas } from './etas.js';
import { countsOf, type Events, eventsIn } from './events.js';
import { poissonRegression } from './poisson.js';
import { criterion } from './scores.js';

/**
 * The forecasting methods side by side. Each ranks the grid's cells for the period after its
 * training period; a higher score means more incidents expected:
 *
 * - counts: last period's counts (the baseline every method must beat);
 * - kde: quartic kernel density at a fixed bandwidth;
 * - gistar: Getis-Ord Gi* z-score of the counts;
 * - tkde: time-decayed, multi-scale kernel density, bandwidths and half-life chosen on the
 *   training data (decayed-kde.ts);
 * - etas: a self-exciting point process fitted by EM (etas.ts): steady background plus the
 *   near-repeats still expected from recent incidents;
 * - rtm: Poisson regression of counts on risk-terrain covariates (covariates.ts);
 * - ensemble: the mean of tkde, etas and rtm, each scaled to sum to 1.
 *
 * A method that cannot be fitted honestly falls back to the counts and says why: fewer than
 * MIN_TRAINING_EVENTS incidents to learn from, EM or the regression not converging, no
 * covariates to read.
 */
export const FORECAST_METHODS = ['counts', 'kde', 'gistar', 'tkde', 'etas', 'rtm', 'ensemble'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];
export const MIN_TRAINING_EVENTS = 30;

export type Fallback = 'too_few_incidents' | 'not_converged' | 'no_covariates';

export interface ForecastGrid extends DensityGrid {
  readonly cells: readonly Cell[];
  /** Gi*'s distance band. */
  readonly band: number;
  /** The fixed KDE's bandwidth. */
  readonly bandwidth: number;
  readonly covariates: readonly Covariate[];
}

export interface MethodForecast {
  readonly method: ForecastMethod;
  readonly scores: Float64Array;
  /** Null when the method was fitted; otherwise why its scores are the counts. */
  readonly fallback: Fallback | null;
  readonly detail?: Record<string, unknown>;
}

/** One inner back-test inside a training period: a later stretch of it forecast from what came before. */
interface InnerSplit {
  readonly train: Events;
  readonly period: Period;
  readonly test: Float64Array;
  readonly horizon: number;
}

/** At most this many inner back-tests per choice: the last stretch of the training period, then the one before. */
const INNER_FOLDS = 2;

/**
 * Inner back-tests inside a training period: the last `horizon` of it (at most a third) as a
 * test forecast from everything before, then the stretch before that from everything before
 * it, while at least a third of the period is left to learn from; folds too thin to judge by
 * (too few incidents before, none in the stretch) are left out.
 */
function innerSplits(grid: ForecastGrid, train: Events, period: Period, horizon: number): InnerSplit[] {
  const span = period.to - period.from;
  const inner = Math.min(horizon, span / 3);
  const out: InnerSplit[] = [];
  for (let fold = 1; fold <= INNER_FOLDS; fold++) {
    const split = period.to - fold * inner;
    if (split - period.from < span / 3 - 1) break;
    const innerPeriod = { from: period.from, to: split };
    const innerTrain = eventsIn(train, innerPeriod);
    const test = countsOf(eventsIn(train, { from: split, to: split + inner }), grid.cells.length);
    if (inGrid(innerTrain) >= MIN_TRAINING_EVENTS && test.some((c) => c > 0)) out.push({ train: innerTrain, period: innerPeriod, test, horizon: inner });
  }
  return out;
}

const inGrid = (e: Events) => e.cell.reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);

const DEFAULT_DECAYED_KDE: DecayedKdeSettings = { scales: [2], halfLifeDays: null };

/** The decayed KDE's settings that forecast the training period's own later stretches best. */
function selectDecayedKde(grid: ForecastGrid, train: Events, period: Period, horizon: number): { settings: DecayedKdeSettings; chosenBy: 'inner_backtest' | 'default' } {
  const folds = innerSplits(grid, train, period, horizon);
  if (folds.length === 0) return { settings: DEFAULT_DECAYED_KDE, chosenBy: 'default' };
  const counts = folds.map((f) => countsOf(f.train, grid.cells.length));
  let best = { settings: DEFAULT_DECAYED_KDE, value: -Infinity };
  const surfaces = folds.map((f) => decayedKdes(f.train, grid, f.period.to, DECAYED_KDE_CANDIDATES));
  DECAYED_KDE_CANDIDATES.forEach((settings, s) => {
    const value = mean(folds.map((f, k) => criterion(surfaces[k]![s]!, counts[k]!, f.test)));
    if (value > best.value) best = { settings, value };
  });
  return { settings: best.settings, chosenBy: 'inner_backtest' };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Scales scores to sum to 1 (a share of the expected incidents per cell). */
function shares(scores: Float64Array): Float64Array {
  const total = scores.reduce((s, v) => s + v, 0);
  return total > 0 ? Float64Array.from(scores, (v) => v / total) : scores;
}

const ENSEMBLE_MEMBERS = ['tkde', 'etas', 'rtm'] as const;

/**
 * The forecasts for [period.to, period.to + horizon) from the training events of the methods in
 * `only` (FORECAST_METHODS for all; the ensemble brings its members along).
 */
export function forecastAll<M extends ForecastMethod>(grid: ForecastGrid, train: Events, period: Period, horizon: number, only: readonly M[]): Record<M, MethodForecast> {
  const want = (m: ForecastMethod) => (only as readonly ForecastMethod[]).includes(m)
    || ((only as readonly ForecastMethod[]).includes('ensemble') && (ENSEMBLE_MEMBERS as readonly ForecastMethod[]).includes(m));
  const n = grid.cells.length;
  const counts = countsOf(train, n);
  const fellBack = (method: ForecastMethod, fallback: Fallback, detail?: Record<string, unknown>): MethodForecast =>
    ({ method, scores: counts, fallback, ...(detail ? { detail } : {}) });
  const out: Partial<Record<ForecastMethod, MethodForecast>> = { counts: { method: 'counts', scores: counts, fallback: null } };
  const done = () => out as Record<M, MethodForecast>;
  if (inGrid(train) < MIN_TRAINING_EVENTS) {
    for (const m of FORECAST_METHODS) if (m !== 'counts' && want(m)) out[m] = fellBack(m, 'too_few_incidents', { minimum: MIN_TRAINING_EVENTS });
    return done();
  }
  if (want('kde')) out.kde = { method: 'kde', scores: quarticKde(train.x, train.y, null, grid.cx, grid.cy, grid.bandwidth).values, fallback: null, detail: { bandwidth: grid.bandwidth } };
  if (want('gistar')) out.gistar = { method: 'gistar', scores: hotSpotStatistics(grid.cells, counts, grid.band).z, fallback: null, detail: { band: grid.band } };

  if (want('tkde')) {
    const { settings, chosenBy } = selectDecayedKde(grid, train, period, horizon);
    out.tkde = {
      method: 'tkde', scores: decayedKde(train, grid, period.to, settings), fallback: null,
      detail: { bandwidths: settings.scales.map((s) => Math.round(s * grid.spacing)), halfLifeDays: settings.halfLifeDays, chosenBy },
    };
  }

  if (want('etas')) {
    const keep = Array.from(train.cell.keys()).filter((i) => train.cell[i]! >= 0);
    const cellOf = Int32Array.from(keep, (i) => train.cell[i]!);
    const times = Float64Array.from(keep, (i) => train.t[i]!);
    const etas = fitEtas(cellOf, times, n, period.from, period.to);
    const etasDetail = { theta: etas.theta, meanDelayDays: 1 / etas.omega, iterations: etas.iterations };
    out.etas = etas.converged
      ? { method: 'etas', scores: forecastEtas(etas, cellOf, times, period.to, horizon), fallback: null, detail: etasDetail }
      : fellBack('etas', 'not_converged', etasDetail);
  }

  if (want('rtm') && grid.covariates.length === 0) out.rtm = fellBack('rtm', 'no_covariates');
  else if (want('rtm')) {
    const fit = poissonRegression(grid.covariates.map((c) => c.values), counts);
    const detail = {
      rateRatios: grid.covariates.map((c, k) => ({ key: c.key, label: c.label, perSd: Math.exp(fit.slopes[k]!) })),
      iterations: fit.iterations,
    };
    out.rtm = fit.converged ? { method: 'rtm', scores: fit.fitted, fallback: null, detail } : fellBack('rtm', 'not_converged', detail);
  }

  if (want('ensemble')) {
    const members = ENSEMBLE_MEMBERS.filter((m) => out[m]!.fallback === null);
    if (members.length === 0) out.ensemble = fellBack('ensemble', 'not_converged');
    else {
      const mean = new Float64Array(n);
      for (const m of members) shares(out[m]!.scores).forEach((v, c) => (mean[c]! += v / members.length));
      out.ensemble = { method: 'ensemble', scores: mean, fallback: null, detail: { members } };
    }
  }
  return done();
}

export interface Recommendation {
  readonly method: ForecastMethod;
  /** Null when chosen by the inner back-test; otherwise why the counts were recommended. */
  readonly fallback: Fallback | null;
  /** Each method's inner-back-test criterion (mean PAI at 1 % and 5 %), fitted methods only. */
  readonly inner: readonly { method: ForecastMethod; criterion: number }[];
}

/**
 * The method to use, chosen with the training period only: every method forecasts the training
 * period's later stretches from what came before them (a nested back-test, innerSplits), and
 * the best mean PAI at 1 % and 5 % of area over those folds wins; ties go to the simpler
 * method (the order of FORECAST_METHODS).
 */
export function recommend(grid: ForecastGrid, train: Events, period: Period, horizon: number, only: readonly ForecastMethod[] = FORECAST_METHODS): Recommendation {
  const folds = innerSplits(grid, train, period, horizon);
  if (folds.length === 0) return { method: 'counts', fallback: 'too_few_incidents', inner: [] };
  const judged = new Map<ForecastMethod, number[]>();
  for (const fold of folds) {
    const forecasts = forecastAll(grid, fold.train, fold.period, fold.horizon, only);
    const counts = countsOf(fold.train, grid.cells.length);
    for (const m of only) {
      // A method must be fitted in every fold to be judged.
      if (forecasts[m].fallback !== null) judged.set(m, [Number.NaN]);
      else judged.set(m, [...(judged.get(m) ?? []), criterion(forecasts[m].scores, counts, fold.test)]);
    }
  }
  const inner = only.map((method) => ({ method, criterion: mean(judged.get(method)!) })).filter((r) => !Number.isNaN(r.criterion));
  const best = inner.reduce((a, b) => (b.criterion > a.criterion ? b : a));
  return { method: best.method, fallback: null, inner };
}
