/**
 * How well a ranking of cells forecast a period: the top cells covering a share of the grid's
 * area are flagged and scored on the period's counts.
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

/** The area shares a forecast is judged by when one is chosen: the 1 % and 5 %. */
const SELECTION_SHARES = [0.01, 0.05];

/** Mean PAI at SELECTION_SHARES of ranking cells by `scores`: higher is better. */
export function criterion(scores: ArrayLike<number>, train: ArrayLike<number>, test: ArrayLike<number>): number {
  const s = evaluate(rank(scores, train), test, SELECTION_SHARES);
  return s.reduce((sum, x) => sum + (x.pai ?? 0), 0) / s.length;
}
