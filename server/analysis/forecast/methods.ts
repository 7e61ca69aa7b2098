import type { Cell } from '../grid.js';
import { hotSpotStatistics } from '../hotspots.js';
import type { Period } from '../incidents.js';
import { quarticKde } from '../kde.js';
import type { Covariate } from './covariates.js';
import { DECAYED_KDE_CANDIDATES, decayedKde, decayedKdes, type DecayedKdeSettings, type DensityGrid } from './decayed-kde.js';
import { fitEtas, forecastEtas } from './etas.js';
import { countsOf, DAY_MS, type Events, eventsIn } from './events.js';
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
 * MIN_TRAINING_EVENTS incidents to learn from, EM or the regression not converging, a
 * self-exciting fit whose incidents would each trigger one or more others (θ ≥ 1: a process that
 * feeds on itself without end, an artefact of the data, not a forecast), no covariates to read.
 *
 * Every method forecasts a target period: the test period of a back-test (which may start some
 * time after the training period ends) or the coming days.
 */
export const FORECAST_METHODS = ['counts', 'kde', 'gistar', 'tkde', 'etas', 'rtm', 'ensemble'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];
export const MIN_TRAINING_EVENTS = 30;

export type Fallback = 'too_few_incidents' | 'not_converged' | 'unstable' | 'no_covariates';

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
  readonly target: Period;
  readonly test: Float64Array;
}

/** At most this many inner back-tests per choice: the last stretch of the training period, then the one before. */
const INNER_FOLDS = 2;
/** An inner stretch is at least this long (a week's incidents judge a method by chance), */
const MIN_INNER_DAYS = 90;
/** and holds at least this many incidents to judge by. */
const MIN_INNER_TEST = 10;

/**
 * Inner back-tests inside a training period: its last stretch — as long as the target, at
 * least MIN_INNER_DAYS, at most a third of the period — as a test forecast from everything
 * before, then the stretch before that from everything before it, while at least a third of
 * the period is left to learn from. Folds too thin to judge by (fewer than MIN_TRAINING_EVENTS
 * incidents before, fewer than MIN_INNER_TEST in the stretch) are left out.
 */
function innerSplits(grid: ForecastGrid, train: Events, period: Period, target: Period): InnerSplit[] {
  const span = period.to - period.from;
  const inner = Math.min(Math.max(target.to - target.from, MIN_INNER_DAYS * DAY_MS), span / 3);
  const out: InnerSplit[] = [];
  for (let fold = 1; fold <= INNER_FOLDS; fold++) {
    const split = period.to - fold * inner;
    if (split - period.from < span / 3 - 1) break;
    const innerPeriod = { from: period.from, to: split };
    const innerTrain = eventsIn(train, innerPeriod);
    const innerTarget = { from: split, to: split + inner };
    const test = countsOf(eventsIn(train, innerTarget), grid.cells.length);
    if (inGrid(innerTrain) >= MIN_TRAINING_EVENTS && test.reduce((a, b) => a + b, 0) >= MIN_INNER_TEST) {
      out.push({ train: innerTrain, period: innerPeriod, target: innerTarget, test });
    }
  }
  return out;
}

/** How many incidents of the events lie in the grid. */
const inGrid = (e: Events) => e.cell.reduce((n, c, i) => n + (c >= 0 ? (e.w ? e.w[i]! : 1) : 0), 0);

const DEFAULT_DECAYED_KDE: DecayedKdeSettings = { scales: [2], halfLifeDays: null };

