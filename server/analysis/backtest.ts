import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { cellArea } from './grid.js';
import { GRID_PARAMS, gridSpec } from './hotspots.js';
import { parseHours, parseWeekdays } from '../features/list-query.js';
import { INCIDENT_FILTER_PARAMS, type IncidentFilter, type Period, periodOf } from './incidents.js';
import { countsOf, eventsIn } from './forecast/events.js';
import { FORECAST_METHODS, type ForecastMethod, forecastAll, recommend } from './forecast/methods.js';
import { forecastInputs } from './forecast/setup.js';
import { evaluate, rank, type Score } from './forecast/scores.js';
import { integer, list, number, parseParams, text } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Rolling back-test of the forecasting methods (forecast/methods.ts): for each window, every
 * method ranks the cells from the training period, the top cells covering each area share are
 * flagged, and the flags are scored on the test period that follows (hit rate, PAI, PEI*:
 * forecast/scores.ts). Window k moves both periods k test-lengths later. Each window also names
 * the method its own training period recommends (a nested back-test inside it), and that
 * choice is scored like the others: the `recommended` row says how well choosing by evidence
 * does, without ever looking at a test period.
 */
const { datetime: _unused, ...FILTERS_WITHOUT_PERIOD } = INCIDENT_FILTER_PARAMS;
export const BACKTEST_PARAMS = {
  ...SCOPE_PARAMS,
  ...FILTERS_WITHOUT_PERIOD,
  ...GRID_PARAMS,
  train: text,
  test: text,
  windows: integer(1, 8).optional(),
  shares: list(number(0.0001, 1), 20).optional(),
  bandwidth: number(10, 10_000, ' metres').optional(),
};
export const DEFAULT_SHARES = [0.01, 0.02, 0.05, 0.1, 0.2];

const iso = (t: number) => new Date(t).toISOString();
const shift = (p: Period, by: number): Period => ({ from: p.from + by, to: p.to + by });
const rounded = (s: Score) => ({
  ...s, areaShare: round(s.areaShare, 6),
  hitRate: s.hitRate === null ? null : round(s.hitRate, 4),
  pai: s.pai === null ? null : round(s.pai, 3),
  peiStar: s.peiStar === null ? null : round(s.peiStar, 4),
});
const RANK_KEYS = Object.fromEntries(FORECAST_METHODS.map((m) => [m, `rank${m[0]!.toUpperCase()}${m.slice(1)}`])) as Record<ForecastMethod, string>;

/** Mean and standard deviation over windows of each metric at each share (windows where it is defined). */
function spread(perWindow: readonly Score[][], shares: readonly number[]) {
  return shares.map((share, k) => {
    const of = (metric: 'hitRate' | 'pai' | 'peiStar') => {
      const xs = perWindow.map((w) => w[k]![metric]).filter((x): x is number => x !== null);
      if (xs.length === 0) return { mean: null, sd: null };
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      return { mean: round(mean, 4), sd: round(sd, 4) };
    };
    return { share, hitRate: of('hitRate'), pai: of('pai'), peiStar: of('peiStar') };
  });
}

