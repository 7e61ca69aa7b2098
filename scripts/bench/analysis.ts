import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { confidenceBins } from '../../server/analysis/fdr.js';
import { giStar } from '../../server/analysis/gistar.js';
import { cellCentre, type GridShape } from '../../server/analysis/grid.js';
import { quarticKde } from '../../server/analysis/kde.js';
import { aimCameras, chooseSites, coveredWeight, type Option } from '../../server/analysis/max-coverage.js';
import { neighboursWithin } from '../../server/analysis/neighbours.js';
import { seededRandom } from '../../server/analysis/random.js';
import { azimuthOptions, bySightings, inSector, pairsInRange, type Viewpoint } from '../../server/analysis/visibility.js';
import type { Principal } from '../../server/auth/principal.js';
import { migrate } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';
import { backtest } from '../../server/analysis/backtest.js';
import { beatRanking } from '../../server/analysis/beat-ranking.js';
import { coverageStats, coverageUnion } from '../../server/analysis/coverage.js';
import { densitySurface } from '../../server/analysis/density.js';
import { hotHours } from '../../server/analysis/hot-hours.js';
import { hotSpots } from '../../server/analysis/hotspots.js';
import { newSites } from '../../server/analysis/new-sites.js';
import { reaim } from '../../server/analysis/reaim.js';
import { solveMaxCoverage } from './max-coverage-ilp.js';
import { scratchDb } from './scratch-db.js';
import { fmt, machineLine, median, table } from './report.js';

/**
 * The analysis algorithms at the sizes of issue 5: Gi* on 20,000 cells; kernel density of
 * 100,000 points on a 500 × 500 grid; re-aim of 200 cameras × 24 azimuths × 5,000 demand
 * points (time, and share of the optimum HiGHS proves); new sites, k = 10 from 2,000
 * candidates × 24 azimuths. Inputs are synthetic and seeded: clustered points like a city's
 * incidents, cameras gathered at the clusters so that their views overlap. Times are of the
 * algorithms in Node (what the endpoints add in SQL is in the end-to-end table).
 *
 * npm run bench:analysis [-- --runs N] [--ilp-seconds S] [--no-e2e]; npm run bench -- --only analysis.
 * With DATABASE_URL the end-to-end table has PostgreSQL too (a scratch database on that server).
 */
export interface AnalysisBenchOptions {
  runs: number;
  /** Seconds HiGHS may spend on each reference optimum. */
  ilpSeconds?: number;
}

const timed = (runs: number, fn: () => void): number[] => Array.from({ length: runs }, () => {
  const t = performance.now();
  fn();
  return performance.now() - t;
});

/** Clustered points in a square of `side` metres: `share` around `clusters` centres, the rest uniform. */
function cityPoints(seed: number, n: number, side: number, clusters: { x: number; y: number }[], sigma: number, share = 0.7) {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (r() < share) {
      const c = clusters[Math.floor(r() * clusters.length)]!;
      xs[i] = c.x + gauss() * sigma;
      ys[i] = c.y + gauss() * sigma;
    } else {
      xs[i] = 160_000 + r() * side;
      ys[i] = 2_540_000 + r() * side;
    }
  }
  return { xs, ys };
}

function centres(seed: number, n: number, side: number) {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => ({ x: 160_000 + 200 + r() * (side - 400), y: 2_540_000 + 200 + r() * (side - 400) }));
}

