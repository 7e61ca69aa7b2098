import { describe, expect, it } from 'vitest';
import { benjaminiHochbergCutoff, confidenceBins } from '../server/analysis/fdr.js';
import { giStar } from '../server/analysis/gistar.js';
import { quarticKde } from '../server/analysis/kde.js';
import { neighboursWithin } from '../server/analysis/neighbours.js';
import { erfc, twoSidedP } from '../server/analysis/normal.js';
import { publishedCount } from '../server/analysis/published.js';
import { seededRandom } from '../server/analysis/random.js';

/**
 * The numeric core of the analysis, against hand computations, published worked examples and
 * independent implementations written here along other formulas.
 */

describe('standard normal tails', () => {
  it('gives the tabulated two-sided p-values of the critical z-scores', () => {
    // Abramowitz & Stegun table 26.1: P(|Z| > 1.644854) = 0.10, 1.959964 → 0.05, 2.575829 → 0.01.
    expect(twoSidedP(1.644854)).toBeCloseTo(0.1, 6);
    expect(twoSidedP(-1.959964)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(2.575829)).toBeCloseTo(0.01, 7);
    expect(twoSidedP(0)).toBe(1);
    // Far tail keeps its relative precision: P(|Z| > 7) = 2.559625e-12.
    expect(twoSidedP(7) / 2.559625e-12).toBeCloseTo(1, 5);
    expect(erfc(-1) + erfc(1)).toBeCloseTo(2, 12);
  });
});

describe('fixed distance band neighbours', () => {
  it('finds every pair within the band, self included, as a brute-force scan does', () => {
    const r = seededRandom(3);
    const xs = Array.from({ length: 400 }, () => 170_000 + r() * 2000);
    const ys = Array.from({ length: 400 }, () => 2_540_000 + r() * 2000);
    const nb = neighboursWithin(xs, ys, 180);
    for (let i = 0; i < xs.length; i++) {
      const brute = xs.flatMap((x, j) => ((x - xs[i]!) ** 2 + (ys[j]! - ys[i]!) ** 2 <= 180 ** 2 ? [j] : []));
      expect([...nb.indices.subarray(nb.offsets[i]!, nb.offsets[i + 1]!)].sort((a, b) => a - b)).toEqual(brute);
    }
  });
});

