import { seededRandom } from './random.js';

/**
 * Maximum coverage (Church & ReVelle 1974): choose camera views so that the total weight of the
 * demand points seen is largest, each point counted once however many cameras see it. An
 * option is the list of demand points one camera view covers. Pure and deterministic.
 *
 * - aimCameras: every adjustable camera takes exactly one of its options (re-aim).
 * - chooseSites: k options from a pool (new cameras), by lazy greedy and swaps.
 */
export type Option = Int32Array;

/** How many chosen options (and fixed cameras) cover each demand point. */
class Coverage {
  readonly count: Int32Array;
  value = 0;

  constructor(readonly weights: Float64Array, fixed: ArrayLike<number>) {
    this.count = new Int32Array(weights.length);
    // A point fixed cameras see counts once, however many see it.
    for (let i = 0; i < fixed.length; i++) if (this.count[fixed[i]!] === 0) this.addPoint(fixed[i]!);
  }

  private addPoint(j: number) {
    if (this.count[j] === 0) this.value += this.weights[j]!;
    this.count[j] = this.count[j]! + 1;
  }

  add(o: Option) {
    for (let i = 0; i < o.length; i++) this.addPoint(o[i]!);
  }

  remove(o: Option) {
    for (let i = 0; i < o.length; i++) {
      const j = o[i]!;
      this.count[j] = this.count[j]! - 1;
      if (this.count[j] === 0) this.value -= this.weights[j]!;
    }
  }

  /** Weight an option would add: its points nobody covers yet. */
  gain(o: Option): number {
    let g = 0;
    for (let i = 0; i < o.length; i++) if (this.count[o[i]!] === 0) g += this.weights[o[i]!]!;
    return g;
  }
}

/** Total weight the options cover together with the fixed points. */
export function coveredWeight(weights: Float64Array, fixed: ArrayLike<number>, options: readonly Option[]): number {
  const c = new Coverage(weights, fixed);
  for (const o of options) c.add(o);
  return c.value;
}

// Re-aim -----------------------------------------------------------------------------------

export interface AimProblem {
  readonly weights: Float64Array;
  /** Demand points covered whatever is chosen (cameras that cannot turn). */
  readonly fixed: ArrayLike<number>;
  /** Per adjustable camera, its options (one per azimuth it may take). */
  readonly groups: readonly (readonly Option[])[];
}

export interface AimSolution {
  /** Option index chosen per camera. */
  readonly choice: Int32Array;
  readonly value: number;
}

/** Components whose every combination of options is at most this many are solved exactly. */
const EXHAUSTIVE_COMBINATIONS = 200_000;
/** Random restarts and perturbation rounds per larger component. */
const RESTARTS = 6;
const KICKS = 40;
const EPS = 1e-9;

/**
 * Cameras whose options share demand points interact; those that share none are independent.
 * Each group of interacting cameras (a component) is optimised on its own: exhaustively when
 * small, otherwise by coordinate ascent (each camera in turn takes its best option given the
 * others, until none improves) from the current aims, from a greedy start and from random
 * starts, each improved further by perturbing a few interacting cameras at random and
 * re-ascending, keeping the best. The current aims are one start, so the result never covers
 * less than they do.
 */
export function aimCameras(problem: AimProblem, start: ArrayLike<number>, seed = 1): AimSolution {
  const cover = new Coverage(problem.weights, problem.fixed);
  const choice = Int32Array.from(start);
  for (let g = 0; g < problem.groups.length; g++) cover.add(problem.groups[g]![choice[g]!]!);
  const random = seededRandom(seed);
  for (const component of components(problem)) {
    const combinations = component.reduce((n, g) => n * problem.groups[g]!.length, 1);
    if (combinations <= EXHAUSTIVE_COMBINATIONS) exhaustive(problem, cover, choice, component);
    else searchComponent(problem, cover, choice, component, random);
  }
  keepIdleCameras(problem, cover, choice, start);
  return { choice, value: cover.value };
}

/**
 * Among equally good aims, a camera stays as it is: turning one takes someone with a ladder, so
 * a turn that adds nothing (the optimum is often reached several ways) is undone. One at a time,
 * each only if the total stays the same without it.
 */
function keepIdleCameras(problem: AimProblem, cover: Coverage, choice: Int32Array, start: ArrayLike<number>): void {
  for (let g = 0; g < problem.groups.length; g++) {
    if (choice[g] === start[g]) continue;
    const value = cover.value;
    cover.remove(problem.groups[g]![choice[g]!]!);
    cover.add(problem.groups[g]![start[g]!]!);
    if (cover.value >= value - EPS) choice[g] = start[g]!;
    else {
      cover.remove(problem.groups[g]![start[g]!]!);
      cover.add(problem.groups[g]![choice[g]!]!);
    }
  }
}