function giStarRow(runs: number, shape: GridShape) {
  // 20,000 cells of 150 m (a 141 × 142 block), counts from 60,000 clustered incidents.
  const s = 150;
  const cols = 141;
  const cells = Array.from({ length: 20_000 }, (_, k) => cellCentre(shape, s, 1000 + (k % cols), 17_000 + Math.floor(k / cols)));
  const xs = cells.map((c) => c[0]);
  const ys = cells.map((c) => c[1]);
  const r = seededRandom(3);
  const hot = centres(4, 12, 20_000).map((c) => ({ x: xs[0]! + (c.x - 160_000), y: ys[0]! + (c.y - 2_540_000) }));
  const values = xs.map((x, k) => Math.floor(r() * 3) + hot.reduce((a, h) => a + 30 * Math.exp(-((x - h.x) ** 2 + (ys[k]! - h.y) ** 2) / (2 * 300 ** 2)), 0));
  const band = 2.5 * (shape === 'square' ? s : Math.sqrt(3) * s);
  let neighbours = 0;
  const times = timed(runs, () => {
    const nb = neighboursWithin(xs, ys, band);
    const { z, p } = giStar(values, nb);
    confidenceBins(z, p, false);
    confidenceBins(z, p, true);
    neighbours = nb.indices.length / xs.length;
  });
  const ms = median(times);
  return [`Gi* + bins (±FDR), ${shape} grid`, `20,000 cells, band ${fmt(band)} m (${fmt(neighbours, 1)} neighbours)`, fmt(ms, 1), '≤ 1,000 ms', ms <= 1000 ? 'met' : 'not met', ''];
}

function kdeRow(runs: number) {
  const side = 25_000;
  const { xs, ys } = cityPoints(5, 100_000, side, centres(6, 40, side), 250);
  const cell = side / 500;
  const cx = new Float64Array(250_000);
  const cy = new Float64Array(250_000);
  for (let k = 0; k < 250_000; k++) {
    cx[k] = 160_000 + ((k % 500) + 0.5) * cell;
    cy[k] = 2_540_000 + (Math.floor(k / 500) + 0.5) * cell;
  }
  let mass = 0;
  const times = timed(runs, () => {
    const { values } = quarticKde(xs, ys, null, cx, cy, 300);
    mass = values.reduce((a, v) => a + v, 0) * cell * cell;
  });
  const ms = median(times);
  return ['kernel density (quartic, h = 300 m)', '100,000 points, 500 × 500 cells of 50 m', fmt(ms, 1), '—', '',
    `Σ density × cell area = ${fmt(mass)} (the rest of the 100,000 spills over the grid's edge)`];
}

/** A re-aim instance: 200 cameras at 40 clusters, 24 azimuths each, 5,000 demand points. */
function reaimInstance(seed: number, cameras: number, demand: number, side: number, clusters: number) {
  const r = seededRandom(seed);
  const cs = centres(seed + 1, clusters, side);
  const { xs, ys } = cityPoints(seed + 2, demand, side, cs, 60);
  const views: (Viewpoint & { fov: number; azimuth: number; adjustable: boolean })[] = Array.from({ length: cameras }, (_, k) => {
    const c = cs[k % clusters]!;
    return {
      x: c.x + (r() - 0.5) * 120, y: c.y + (r() - 0.5) * 120, north: 0.3, range: 30 + r() * 50,
      fov: 40 + Math.floor(r() * 17) * 5, azimuth: Math.floor(r() * 24) * 15, adjustable: k % 10 !== 0,
    };
  });
  const weights = Float64Array.from({ length: demand }, () => (r() < 0.05 ? 3 : 1));
  const seen = bySightings(views, pairsInRange(views, xs, ys));
  const fixed = views.flatMap((v, k) => (v.adjustable ? [] : [...inSector(seen[k]!, v.azimuth, v.fov)]));
  const movable = views.map((v, k) => ({ v, k })).filter((x) => x.v.adjustable);
  const groups = movable.map(({ v, k }) => azimuthOptions(15).map((a) => inSector(seen[k]!, a, v.fov)));
  const start = movable.map(({ v }) => azimuthOptions(15).indexOf(v.azimuth));
  return { weights, fixed, groups, start, views, xs, ys, seen };
}