describe('Getis-Ord Gi*', () => {
  it('matches a small example worked by hand', () => {
    // Five cells in a row 1 m apart, band 1 m (each cell, itself and the cells beside it).
    // Values 0 0 0 6 0: n = 5, mean 1.2, S = √(36/5 − 1.44) = 2.4.
    // Cell 3: Σw x = 6, Σw = 3 → (6 − 3.6) / (2.4 √((5·3 − 9)/4)) = 2.4 / (2.4 √1.5) = √(2/3).
    // Cell 4: Σw x = 6, Σw = 2 → (6 − 2.4) / (2.4 √((10 − 4)/4)) = 3.6 / (2.4 √1.5) = √1.5.
    // Cell 1: Σw x = 0, Σw = 3 → −√1.5; cell 0: Σw = 2 → −√(2/3); cell 2 sees the 6 → √(2/3).
    const nb = neighboursWithin([0, 1, 2, 3, 4], [0, 0, 0, 0, 0], 1);
    const { z, p } = giStar([0, 0, 0, 6, 0], nb);
    const expected = [-Math.sqrt(2 / 3), -Math.sqrt(1.5), Math.sqrt(2 / 3), Math.sqrt(2 / 3), Math.sqrt(1.5)];
    expected.forEach((e, i) => expect(z[i]).toBeCloseTo(e, 12));
    // P(|Z| > 1.224745) = 0.220671 (normal table).
    expect(p[4]).toBeCloseTo(0.220671, 5);
  });

  it('agrees with Getis & Ord (1992)\'s form, (G*i − E[G*i]) / √Var(G*i), on random grids', () => {
    // Getis & Ord 1992, Geographical Analysis 24(3), eqs. for G*i with binary weights W*i:
    // G*i = Σj wij xj / Σj xj, E = W*i / n, Var = W*i (n − W*i) / (n² (n − 1)) · Y2 / Y1²,
    // Y1 = Σ xj / n, Y2 = Σ xj² / n − Y1². A different formula and an O(n²) neighbour scan.
    const r = seededRandom(11);
    for (let trial = 0; trial < 5; trial++) {
      const side = 15 + trial;
      const xs: number[] = [];
      const ys: number[] = [];
      const values: number[] = [];
      for (let a = 0; a < side; a++) {
        for (let b = 0; b < side; b++) {
          xs.push(a * 100);
          ys.push(b * 100);
          values.push(Math.floor(r() * 6) + (a < 4 && b < 4 ? 8 : 0));
        }
      }
      const band = 150 + trial * 40;
      const { z } = giStar(values, neighboursWithin(xs, ys, band));
      const n = values.length;
      const total = values.reduce((s, v) => s + v, 0);
      const y1 = total / n;
      const y2 = values.reduce((s, v) => s + v * v, 0) / n - y1 * y1;
      for (let i = 0; i < n; i++) {
        let w = 0;
        let local = 0;
        for (let j = 0; j < n; j++) {
          if (Math.hypot(xs[j]! - xs[i]!, ys[j]! - ys[i]!) <= band) {
            w++;
            local += values[j]!;
          }
        }
        const g = local / total;
        const variance = ((w * (n - w)) / (n * n * (n - 1))) * (y2 / (y1 * y1));
        expect(z[i]).toBeCloseTo((g - w / n) / Math.sqrt(variance), 9);
      }
      // The planted corner is a hot spot.
      expect(z[0]).toBeGreaterThan(2.58);
    }
  });

  it('is 0 with p = 1 where it is undefined: equal values, or a neighbourhood of everything', () => {
    const nb = neighboursWithin([0, 1, 2], [0, 0, 0], 1);
    expect([...giStar([4, 4, 4], nb).z]).toEqual([0, 0, 0]);
    const all = neighboursWithin([0, 1, 2], [0, 0, 0], 10);
    const { z, p } = giStar([1, 2, 9], all);
    expect([...z]).toEqual([0, 0, 0]);
    expect([...p]).toEqual([1, 1, 1]);
  });
});

