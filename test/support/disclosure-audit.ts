/**
 * The attacker's arithmetic over published figures, for the subtraction attack of
 * test/disclosure-attack.test.ts.
 *
 * Every figure an answer publishes is a statement about incidents: "the number of incidents with
 * these properties lies in [lo, hi]" — [v, v] for an exact count, [0, 2] for one withheld below
 * a threshold of 3, a rounding interval for a rounded one. Incidents fall into atoms: sets that
 * every figure either wholly counts or wholly leaves out (real incidents, and probes: hypothetical
 * incidents standing for sets where none lies). A figure is the sum of its atoms; where figures
 * nest — a total and its parts, a window and the same window a day shorter, a station and its
 * beats, a box and the box less a strip, all types and all but one — the attacker writes
 * "figure = its parts + the rest" and the rest becomes a quantity of its own. Interval
 * propagation over all these sums, to a fixed point, is what the attacker can work out. A leak is
 * an atom, a figure or a rest whose count comes out exact and below the threshold.
 */

/** One published figure: the interval an answer gives the number of incidents it counts. */
export interface Figure {
  /** Where it was read, for the report: request and path in the answer. */
  readonly label: string;
  readonly lo: number;
  readonly hi: number;
  /** Figures of one family (an answer's cells, its hour cells, its total…) count disjoint sets. */
  readonly family: number;
  /** The answer it came from, to count the answers that give something away. */
  readonly answer?: number;
}

/** An incident, real or a probe, and the figures that count it. */
export interface Membership {
  readonly real: boolean;
  readonly figures: readonly number[];
}

export interface Leak {
  readonly what: 'atom' | 'figure' | 'rest';
  readonly value: number;
  /** The figures involved: a few that count the atom, the figure, or the figure and its parts. */
  readonly labels: readonly string[];
  readonly answers: readonly number[];
}

export interface AuditResult {
  readonly figures: number;
  readonly atoms: number;
  /** Atoms of probes only (sets without a single incident). */
  readonly emptyAtoms: number;
  /** "Figure = parts + rest" statements the attacker used. */
  readonly nestings: number;
  readonly sweeps: number;
  readonly leaks: Leak[];
  /** Statements the incidents contradict: a mistake in the test's reading of an answer. */
  readonly modelErrors: string[];
}

/** A sum: `total` (a variable) = Σ `parts` (variables). Variables are atoms, figures and rests. */
interface Sum { total: number; parts: Int32Array }

/**
 * Bounds on every atom, figure and rest, tightened until nothing changes (or `maxSweeps`), and
 * those found exact and below `threshold`. Nestings whose rest holds more than `restLimit`
 * incidents are left out (they pin nothing small by themselves and would only slow the search).
 */
