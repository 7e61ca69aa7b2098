import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { cellArea, cellSpacing, countInCells, scopeCells } from './grid.js';
import { GRID_PARAMS, gridSpec, hotSpotStatistics } from './hotspots.js';
import { parseHours, parseWeekdays } from '../features/list-query.js';
import { INCIDENT_FILTER_PARAMS, type IncidentFilter, loadIncidents, periodOf } from './incidents.js';
import { quarticKde } from './kde.js';
import { list, number, parseParams, text } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Back-test of hot-spot methods: cells are ranked on a training period by each method (prior
 * counts; kernel density at the cell centre; Gi* z-score), the top cells covering a share of
 * the grid's area are flagged, and the flags are scored on a later test period:
 *
 * - hit rate: share of the test incidents that fall in flagged cells;
 * - PAI, predictive accuracy index (Chainey, Tompson & Uhlig 2008, Security Journal 21):
 *   hit rate ÷ area share;
 * - PEI*, predictive efficiency index (Hunt 2016, the "PEI*" of Drawve & Wooditch 2019):
 *   incidents captured ÷ the most any equal number of cells could capture on the test period
 *   (the sum of its k largest test counts).
 *
 * Cells are equal, so k flagged cells of N are an area share of k / N, with k = the share
 * times N rounded, at least 1. Ties in a method's score are broken by the training count, then
 * by cell order (i, j), so a ranking is reproducible.
 */
const { datetime: _unused, ...FILTERS_WITHOUT_PERIOD } = INCIDENT_FILTER_PARAMS;
export const BACKTEST_PARAMS = {
  ...SCOPE_PARAMS,
  ...FILTERS_WITHOUT_PERIOD,
  ...GRID_PARAMS,
  train: text,
  test: text,
  shares: list(number(0.0001, 1), 20).optional(),
  bandwidth: number(10, 10_000, ' metres').optional(),
};
export const DEFAULT_SHARES = [0.01, 0.02, 0.05, 0.1, 0.2];
export const METHODS = ['counts', 'kde', 'gistar'] as const;
export type Method = (typeof METHODS)[number];

export interface Score {
  readonly share: number;
  readonly cells: number;
  readonly areaShare: number;
  readonly captured: number;
  readonly hitRate: number | null;
  readonly pai: number | null;
  readonly maxCaptured: number;
  readonly peiStar: number | null;
}

/** Cell indices best first by score, ties by training count, then by index. */
export function rank(score: ArrayLike<number>, train: ArrayLike<number>): number[] {
  return Array.from({ length: score.length }, (_, i) => i)
    .sort((a, b) => score[b]! - score[a]! || train[b]! - train[a]! || a - b);
}

/** Hit rate, PAI and PEI* of flagging the first cells of `order`, for each area share. */
export function evaluate(order: readonly number[], test: ArrayLike<number>, shares: readonly number[]): Score[] {
  const n = order.length;
  const total = Array.from(test).reduce((s, x) => s + x, 0);
  const best = Array.from(test).sort((a, b) => b - a);
  return shares.map((share) => {
    const k = Math.min(n, Math.max(1, Math.round(share * n)));
    const captured = order.slice(0, k).reduce((s, i) => s + test[i]!, 0);
    const maxCaptured = best.slice(0, k).reduce((s, x) => s + x, 0);
    const hitRate = total > 0 ? captured / total : null;
    return {
      share, cells: k, areaShare: k / n, captured,
      hitRate, pai: hitRate === null ? null : hitRate / (k / n),
      maxCaptured, peiStar: maxCaptured > 0 ? captured / maxCaptured : null,
    };
  });
}

export async function backtest(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(BACKTEST_PARAMS, input);
  const spec = gridSpec(p, q);
  const train = periodOf(q.train, 0, 'train');
  const test = periodOf(q.test, 0, 'test');
  if (test.from < train.to) throw refusal(400, 'analysis_test_before_train', undefined, { field: 'test' });
  const shares = q.shares ?? DEFAULT_SHARES;
  const bandwidth = q.bandwidth ?? 2 * cellSpacing(spec.shape, spec.cellSize);
  const filter: IncidentFilter = {
    types: q.types, period: train,
    hours: q.hour === undefined ? undefined : parseHours(q.hour),
    days: q.weekday === undefined ? undefined : parseWeekdays(q.weekday),
  };
  const scope = await resolveScope(db, p, q);
  const cells = await scopeCells(db, scope, spec.shape, spec.cellSize);
  const trainPts = await loadIncidents(db, p, filter, scope, train);
  const testPts = await loadIncidents(db, p, filter, scope, test);
  const trainCounts = countInCells(cells, spec.shape, spec.cellSize, trainPts.x, trainPts.y);
  const testCounts = countInCells(cells, spec.shape, spec.cellSize, testPts.x, testPts.y);
  const kde = quarticKde(trainPts.x, trainPts.y, null, cells.map((c) => c.x), cells.map((c) => c.y), bandwidth).values;
  const { z } = hotSpotStatistics(cells, trainCounts, spec.band);
  const scores: Record<Method, ArrayLike<number>> = { counts: trainCounts, kde, gistar: z };
  const orders = Object.fromEntries(METHODS.map((m) => [m, rank(scores[m], trainCounts)])) as Record<Method, number[]>;
  const ranks = Object.fromEntries(METHODS.map((m) => {
    const r = new Int32Array(cells.length);
    orders[m].forEach((cell, k) => (r[cell] = k + 1));
    return [m, r];
  })) as Record<Method, Int32Array>;
  // Cells any method flags at the largest share: enough for the map of every method and share.
  const widest = Math.max(...evaluate(orders.counts, testCounts, shares).map((s) => s.cells));
  const flagged = cells.map((_, k) => k).filter((k) => METHODS.some((m) => ranks[m][k]! <= widest));
  const iso = (t: number) => new Date(t).toISOString();
  return {
    type: 'FeatureCollection' as const,
    features: flagged.map((k) => ({
      type: 'Feature' as const,
      id: k,
      geometry: cells[k]!.geometry,
      properties: {
        i: cells[k]!.i, j: cells[k]!.j,
        train: trainCounts[k]!, test: testCounts[k]!,
        kde: round(kde[k]! * 1e6, 3), z: round(z[k]!, 4),
        rankCounts: ranks.counts[k]!, rankKde: ranks.kde[k]!, rankGistar: ranks.gistar[k]!,
      },
    })),
    results: METHODS.map((method) => ({
      method,
      scores: evaluate(orders[method], testCounts, shares).map((s) => ({
        ...s, areaShare: round(s.areaShare, 6),
        hitRate: s.hitRate === null ? null : round(s.hitRate, 4),
        pai: s.pai === null ? null : round(s.pai, 3),
        peiStar: s.peiStar === null ? null : round(s.peiStar, 4),
      })),
    })),
    analysis: {
      scope: describeScope(scope),
      train: { from: iso(train.from), to: iso(train.to), incidents: trainPts.x.length },
      test: { from: iso(test.from), to: iso(test.to), incidents: testPts.x.length },
      filters: { types: filter.types ?? null, hours: filter.hours ?? null, days: filter.days ?? null },
      grid: spec.shape, cellSize: spec.cellSize, cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      cells: cells.length, band: round(spec.band, 1), bandwidth,
      methods: METHODS,
    },
  };
}