/** Groups of cameras linked by shared demand points (union-find over the points). */
function components(problem: AimProblem): number[][] {
  const parent = problem.groups.map((_, g) => g);
  const find = (g: number): number => (parent[g] === g ? g : (parent[g] = find(parent[g]!)));
  const owner = new Int32Array(problem.weights.length).fill(-1);
  problem.groups.forEach((options, g) => {
    for (const o of options) {
      for (let i = 0; i < o.length; i++) {
        const j = o[i]!;
        if (owner[j] === -1) owner[j] = g;
        else parent[find(g)] = find(owner[j]!);
      }
    }
  });
  const byRoot = new Map<number, number[]>();
  problem.groups.forEach((_, g) => {
    const r = find(g);
    byRoot.set(r, [...(byRoot.get(r) ?? []), g]);
  });
  return [...byRoot.values()];
}

/** Every combination of the component's options, by depth-first search; the best is kept. */
function exhaustive(problem: AimProblem, cover: Coverage, choice: Int32Array, component: number[]) {
  let best = cover.value;
  const bestChoice = component.map((g) => choice[g]!);
  for (const g of component) cover.remove(problem.groups[g]![choice[g]!]!);
  const visit = (d: number) => {
    if (d === component.length) {
      if (cover.value > best + EPS) {
        best = cover.value;
        component.forEach((g, i) => (bestChoice[i] = choice[g]!));
      }
      return;
    }
    const g = component[d]!;
    const options = problem.groups[g]!;
    for (let o = 0; o < options.length; o++) {
      choice[g] = o;
      cover.add(options[o]!);
      visit(d + 1);
      cover.remove(options[o]!);
    }
  };
  visit(0);
  component.forEach((g, i) => {
    choice[g] = bestChoice[i]!;
    cover.add(problem.groups[g]![choice[g]!]!);
  });
}

/** Moves camera g to its best option given the others; true when that covers more. */
function bestResponse(problem: AimProblem, cover: Coverage, choice: Int32Array, g: number): boolean {
  const options = problem.groups[g]!;
  cover.remove(options[choice[g]!]!);
  let best = choice[g]!;
  let bestGain = cover.gain(options[best]!);
  for (let o = 0; o < options.length; o++) {
    const gain = cover.gain(options[o]!);
    if (gain > bestGain + EPS) {
      best = o;
      bestGain = gain;
    }
  }
  const improved = best !== choice[g];
  choice[g] = best;
  cover.add(options[best]!);
  return improved;
}

function ascend(problem: AimProblem, cover: Coverage, choice: Int32Array, component: number[]) {
  for (let changed = true; changed;) {
    changed = false;
    for (const g of component) if (bestResponse(problem, cover, choice, g)) changed = true;
  }
}

function setChoice(problem: AimProblem, cover: Coverage, choice: Int32Array, g: number, o: number) {
  cover.remove(problem.groups[g]![choice[g]!]!);
  choice[g] = o;
  cover.add(problem.groups[g]![o]!);
}

function searchComponent(problem: AimProblem, cover: Coverage, choice: Int32Array, component: number[], random: () => number) {
  const snapshot = () => component.map((g) => choice[g]!);
  const restore = (s: number[]) => component.forEach((g, i) => setChoice(problem, cover, choice, g, s[i]!));
  const starts: (() => void)[] = [
    () => undefined, // the current aims
    () => greedyStart(problem, cover, choice, component),
    ...Array.from({ length: RESTARTS }, () => () => {
      for (const g of component) setChoice(problem, cover, choice, g, Math.floor(random() * problem.groups[g]!.length));
    }),
  ];
  const initial = snapshot();
  let best = initial;
  let bestValue = -Infinity;
  for (const start of starts) {
    restore(initial);
    start();
    ascend(problem, cover, choice, component);
    // Iterated local search: shake a camera and a few of its neighbours, re-ascend, keep gains.
    let here = snapshot();
    let hereValue = cover.value;
    for (let k = 0; k < KICKS; k++) {
      const kicked = Math.min(component.length, 2 + Math.floor(random() * 3));
      for (let i = 0; i < kicked; i++) {
        const g = component[Math.floor(random() * component.length)]!;
        setChoice(problem, cover, choice, g, Math.floor(random() * problem.groups[g]!.length));
      }
      ascend(problem, cover, choice, component);
      if (cover.value > hereValue + EPS) {
        here = snapshot();
        hereValue = cover.value;
      } else restore(here);
    }
    if (hereValue > bestValue + EPS) {
      best = here;
      bestValue = hereValue;
    }
  }
  restore(best);
}