export async function backtest(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(BACKTEST_PARAMS, input);
  const spec = gridSpec(p, q);
  const firstTrain = periodOf(q.train, 0, 'train');
  const firstTest = periodOf(q.test, 0, 'test');
  if (firstTest.from < firstTrain.to) throw refusal(400, 'analysis_test_before_train', undefined, { field: 'test' });
  const shares = q.shares ?? DEFAULT_SHARES;
  const horizon = firstTest.to - firstTest.from;
  const windows = Array.from({ length: q.windows ?? 1 }, (_, k) => ({ train: shift(firstTrain, k * horizon), test: shift(firstTest, k * horizon) }));
  const filter: IncidentFilter = {
    types: q.types, period: firstTrain,
    hours: q.hour === undefined ? undefined : parseHours(q.hour),
    days: q.weekday === undefined ? undefined : parseWeekdays(q.weekday),
  };
  const scope = await resolveScope(db, p, q);
  const { grid, events } = await forecastInputs(db, p, scope, spec, filter, { from: firstTrain.from, to: windows.at(-1)!.test.to }, q.bandwidth);
  const cells = grid.cells;

  const judged = windows.map((w) => {
    const train = eventsIn(events, w.train);
    const test = eventsIn(events, w.test);
    const testCounts = countsOf(test, cells.length);
    const trainCounts = countsOf(train, cells.length);
    const forecasts = forecastAll(grid, train, w.train, horizon, FORECAST_METHODS);
    const orders = Object.fromEntries(FORECAST_METHODS.map((m) => [m, rank(forecasts[m].scores, trainCounts)])) as Record<ForecastMethod, number[]>;
    const scores = Object.fromEntries(FORECAST_METHODS.map((m) => [m, evaluate(orders[m], testCounts, shares)])) as Record<ForecastMethod, Score[]>;
    const recommended = recommend(grid, train, w.train, horizon);
    return { w, train, test, testCounts, trainCounts, forecasts, orders, scores, recommended };
  });

  // The map: the last window's cells that any method flags at the largest share.
  const last = judged.at(-1)!;
  const ranks = Object.fromEntries(FORECAST_METHODS.map((m) => {
    const r = new Int32Array(cells.length);
    last.orders[m].forEach((cell, k) => (r[cell] = k + 1));
    return [m, r];
  })) as Record<ForecastMethod, Int32Array>;
  const widest = Math.max(...last.scores.counts.map((s) => s.cells));
  const flagged = cells.map((_, k) => k).filter((k) => FORECAST_METHODS.some((m) => ranks[m][k]! <= widest));
  const resultsOf = (j: (typeof judged)[number]) => FORECAST_METHODS.map((method) => ({
    method, fallback: j.forecasts[method].fallback, detail: j.forecasts[method].detail ?? null,
    scores: j.scores[method].map(rounded),
  }));
  return {
    type: 'FeatureCollection' as const,
    features: flagged.map((k) => ({
      type: 'Feature' as const,
      id: k,
      geometry: cells[k]!.geometry,
      properties: {
        i: cells[k]!.i, j: cells[k]!.j,
        train: last.trainCounts[k]!, test: last.testCounts[k]!,
        ...Object.fromEntries(FORECAST_METHODS.map((m) => [RANK_KEYS[m], ranks[m][k]!])),
      },
    })),
    results: resultsOf(last),
    recommended: { method: last.recommended.method, fallback: last.recommended.fallback, inner: last.recommended.inner.map((r) => ({ method: r.method, criterion: round(r.criterion, 3) })) },
    windows: judged.map((j) => ({
      train: { from: iso(j.w.train.from), to: iso(j.w.train.to), incidents: j.train.t.length },
      test: { from: iso(j.w.test.from), to: iso(j.w.test.to), incidents: j.test.t.length },
      recommended: j.recommended.method,
      results: resultsOf(j),
    })),
    summary: [
      ...FORECAST_METHODS.map((method) => ({ method, scores: spread(judged.map((j) => j.scores[method]), shares) })),
      { method: 'recommended' as const, scores: spread(judged.map((j) => j.scores[j.recommended.method]), shares) },
    ],
    analysis: {
      scope: describeScope(scope),
      train: { from: iso(last.w.train.from), to: iso(last.w.train.to), incidents: last.train.t.length },
      test: { from: iso(last.w.test.from), to: iso(last.w.test.to), incidents: last.test.t.length },
      windows: windows.length,
      filters: { types: filter.types ?? null, hours: filter.hours ?? null, days: filter.days ?? null },
      grid: spec.shape, cellSize: spec.cellSize, cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      cells: cells.length, band: round(spec.band, 1), bandwidth: grid.bandwidth,
      methods: FORECAST_METHODS,
    },
  };
}