async function reaimRows(runs: number, ilpSeconds: number): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const [name, clusters] of [['40 clusters of 5', 40], ['8 clusters of 25', 8]] as const) {
    const inst = reaimInstance(11, 200, 5000, 3000, clusters);
    let value = 0;
    const times = timed(runs, () => {
      value = aimCameras({ weights: inst.weights, fixed: inst.fixed, groups: inst.groups }, inst.start).value;
    });
    const before = coveredWeight(inst.weights, inst.fixed, inst.groups.map((o, g) => o[inst.start[g]!]!));
    const options = inst.groups.flat();
    const ids: number[][] = [];
    let n = 0;
    for (const g of inst.groups) ids.push(g.map(() => n++));
    const best = await solveMaxCoverage(inst.weights, inst.fixed, options, { groups: ids }, ilpSeconds);
    const ms = median(times);
    const ratio = value / best.bound;
    rows.push([`re-aim, ${name}`, `${inst.groups.length} adjustable + ${200 - inst.groups.length} fixed cameras × 24 azimuths, 5,000 points`, fmt(ms, 1),
      '≤ 2,000 ms, ≥ 99 % of optimum', ms <= 2000 && ratio >= 0.99 ? 'met' : 'not met',
      `covered ${fmt(before)} → ${fmt(value)}; ${best.status === 'Optimal' ? `optimum (HiGHS, ${fmt(best.seconds, 1)} s) ${fmt(best.bound)}` : `HiGHS stopped (${best.status}) at ${fmt(best.value)}, LP bound ${fmt(best.bound, 1)}`}: ${fmt(100 * ratio, 2)} %${best.status === 'Optimal' ? '' : ' of the bound (at least)'}`]);
  }
  return rows;
}

async function newSitesRow(runs: number, ilpSeconds: number) {
  const inst = reaimInstance(21, 200, 5000, 3000, 40);
  // Existing cameras at their current azimuths count as covering already.
  const fixed = inst.views.flatMap((v, k) => [...inSector(inst.seen[k]!, v.azimuth, v.fov)]);
  const sites: Viewpoint[] = [];
  for (let a = 0; a < 45; a++) for (let b = 0; b < 45 && sites.length < 2000; b++) sites.push({ x: 160_000 + 40 + a * 67, y: 2_540_000 + 40 + b * 67, north: 0.3, range: 50 });
  const seen = bySightings(sites, pairsInRange(sites, inst.xs, inst.ys));
  const options: Option[] = sites.flatMap((_, s) => azimuthOptions(15).map((a) => inSector(seen[s]!, a, 90)));
  let plan = chooseSites({ weights: inst.weights, fixed, options }, 10);
  const times = timed(runs, () => { plan = chooseSites({ weights: inst.weights, fixed, options }, 10); });
  const best = await solveMaxCoverage(inst.weights, fixed, options, { k: 10 }, ilpSeconds);
  const ratio = plan.value / best.bound;
  return ['new sites, k = 10 (lazy greedy + swaps)', `2,000 sites × 24 azimuths (${fmt(options.length)} options), 5,000 points`, fmt(median(times), 1), '—', '',
    `covered ${fmt(plan.before)} → ${fmt(plan.value)}; ${best.status === 'Optimal' ? `optimum (HiGHS, ${fmt(best.seconds, 1)} s) ${fmt(best.bound)}` : `HiGHS stopped (${best.status}) at ${fmt(best.value)}, LP bound ${fmt(best.bound, 1)}`}: ${fmt(100 * ratio, 2)} %`];
}

const principal = (role: 'admin' | 'planner' | 'public', precinctCode: string | null): Principal =>
  ({ username: `bench-${role}`, role, precinctCode, stationCode: null, beatCode: null, userId: null });