export function audit(figures: readonly Figure[], members: readonly Membership[], threshold: number,
  { maxSweeps = 200, restLimit = 8 } = {}): AuditResult {
  // Atoms: incidents (and probes) grouped by the figures that count them.
  const atomOf = new Map<string, number>();
  const atomSize: number[] = [];
  const atomFigures: number[][] = [];
  for (const m of members) {
    if (m.figures.length === 0) continue;
    const fs = [...m.figures].sort((a, b) => a - b);
    const key = fs.join(',');
    let a = atomOf.get(key);
    if (a === undefined) {
      atomOf.set(key, (a = atomSize.length));
      atomSize.push(0);
      atomFigures.push(fs);
    }
    if (m.real) atomSize[a]!++;
  }
  const nAtoms = atomSize.length;
  const figureAtoms: number[][] = figures.map(() => []);
  atomFigures.forEach((fs, a) => { for (const f of fs) figureAtoms[f]!.push(a); });
  const words = Math.ceil(nAtoms / 32);
  const bits = figures.map((_, f) => {
    const b = new Uint32Array(words);
    for (const a of figureAtoms[f]!) b[a >>> 5]! |= 1 << (a & 31);
    return b;
  });
  const has = (f: number, a: number) => (bits[f]![a >>> 5]! & (1 << (a & 31))) !== 0;
  const sizeOf = (atoms: readonly number[]) => atoms.reduce((s, a) => s + atomSize[a]!, 0);

  // Variables: atoms first, then figures, then rests.
  const lo: number[] = [];
  const hi: number[] = [];
  const truth: number[] = [];
  const describe: (() => { what: Leak['what']; labels: string[]; answers: number[] })[] = [];
  const answersOf = (fs: readonly number[]) => [...new Set(fs.map((f) => figures[f]!.answer).filter((x): x is number => x !== undefined))];
  const variable = (l: number, h: number, t: number, d: (typeof describe)[number]) => {
    lo.push(l); hi.push(h); truth.push(t); describe.push(d);
    return lo.length - 1;
  };
  for (let a = 0; a < nAtoms; a++) {
    variable(0, Infinity, atomSize[a]!, () => ({ what: 'atom', labels: atomFigures[a]!.slice(0, 4).map((f) => figures[f]!.label), answers: answersOf(atomFigures[a]!) }));
  }
  const figureVar = figures.map((f, k) => variable(f.lo, f.hi, sizeOf(figureAtoms[k]!), () => ({ what: 'figure', labels: [f.label], answers: answersOf([k]) })));

  const sums: Sum[] = figures.map((_, k) => ({ total: figureVar[k]!, parts: Int32Array.from(figureAtoms[k]!) }));

  // Nestings: a figure, the figures of another family inside it, and the rest.
  const families = new Map<number, number[]>();
  figures.forEach((f, k) => families.set(f.family, [...(families.get(f.family) ?? []), k]));
  const inside = new Map<string, number[]>(); // "F family" → parts
  for (const [family, members_] of families) {
    for (const g of members_) {
      const ga = figureAtoms[g]!;
      if (ga.length === 0) continue;
      // Figures holding every atom of g: among those holding its first atom.
      for (const f of atomFigures[ga[0]!]!) {
        if (figures[f]!.family === family || !ga.every((a) => has(f, a))) continue;
        const key = `${f} ${family}`;
        inside.set(key, [...(inside.get(key) ?? []), g]);
      }
    }
  }
  const seen = new Set<string>();
  let nestings = 0;
  for (const [key, parts] of inside) {
    const f = Number(key.split(' ')[0]);
    const partAtoms = new Set(parts.flatMap((g) => figureAtoms[g]!));
    const rest = figureAtoms[f]!.filter((a) => !partAtoms.has(a));
    const restSize = sizeOf(rest);
    // No atom left: the two count the same incidents by what they are, which tells nothing.
    if (rest.length === 0 || restSize > restLimit) continue;
    const id = `${f}|${rest.join(',')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    nestings++;
    const r = variable(0, Infinity, restSize, () => ({ what: 'rest', labels: [figures[f]!.label, ...parts.slice(0, 3).map((g) => `− ${figures[g]!.label}`)], answers: answersOf([f, ...parts]) }));
    sums.push({ total: figureVar[f]!, parts: Int32Array.from([...parts.map((g) => figureVar[g]!), r]) });
    sums.push({ total: r, parts: Int32Array.from(rest) });
  }

  const modelErrors: string[] = [];
  figures.forEach((f, k) => {
    const v = truth[figureVar[k]!]!;
    if (v < f.lo || v > f.hi) modelErrors.push(`${f.label}: true value ${v} outside the published [${f.lo}, ${f.hi}]`);
  });

  let sweeps = 0;
  for (let changed = true; changed && sweeps < maxSweeps; sweeps++) {
    changed = false;
    const tighten = (v: number, l: number, h: number) => {
      const nl = Math.max(lo[v]!, Math.ceil(l - 1e-6));
      const nh = Math.min(hi[v]!, Math.floor(h + 1e-6));
      if (nl !== lo[v] || nh !== hi[v]) { lo[v] = nl; hi[v] = nh; changed = true; }
    };
    for (const s of sums) {
      let sumLo = 0, sumHi = 0, infinite = 0;
      for (const p of s.parts) {
        sumLo += lo[p]!;
        if (hi[p] === Infinity) infinite++; else sumHi += hi[p]!;
      }
      tighten(s.total, sumLo, infinite ? Infinity : sumHi);
      for (const p of s.parts) {
        const othersHi = infinite - (hi[p] === Infinity ? 1 : 0) > 0 ? Infinity : sumHi - (hi[p] === Infinity ? 0 : hi[p]!);
        tighten(p, lo[s.total]! - othersHi, hi[s.total]! - (sumLo - lo[p]!));
      }
    }
  }

  const leaks: Leak[] = [];
  for (let v = 0; v < lo.length; v++) {
    if (lo[v]! > hi[v]! || truth[v]! < lo[v]! || truth[v]! > hi[v]!) {
      const d = describe[v]!();
      modelErrors.push(`${d.what} ${d.labels.join(' | ')}: true ${truth[v]} bounded to [${lo[v]}, ${hi[v]}]`);
    } else if (lo[v] === hi[v] && lo[v]! < threshold) {
      const d = describe[v]!();
      // A figure with no incident and no probe in it tells the model nothing it could check.
      if (d.what === 'figure' && figureAtoms[v - nAtoms]!.length === 0) continue;
      leaks.push({ ...d, value: lo[v]! });
    }
  }
  return { figures: figures.length, atoms: atomSize.filter((n) => n > 0).length, emptyAtoms: atomSize.filter((n) => n === 0).length, nestings, sweeps, leaks, modelErrors };
}