describe('confidence bins and the false discovery rate', () => {
  // The worked example of Benjamini & Hochberg (1995, JRSS B 57(1), §4): 15 p-values; at
  // q = 0.05 the procedure rejects the four smallest.
  const P = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

  it('finds Benjamini and Hochberg\'s cut-offs', () => {
    expect(benjaminiHochbergCutoff(P, 0.05)).toBe(0.0095); // 4 rejected, as in the paper
    // At 0.10: p(9) = 0.0459 ≤ 9 × 0.1 / 15 = 0.06, p(10) = 0.324 > 0.0667.
    expect(benjaminiHochbergCutoff(P, 0.1)).toBe(0.0459);
    // At 0.01: p(3) = 0.0019 ≤ 0.002, p(4) = 0.0095 > 0.00267.
    expect(benjaminiHochbergCutoff(P, 0.01)).toBe(0.0019);
    expect(benjaminiHochbergCutoff([0.5, 0.9], 0.05)).toBe(-1);
  });

  it('bins hot spots +3/+2/+1 and cold spots −3/−2/−1, with and without correction', () => {
    const z = P.map((_, i) => (i % 2 === 0 ? 1 : -1) * 3); // signs alternate: hot, cold, hot…
    const plain = [...confidenceBins(z, P, false)].map(Math.abs);
    const fdr = [...confidenceBins(z, P, true)].map(Math.abs);
    // Without correction: p ≤ 0.01 → 3 (four values), ≤ 0.05 → 2 (five), ≤ 0.10 → 1 (none), else 0.
    expect(plain).toEqual([3, 3, 3, 3, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    // With FDR: three at 99 %, one more at 95 %, five more at 90 %.
    expect(fdr).toEqual([3, 3, 3, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const signed = confidenceBins(z, P, true);
    expect([signed[0], signed[1], signed[3]]).toEqual([3, -3, -2]);
  });
});

describe('quartic kernel density', () => {
  it('has the kernel\'s value: one point seen from h/2 away is 3/(πh²) · (3/4)²', () => {
    const h = 200;
    const { values } = quarticKde([1000], [1000], null, [1000 + h / 2, 1000 + h, 1000], [1000, 1000, 1000], h);
    expect(values[0]).toBeCloseTo((3 / (Math.PI * h * h)) * 0.5625, 15);
    expect(values[1]).toBe(0); // at the bandwidth the kernel ends
    expect(values[2]).toBeCloseTo(3 / (Math.PI * h * h), 15);
  });

  it('integrates to the weighted number of points over a grid that covers their kernels', () => {
    const r = seededRandom(5);
    const n = 2000;
    const xs = Array.from({ length: n }, () => 100_000 + r() * 3000);
    const ys = Array.from({ length: n }, () => 2_500_000 + r() * 2000);
    const ws = Array.from({ length: n }, () => 0.5 + r());
    for (const [h, cell] of [[300, 60], [250, 25], [500, 100]] as const) {
      const cx: number[] = [];
      const cy: number[] = [];
      for (let x = 100_000 - h - cell; x < 103_000 + h + cell; x += cell) {
        for (let y = 2_500_000 - h - cell; y < 2_502_000 + h + cell; y += cell) {
          cx.push(x + cell / 2);
          cy.push(y + cell / 2);
        }
      }
      const { values } = quarticKde(xs, ys, ws, cx, cy, h);
      const mass = values.reduce((s, v) => s + v, 0) * cell * cell;
      const total = ws.reduce((s, w) => s + w, 0);
      expect(Math.abs(mass - total) / total, `h ${h}, cell ${cell}`).toBeLessThan(0.01);
    }
  });
});

describe('published counts (random rounding to 5)', () => {
  const key = Buffer.alloc(32, 7);
  const names = Array.from({ length: 20_000 }, (_, k) => `piece:2026Q1:${k}:${k % 97}:B${k % 13}`);

  it('is a multiple of 5 within 4 of the count, and a multiple of 5 stays as it is', () => {
    for (let n = 0; n <= 23; n++) {
      for (const name of names.slice(0, 200)) {
        const v = publishedCount(key, name, n);
        expect(v % 5).toBe(0);
        expect(Math.abs(v - n)).toBeLessThanOrEqual(4);
        if (n % 5 === 0) expect(v).toBe(n);
      }
    }
  });

  it('rounds up with probability (n mod 5) / 5, so sums stay unbiased', () => {
    for (const n of [1, 2, 3, 4, 7, 13]) {
      const up = names.filter((name) => publishedCount(key, name, n) > n).length / names.length;
      // 20,000 draws: the share is within 0.015 of its expectation (more than 4 standard deviations).
      expect(up, `n = ${n}`).toBeCloseTo((n % 5) / 5, 1);
      expect(Math.abs(up - (n % 5) / 5), `n = ${n}`).toBeLessThan(0.015);
    }
  });

  it('rounds the same count the same way every time, and another key rounds it otherwise', () => {
    const again = names.map((name) => publishedCount(key, name, 2));
    expect(names.map((name) => publishedCount(key, name, 2))).toEqual(again);
    const other = names.map((name) => publishedCount(Buffer.alloc(32, 8), name, 2));
    const differ = other.filter((v, k) => v !== again[k]).length / names.length;
    // Independent draws with P(up) = 0.4 differ with probability 2 · 0.4 · 0.6 = 0.48.
    expect(differ).toBeGreaterThan(0.44);
    expect(differ).toBeLessThan(0.52);
  });
});