/** The endpoints' work (SQL and Node, without HTTP) on the seeded demo city. */
export async function endToEnd(runs: number, databaseUrl?: string): Promise<string> {
  const admin = principal('admin', null);
  const planner = principal('planner', 'P01');
  const anyone = principal('public', null);
  const year = {}; // the default period: the 365 days before now
  const cases: [string, string, (db: Parameters<typeof hotSpots>[0]) => Promise<unknown>][] = [
    ['hotspots', 'city, 150 m squares, 365 days', (db) => hotSpots(db, admin, { ...year, cellSize: '150' })],
    ['hotspots', 'city, 150 m hexagons, 365 days', (db) => hotSpots(db, admin, { ...year, grid: 'hexagon', cellSize: '150' })],
    ['density', 'city, 100 m cells, h 300 m', (db) => densitySurface(db, admin, { ...year, cellSize: '100' })],
    ['hot-hours', 'city, 365 days', (db) => hotHours(db, admin, year)],
    ['beats', 'city, 28 days and the 28 before', (db) => beatRanking(db, admin, {})],
    ['backtest', 'precinct P01, 9 + 3 months, 150 m', (db) => backtest(db, planner, { train: lastDays(365, 91), test: lastDays(90, 0) })],
    ['coverage', 'precinct P01, 365 days', (db) => coverageStats(db, planner, year)],
    ['coverage/union', 'precinct P01', (db) => coverageUnion(db, planner, {})],
    ['reaim', 'precinct P01, 365 days of incidents + key places', (db) => reaim(db, planner, year)],
    ['new-sites', 'beat P01S01B01, 25 m grid, k = 10', (db) => newSites(db, planner, { ...year, beat: 'P01S01B01', spacing: '25', k: '10' })],
    // The public's figures, from the published table (the last four complete quarters).
    ['hotspots', 'public: city, 200 m squares, 4 quarters', (db) => hotSpots(db, anyone, {})],
    ['density', 'public: city, 100 m cells, h 300 m', (db) => densitySurface(db, anyone, { cellSize: '100' })],
    ['hot-hours', 'public: city, 4 quarters', (db) => hotHours(db, anyone, {})],
    ['beats', 'public: city, a quarter and the one before', (db) => beatRanking(db, anyone, {})],
  ];
  const kinds = databaseUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
  const ms = new Map<string, number[]>();
  const sizes: string[] = [];
  for (const kind of kinds) {
    const db = await scratchDb(kind, databaseUrl);
    try {
      await migrate(db);
      const counts = await seedDemo(db, { password: 'bench-password' });
      sizes.push(`${kind}: ${fmt(counts.cameras ?? 0)} cameras, ${fmt(counts.incidents ?? 0)} incidents`);
      for (const [name, what, run] of cases) {
        await run(db); // warm
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          await run(db);
          times.push(performance.now() - t);
        }
        ms.set(`${kind} ${name} ${what}`, times);
        console.error(`  ${kind} ${name} (${what}): ${fmt(median(times))} ms`);
      }
    } finally {
      await db.close();
    }
  }
  return `Analysis endpoints on the demo city (${sizes.join('; ')}), median ms of ${runs} runs after one warm-up\n` +
    table(['endpoint', 'request', ...kinds.map((k) => `${k} ms`)], cases.map(([name, what]) =>
      [name, what, ...kinds.map((k) => fmt(median(ms.get(`${k} ${name} ${what}`)!), 0))]));
}

/** `datetime` of the days from `from` to `to` days before now (Taiwan dates). */
function lastDays(from: number, to: number): string {
  const day = (n: number) => new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
  return `${day(from)}/${day(to)}`;
}

export async function analysisBench(opts: AnalysisBenchOptions & { databaseUrl?: string; endToEnd?: boolean }): Promise<string> {
  const ilpSeconds = opts.ilpSeconds ?? 300;
  const rows: (string | number)[][] = [];
  const progress = (r: (string | number)[]) => {
    rows.push(r);
    console.error(`  ${r.slice(0, 3).join(' | ')} ms`);
  };
  progress(giStarRow(opts.runs, 'square'));
  progress(giStarRow(opts.runs, 'hexagon'));
  progress(kdeRow(opts.runs));
  for (const r of await reaimRows(opts.runs, ilpSeconds)) progress(r);
  progress(await newSitesRow(opts.runs, ilpSeconds));
  const algorithms = `Analysis algorithms in Node (median of ${opts.runs} runs; reference optimum: HiGHS MIP, up to ${ilpSeconds} s)\n` +
    table(['what', 'size', 'median ms', 'target', 'met', 'result'], rows);
  return opts.endToEnd === false ? algorithms : `${algorithms}\n\n${await endToEnd(opts.runs, opts.databaseUrl)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      'ilp-seconds': { type: 'string', default: '300' },
      'no-e2e': { type: 'boolean', default: false },
    },
  });
  console.log(machineLine());
  console.log(`\n${await analysisBench({
    runs: Number(values.runs), ilpSeconds: Number(values['ilp-seconds']), endToEnd: !values['no-e2e'], databaseUrl: process.env.DATABASE_URL,
  })}`);
}
