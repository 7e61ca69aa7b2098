import highsModule from 'highs';
import type { Option } from '../../server/analysis/max-coverage.js';

/**
 * Maximum coverage as an integer program, solved by HiGHS (a MIP solver; a different code path
 * from ours): the benchmark's reference optimum.
 *
 *   maximise Σj wj yj   subject to   yj ≤ Σ{options o covering j} xo,   0 ≤ yj ≤ 1,   xo ∈ {0, 1}
 *   re-aim:    Σ{o of camera g} xo = 1 for every camera g
 *   new sites: Σo xo ≤ k
 *
 * Points already covered (fixed) add their weight and need no variable. `bound` is the optimum
 * when HiGHS proves one (status Optimal), else the LP relaxation's value, an upper bound.
 */
// The package's types are CommonJS-style; at run time the ES module's default is the loader.
const loadHighs = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as typeof highsModule.default;

export interface IlpResult {
  readonly status: string;
  readonly value: number;
  readonly bound: number;
  readonly seconds: number;
}

export async function solveMaxCoverage(weights: Float64Array, fixed: ArrayLike<number>, options: readonly Option[],
  constraint: { groups: readonly number[][] } | { k: number }, timeLimit = 300): Promise<IlpResult> {
  const highs = await loadHighs();
  const covered = new Uint8Array(weights.length);
  for (let i = 0; i < fixed.length; i++) covered[fixed[i]!] = 1;
  let constant = 0;
  weights.forEach((w, j) => { if (covered[j]) constant += w; });
  const coveringOf = new Map<number, number[]>();
  options.forEach((o, i) => o.forEach((j) => {
    if (covered[j]) return;
    let l = coveringOf.get(j);
    if (!l) coveringOf.set(j, (l = []));
    l.push(i);
  }));
  const lines: string[] = ['Maximize', ` obj: ${[...coveringOf.keys()].map((j) => `${weights[j]} y${j}`).join(' + ') || '0 x0'}`, 'Subject To'];
  for (const [j, os] of coveringOf) lines.push(` c${j}: y${j} - ${os.map((o) => `x${o}`).join(' - ')} <= 0`);
  if ('groups' in constraint) constraint.groups.forEach((g, n) => lines.push(` g${n}: ${g.map((o) => `x${o}`).join(' + ')} = 1`));
  else lines.push(` k: ${options.map((_, o) => `x${o}`).join(' + ')} <= ${constraint.k}`);
  lines.push('Bounds', ...[...coveringOf.keys()].map((j) => ` 0 <= y${j} <= 1`), ...options.map((_, o) => ` 0 <= x${o} <= 1`));
  const model = (integer: boolean) => [...lines, ...(integer ? ['Binary', ...options.map((_, o) => ` x${o}`)] : []), 'End'].join('\n');
  const t = performance.now();
  const mip = highs.solve(model(true), { output_flag: false, time_limit: timeLimit, mip_rel_gap: 0 } as Parameters<typeof highs.solve>[1]);
  const seconds = (performance.now() - t) / 1000;
  const value = mip.ObjectiveValue + constant;
  if (mip.Status === 'Optimal') return { status: mip.Status, value, bound: value, seconds };
  const lp = highs.solve(model(false), { output_flag: false } as Parameters<typeof highs.solve>[1]);
  return { status: mip.Status, value, bound: lp.ObjectiveValue + constant, seconds };
}