/** The decayed KDE's settings that forecast the training period's own later stretches best. */
function selectDecayedKde(grid: ForecastGrid, train: Events, period: Period, target: Period): { settings: DecayedKdeSettings; chosenBy: 'inner_backtest' | 'default' } {
  const folds = innerSplits(grid, train, period, target);
  if (folds.length === 0) return { settings: DEFAULT_DECAYED_KDE, chosenBy: 'default' };
  const counts = folds.map((f) => countsOf(f.train, grid.cells.length));
  let best = { settings: DEFAULT_DECAYED_KDE, value: -Infinity };
  const surfaces = folds.map((f) => decayedKdes(f.train, grid, f.target.from, DECAYED_KDE_CANDIDATES));
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
 * The forecasts for `target` from the training events of `period`, by the methods in `only`
 * (FORECAST_METHODS for all; the ensemble brings its members along).
 */
export function forecastAll<M extends ForecastMethod>(grid: ForecastGrid, train: Events, period: Period, target: Period, only: readonly M[]): Record<M, MethodForecast> {
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
  if (want('kde')) out.kde = { method: 'kde', scores: quarticKde(train.x, train.y, train.w ?? null, grid.cx, grid.cy, grid.bandwidth).values, fallback: null, detail: { bandwidth: grid.bandwidth } };
  if (want('gistar')) out.gistar = { method: 'gistar', scores: hotSpotStatistics(grid.cells, counts, grid.band).z, fallback: null, detail: { band: grid.band } };

  if (want('tkde')) {
    const { settings, chosenBy } = selectDecayedKde(grid, train, period, target);
    out.tkde = {
      method: 'tkde', scores: decayedKde(train, grid, target.from, settings), fallback: null,
      detail: { bandwidths: settings.scales.map((s) => Math.round(s * grid.spacing)), halfLifeDays: settings.halfLifeDays, chosenBy },
    };
  }

  if (want('etas') && train.w) throw new Error('the self-exciting model needs incidents one by one, not counts');
  if (want('etas')) {
    const keep = Array.from(train.cell.keys()).filter((i) => train.cell[i]! >= 0);
    const cellOf = Int32Array.from(keep, (i) => train.cell[i]!);
    const times = Float64Array.from(keep, (i) => train.t[i]!);
    // Fitted over the span the incidents cover: a history asked to start years before the first
    // record would read as a quiet background broken by bursts, all of it "triggered".
    const etas = fitEtas(cellOf, times, n, Math.max(period.from, times[0] ?? period.from), period.to);
    const etasDetail = { theta: etas.theta, meanDelayDays: 1 / etas.omega, iterations: etas.iterations };
    out.etas = !etas.converged ? fellBack('etas', 'not_converged', etasDetail)
      : etas.theta >= 1 ? fellBack('etas', 'unstable', etasDetail)
      : { method: 'etas', scores: forecastEtas(etas, cellOf, times, target.from, target.to - target.from), fallback: null, detail: etasDetail };
  }

  // A covariate the same in every cell (no camera yet, say) says nothing about where.
  const informative = grid.covariates.filter((c) => c.values.some((v) => v !== c.values[0]));
  if (want('rtm') && informative.length === 0) out.rtm = fellBack('rtm', 'no_covariates');
  else if (want('rtm')) {
    const fit = poissonRegression(informative.map((c) => c.values), counts);
    const detail = {
      rateRatios: informative.map((c, k) => ({ key: c.key, label: c.label, perSd: Math.exp(fit.slopes[k]!) })),
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
  /**
   * Null when chosen by the inner back-test; otherwise why the counts were recommended: too few
   * incidents, or a training period too short (or too quiet at its end) to hold an inner back-test.
   */
  readonly fallback: 'too_few_incidents' | 'no_inner_backtest' | null;
  /** Each method's inner-back-test criterion (mean PAI at 1 % and 5 %), fitted methods only. */
  readonly inner: readonly { method: ForecastMethod; criterion: number }[];
}

/**
 * The method to use, chosen with the training period only: every method forecasts the training
 * period's later stretches from what came before them (a nested back-test, innerSplits), and
 * the best mean PAI at 1 % and 5 % of area over those folds wins; ties go to the simpler
 * method (the order of FORECAST_METHODS).
 */
export function recommend(grid: ForecastGrid, train: Events, period: Period, target: Period, only: readonly ForecastMethod[] = FORECAST_METHODS): Recommendation {
  if (inGrid(train) < MIN_TRAINING_EVENTS) return { method: 'counts', fallback: 'too_few_incidents', inner: [] };
  const folds = innerSplits(grid, train, period, target);
  if (folds.length === 0) return { method: 'counts', fallback: 'no_inner_backtest', inner: [] };
  const judged = new Map<ForecastMethod, number[]>();
  for (const fold of folds) {
    const forecasts = forecastAll(grid, fold.train, fold.period, fold.target, only);
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
