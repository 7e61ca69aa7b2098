import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { cellArea } from './grid.js';
import { GRID_PARAMS, gridSpec } from './hotspots.js';
import { parseHours, parseWeekdays } from '../features/list-query.js';
import { filterOver, INCIDENT_FILTER_PARAMS, type Period, periodOf } from './incidents.js';
import { countsOf, eventsIn } from './forecast/events.js';
import { FORECAST_METHODS, type ForecastMethod, forecastAll, recommend } from './forecast/methods.js';
import { riskTerrain } from './forecast/covariates.js';
import { forecastGrid, gridEvents } from './forecast/setup.js';
import { evaluate, rank, type Score } from './forecast/scores.js';
import { integer, list, number, parseParams, text } from './params.js';
import { taiwanToday } from '../rollups/period.js';
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
  bandwidth: number(10, 3_000, ' metres').optional(),
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

/**
 * Mean and sample standard deviation (n − 1) over windows of each metric at each share, with
 * how many windows it is defined in (a window without test incidents has no hit rate or PAI).
 */
function spread(perWindow: readonly Score[][], shares: readonly number[]) {
  return shares.map((share, k) => {
    const of = (metric: 'hitRate' | 'pai' | 'peiStar') => {
      const xs = perWindow.map((w) => w[k]![metric]).filter((x): x is number => x !== null);
      if (xs.length === 0) return { mean: null, sd: null, windows: 0 };
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
      return { mean: round(mean, 4), sd: sd === null ? null : round(sd, 4), windows: xs.length };
    };
    return { share, hitRate: of('hitRate'), pai: of('pai'), peiStar: of('peiStar') };
  });
}

/**
 * The most work one back-test may ask for: windows × (incidents + 2 × cells) ≤ this. Every
 * window fits every method three times over (once, and in each inner fold); 250,000 is about a
 * minute on the embedded database on this project's 2-core reference machine.
 */
export const MAX_BACKTEST_WORK = 250_000;

export async function backtest(db: Queryable, p: Principal, input: unknown, now = Date.now()) {
  const q = parseParams(BACKTEST_PARAMS, input);
  const spec = gridSpec(p, q);
  const firstTrain = periodOf(q.train, 0, 'train');
  const firstTest = periodOf(q.test, 0, 'test');
  if (firstTest.from < firstTrain.to) throw refusal(400, 'analysis_test_before_train', undefined, { field: 'test' });
  const shares = q.shares ?? DEFAULT_SHARES;
  const length = firstTest.to - firstTest.from;
  const windows = Array.from({ length: q.windows ?? 1 }, (_, k) => ({ train: shift(firstTrain, k * length), test: shift(firstTest, k * length) }));
  // A window that ends in the future would score methods on incidents that have not happened.
  const last = windows.at(-1)!;
  if (last.test.to > now + 1) {
    throw refusal(400, 'backtest_window_in_future', { windows: windows.length, end: taiwanToday(new Date(last.test.to - 1)) }, { field: q.windows ? 'windows' : 'test' });
  }
  const scope = await resolveScope(db, p, q);
  const grid = await forecastGrid(db, p, scope, spec, { covariates: false, bandwidth: q.bandwidth });
  const events = await gridEvents(db, p, scope, spec, grid, filterOver(q, { from: firstTrain.from, to: last.test.to }));
  const work = windows.length * (events.t.length + 2 * grid.cells.length);
  if (work > MAX_BACKTEST_WORK) {
    throw refusal(400, 'backtest_too_large', { windows: windows.length, incidents: events.t.length, cells: grid.cells.length, max: MAX_BACKTEST_WORK }, { field: 'windows' });
  }
  const cells = grid.cells;

  const judge = async (w: (typeof windows)[number]) => {
    // The map's layers as they stood when the training period ended: a window of past years
    // must not learn from key places listed or cameras put up since.
    const asOf = { ...grid, covariates: await riskTerrain(db, p, scope, grid.cx, grid.cy, w.train.to) };
    const train = eventsIn(events, w.train);
    const test = eventsIn(events, w.test);
    const testCounts = countsOf(test, cells.length);
    const trainCounts = countsOf(train, cells.length);
    const forecasts = forecastAll(asOf, train, w.train, w.test, FORECAST_METHODS);
    const orders = Object.fromEntries(FORECAST_METHODS.map((m) => [m, rank(forecasts[m].scores, trainCounts)])) as Record<ForecastMethod, number[]>;
    const scores = Object.fromEntries(FORECAST_METHODS.map((m) => [m, evaluate(orders[m], testCounts, shares)])) as Record<ForecastMethod, Score[]>;
    const recommended = recommend(asOf, train, w.train, w.test);
    return { w, train, test, testCounts, trainCounts, forecasts, orders, scores, recommended };
  };
  // One window after another: each holds the database for its covariates and a thread for its fits.
  const judged: Awaited<ReturnType<typeof judge>>[] = [];
  for (const w of windows) judged.push(await judge(w));

  // The map: the last window's cells that any method flags at the largest share.
  const latest = judged.at(-1)!;
  const ranks = Object.fromEntries(FORECAST_METHODS.map((m) => {
    const r = new Int32Array(cells.length);
    latest.orders[m].forEach((cell, k) => (r[cell] = k + 1));
    return [m, r];
  })) as Record<ForecastMethod, Int32Array>;
  const widest = Math.max(...latest.scores.counts.map((s) => s.cells));
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
        train: latest.trainCounts[k]!, test: latest.testCounts[k]!,
        ...Object.fromEntries(FORECAST_METHODS.map((m) => [RANK_KEYS[m], ranks[m][k]!])),
      },
    })),
    results: resultsOf(latest),
    recommended: { method: latest.recommended.method, fallback: latest.recommended.fallback, inner: latest.recommended.inner.map((r) => ({ method: r.method, criterion: round(r.criterion, 3) })) },
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
      train: { from: iso(latest.w.train.from), to: iso(latest.w.train.to), incidents: latest.train.t.length },
      test: { from: iso(latest.w.test.from), to: iso(latest.w.test.to), incidents: latest.test.t.length },
      windows: windows.length,
      filters: { types: q.types ?? null, hours: q.hour === undefined ? null : parseHours(q.hour), days: q.weekday === undefined ? null : parseWeekdays(q.weekday) },
      grid: spec.shape, cellSize: spec.cellSize, cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      cells: cells.length, band: round(spec.band, 1), bandwidth: grid.bandwidth,
      methods: FORECAST_METHODS,
    },
  };
}