/** Cameras take, one at a time, the option that adds most, the best addition first. */
function greedyStart(problem: AimProblem, cover: Coverage, choice: Int32Array, component: number[]) {
  for (const g of component) cover.remove(problem.groups[g]![choice[g]!]!);
  const left = new Set(component);
  while (left.size > 0) {
    let bestGroup = -1;
    let bestOption = 0;
    let bestGain = -1;
    for (const g of left) {
      problem.groups[g]!.forEach((o, i) => {
        const gain = cover.gain(o);
        if (gain > bestGain) [bestGroup, bestOption, bestGain] = [g, i, gain];
      });
    }
    choice[bestGroup] = bestOption;
    cover.add(problem.groups[bestGroup]![bestOption]!);
    left.delete(bestGroup);
  }
}

// New sites --------------------------------------------------------------------------------

export interface SiteProblem {
  readonly weights: Float64Array;
  /** Demand points existing cameras already cover. */
  readonly fixed: ArrayLike<number>;
  readonly options: readonly Option[];
}

export interface SitePlan {
  /** Chosen options in rank order: each adds `gains[i]` to those ranked before it. */
  readonly chosen: number[];
  readonly gains: number[];
  /** Weight covered by the fixed points alone, and with the chosen options. */
  readonly before: number;
  readonly value: number;
}

/**
 * Up to k options by lazy greedy (Minoux 1978: a stale gain is an upper bound of the current
 * one, since coverage is submodular, so only the top of the queue is re-evaluated; the result
 * is the plain greedy one and keeps its 1 − 1/e guarantee of Nemhauser, Wolsey & Fisher 1978),
 * then improved by swaps (drop a chosen option, add the best other one) while any swap covers
 * more. The plan is ranked by re-running greedy over the chosen options, so the gains add up
 * to the total and each prefix is what building only the first sites would cover.
 */
export function chooseSites(problem: SiteProblem, k: number): SitePlan {
  const cover = new Coverage(problem.weights, problem.fixed);
  const before = cover.value;
  const chosen = lazyGreedy(problem.options, cover, k, (i) => i);
  swapImprove(problem.options, cover, chosen);
  const ranked = new Coverage(problem.weights, problem.fixed);
  const order = lazyGreedy(chosen.map((i) => problem.options[i]!), ranked, chosen.length, (i) => chosen[i]!);
  const gains: number[] = [];
  const replay = new Coverage(problem.weights, problem.fixed);
  for (const i of order) {
    const value = replay.value;
    replay.add(problem.options[i]!);
    gains.push(replay.value - value);
  }
  return { chosen: order, gains, before, value: cover.value };
}

/** A binary max-heap of (key, item). */
class MaxHeap {
  private readonly keys: number[] = [];
  private readonly items: number[] = [];
  get size() { return this.keys.length; }
  topKey() { return this.keys[0]!; }
  push(key: number, item: number) {
    this.keys.push(key);
    this.items.push(item);
    for (let i = this.keys.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (this.keys[up]! >= this.keys[i]!) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): { key: number; item: number } {
    const top = { key: this.keys[0]!, item: this.items[0]! };
    const lastKey = this.keys.pop()!;
    const lastItem = this.items.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.items[0] = lastItem;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < this.keys.length && this.keys[l]! > this.keys[m]!) m = l;
        if (r < this.keys.length && this.keys[r]! > this.keys[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  private swap(a: number, b: number) {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }
}

/** Lazy greedy over `options`; returns the chosen ones as `id(index)`, best first. */
function lazyGreedy(options: readonly Option[], cover: Coverage, k: number, id: (i: number) => number): number[] {
  const heap = new MaxHeap();
  options.forEach((o, i) => heap.push(cover.gain(o), i));
  const chosen: number[] = [];
  while (chosen.length < k && heap.size > 0) {
    const { item } = heap.pop();
    const gain = cover.gain(options[item]!);
    if (heap.size > 0 && gain < heap.topKey() - EPS) {
      heap.push(gain, item);
      continue;
    }
    if (gain <= EPS) break; // nothing left to gain
    cover.add(options[item]!);
    chosen.push(id(item));
  }
  return chosen;
}

function swapImprove(options: readonly Option[], cover: Coverage, chosen: number[]) {
  const inPlan = new Set(chosen);
  for (let improved = true; improved;) {
    improved = false;
    for (let c = 0; c < chosen.length; c++) {
      const out = chosen[c]!;
      const valueWith = cover.value;
      cover.remove(options[out]!);
      let best = out;
      let bestGain = cover.gain(options[out]!);
      for (let i = 0; i < options.length; i++) {
        if (inPlan.has(i)) continue;
        const gain = cover.gain(options[i]!);
        if (gain > bestGain + EPS) [best, bestGain] = [i, gain];
      }
      cover.add(options[best]!);
      if (best !== out && cover.value > valueWith + EPS) {
        inPlan.delete(out);
        inPlan.add(best);
        chosen[c] = best;
        improved = true;
      } else if (best !== out) {
        cover.remove(options[best]!);
        cover.add(options[out]!);
      }
    }
  }
}
