import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, rank } from '../server/analysis/forecast/scores.js';
import { openDemoWorld, type DemoWorld } from './support/demo-world.js';

/**
 * The back-test of hot-spot methods: its metrics on cases computed by hand, and the whole
 * back-test on the demo city, whose planted hot spots persist from one period to the next.
 */
describe('hit rate, PAI and PEI*', () => {
  // Ten equal cells. Training ranks cell 2 first, then 0, then 5; test counts below (10 in all).
  const test = [5, 0, 3, 0, 0, 2, 0, 0, 0, 0];
  const order = rank([4, 1, 6, 0, 0, 3, 0, 0, 0, 0], [4, 1, 6, 0, 0, 3, 0, 0, 0, 0]);

  it('match a case worked by hand', () => {
    expect(order.slice(0, 3)).toEqual([2, 0, 5]);
    const [tenth, fifth, half] = evaluate(order, test, [0.1, 0.2, 0.5]);
    // 1 cell of 10: cell 2 holds 3 of 10 → hit rate 0.3, PAI 0.3 / 0.1 = 3; the best single cell
    // holds 5 → PEI* 3/5.
    expect(tenth).toMatchObject({ cells: 1, areaShare: 0.1, captured: 3, hitRate: 0.3, maxCaptured: 5 });
    expect(tenth!.pai).toBeCloseTo(3, 12);
    expect(tenth!.peiStar).toBeCloseTo(0.6, 12);
    // 2 cells: 2 and 0 hold 8 → 0.8, PAI 4, and no two cells hold more: PEI* 1.
    expect(fifth).toMatchObject({ cells: 2, captured: 8, hitRate: 0.8, maxCaptured: 8, peiStar: 1 });
    expect(fifth!.pai).toBeCloseTo(4, 12);
    // Half the cells capture all 10: PAI 2.
    expect(half).toMatchObject({ cells: 5, captured: 10, hitRate: 1, pai: 2, peiStar: 1 });
  });

  it('flag at least one cell, break ties by training count then cell order, and say null when undefined', () => {
    expect(evaluate(order, test, [0.001])[0]).toMatchObject({ cells: 1, areaShare: 0.1 });
    // Equal scores: the higher training count first, then the lower index.
    expect(rank([1, 1, 1, 1], [0, 2, 2, 1])).toEqual([1, 2, 3, 0]);
    const none = evaluate([0, 1, 2], [0, 0, 0], [0.5])[0]!;
    expect([none.hitRate, none.pai, none.peiStar]).toEqual([null, null, null]);
  });
});

describe('on the demo city', () => {
  let w: DemoWorld;
  beforeAll(async () => { w = await openDemoWorld(0.1); });
  afterAll(async () => { await w?.close(); });
  const PERIODS = 'train=2025-11-01/2026-07-31&test=2026-08-01/2026-10-31';

  it('scores every method on the planner\'s precinct; persistent hot spots give a PAI far above 1', async () => {
    const res = await w.as('planner').get(`/api/analysis/backtest?${PERIODS}&cellSize=150&shares=0.01,0.05`).expect(200);
    const { rows: [n] } = await w.db.query<{ train: number; test: number }>(
      `SELECT count(*) FILTER (WHERE occurred_at < '2026-08-01T00:00+08')::int AS train,
              count(*) FILTER (WHERE occurred_at >= '2026-08-01T00:00+08')::int AS test
         FROM incidents WHERE precinct_code = 'P01' AND occurred_at >= '2025-11-01T00:00+08' AND occurred_at < '2026-11-01T00:00+08'`);
    expect(res.body.analysis.train.incidents).toBe(n!.train);
    expect(res.body.analysis.test.incidents).toBe(n!.test);
    const cells = res.body.features as { properties: Record<string, number> }[];
    const N = res.body.analysis.cells;
    for (const { method, scores } of res.body.results as { method: string; scores: { share: number; cells: number; areaShare: number; captured: number; maxCaptured: number; hitRate: number; pai: number; peiStar: number }[] }[]) {
      for (const s of scores) {
        expect(s.cells).toBe(Math.max(1, Math.round(s.share * N)));
        expect(s.hitRate).toBeLessThanOrEqual(1);
        expect(s.captured).toBeLessThanOrEqual(s.maxCaptured);
        expect(s.pai).toBeCloseTo(s.hitRate! / s.areaShare, 2);
        // Persistent planted hot spots: every method that reads where incidents were finds them;
        // the risk-terrain model reads only the map's layers, and does better than chance.
        expect(s.pai, `${method} at ${s.share}`).toBeGreaterThan(method === 'rtm' ? 1.5 : 5);
        if (method !== 'rtm') expect(s.peiStar).toBeGreaterThan(0.5);
        // The flagged cells on the map are the method's first k, and hold what it captured.
        const key = `rank${method[0]!.toUpperCase()}${method.slice(1)}`;
        const flagged = cells.filter((c) => c.properties[key]! <= s.cells!);
        expect(flagged).toHaveLength(s.cells!);
        expect(flagged.reduce((t, c) => t + c.properties.test!, 0)).toBe(s.captured);
      }
    }
    expect((res.body.results as { method: string }[]).map((r) => r.method)).toEqual(['counts', 'kde', 'gistar', 'tkde', 'etas', 'rtm', 'ensemble']);
    expect(res.body.results.every((r: { fallback: string | null }) => r.fallback === null)).toBe(true);
  });

  it('is for police accounts: to the community and the public it does not exist', async () => {
    for (const role of ['community', 'public'] as const) {
      const res = await w.as(role).get(`/api/analysis/backtest?${PERIODS}`).expect(404);
      const unknown = await w.as(role).get(`/api/analysis/nothing-here?${PERIODS}`).expect(404);
      expect(res.body.error.message.replace('backtest', 'X')).toBe(unknown.body.error.message.replace('nothing-here', 'X'));
    }
    const list = (await w.as('public').get('/api/analysis').expect(200)).body.endpoints;
    expect(list).not.toContain('/api/analysis/backtest');
    expect((await w.as('officer').get('/api/analysis').expect(200)).body.endpoints).toContain('/api/analysis/backtest');
  });

  it.each([
    ['train=2026-01-01/2026-06-30&test=2026-06-01/2026-06-30', 'test', /驗證期間（test）必須在訓練期間（train）結束之後/],
    ['test=2026-06-01/2026-06-30', 'train', /^「train」為必填，請提供這個參數。$/],
    ['train=2026-01-01/2026-05-31&test=2026-06-01/2026-06-30&shares=0,0.1', 'shares[0]', /^「shares\[0\]」必須是 0.0001 到 1 之間的數字。$/],
    ['train=2026-01-01/2026-05-31&test=2026-06-01/2026-06-30&shares=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.11,0.12,0.13,0.14,0.15,0.16,0.17,0.18,0.19,0.21,0.22,0.23', 'shares', /^「shares」必須是以逗號分隔的清單（或 JSON 陣列），有 1 到 20 個值。$/],
    ['train=2026-01-01/2026-05-31&test=2026-06-01/2026-06-30&datetime=2026-01-01/..', 'datetime', /不認得參數「datetime」/],
    ['train=0000-01-01/2026-05-31&test=2026-06-01/2026-06-30', 'train', /「train」的年份必須在 1 到 9999 之間/],
  ])('refuses %s naming %s', async (query, field, message) => {
    const res = await w.as('admin').get(`/api/analysis/backtest?${query}`).expect(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(message);
  });
});
