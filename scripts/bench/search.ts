import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as turf from '@turf/turf';
import { seededRandom } from '../../server/analysis/random.js';
import { createApp } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { readGround, type Ground, type GroundBlock, type LonLat } from '../../server/demo/ground.js';
import { seedDemo } from '../../server/demo/seed.js';
import { fmt, machineLine, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';

/**
 * GET /api/search on the real ground of 桃園市 (the demo city, scale 0.05: its 504 村里, 13
 * districts, 106 police units, 1,141 beats) with a gazetteer of 500,000 門牌 made up on the
 * block fabric: each basic statistical area holds an equal share, on roads named after its
 * 村里's district, numbered along the road, a fifth of them in lanes. Latency per request over
 * loopback HTTP (the server in this process), median and 95th percentile, for 村里 names,
 * police-unit names, addresses found whole (written in their variants: without the county,
 * full-width digits, 二段 for 2段, with a floor), and addresses the gazetteer lacks (the
 * fallbacks). Reference: GET /api/health in the same run (one request, one `SELECT 1`).
 *
 * npm run bench -- --only search [--runs N] [--addresses N]; PostgreSQL too with DATABASE_URL.
 */

export interface SearchBenchOptions {
  runs: number;
  /** Gazetteer size. */
  addresses: number;
  databaseUrl?: string;
}

const STEMS = ['中山', '中正', '民生', '民族', '民權', '復興', '和平', '建國', '成功', '自強', '光明', '仁愛', '信義', '文化', '大同', '忠孝', '中華', '三民', '永安', '新生'];
const SECTIONS = ['', '一段', '二段', '三段'];

interface Made { address: string; variant: string; at: LonLat }

/** A point drawn inside a block, or the block's own inside point when a few draws miss it. */
function pointIn(rng: () => number, block: GroundBlock, box: number[]): LonLat {
  for (let i = 0; i < 20; i++) {
    const p: LonLat = [box[0]! + rng() * (box[2]! - box[0]!), box[1]! + rng() * (box[3]! - box[1]!)];
    if (turf.booleanPointInPolygon(p, block.geometry)) return p;
  }
  return turf.pointOnFeature(block.geometry).geometry.coordinates as LonLat;
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** The gazetteer, the same on every run: `n` 門牌 spread evenly over the basic areas. */
export function madeUpGazetteer(ground: Ground, n: number): Made[] {
  const rng = seededRandom(13);
  const townOf = new Map(ground.villages.map((v) => [v.code, v.townName]));
  const next = new Map<string, number>();
  const out: Made[] = [];
  const perBlock = n / ground.blocks.length;
  ground.blocks.forEach((block, b) => {
    const town = townOf.get(block.villageCode) ?? '桃園區';
    const box = turf.bbox(block.geometry);
    const count = Math.round((b + 1) * perBlock) - Math.round(b * perBlock);
    // Each block fronts one road; its numbers continue the road's from earlier blocks.
    const stem = STEMS[Math.floor(rng() * STEMS.length)]!;
    const road = `${stem}${rng() < 0.7 ? '路' : '街'}`;
    const section = SECTIONS[Math.floor(rng() * SECTIONS.length)]!;
    const key = `${town}${road}${section}`;
    for (let i = 0; i < count; i++) {
      const k = next.get(key) ?? 1;
      next.set(key, k + 1);
      const lane = k % 5 === 0;
      const rest = lane ? `${k * 2}巷${1 + (k % 17)}號` : `${k * 2 - 1}號`;
      const address = `桃園市${town}${road}${section}${rest}`;
      const variant = `${town}${road}${section.replace(/^(.)段$/, (_, c: string) => `${'一二三'.indexOf(c) + 1}段`)}${FULL_WIDTH(rest)}${i % 3 === 0 ? '5樓' : ''}`;
      out.push({ address, variant, at: pointIn(rng, block, box) });
    }
  });
  return out;
}

/**
 * Loads the gazetteer as a bulk load (no history rows, no tile notes); the parse trigger runs for
 * each row. No ANALYZE after it, as after an import: PGlite never takes statistics by itself.
 */
async function loadGazetteer(db: Db, rows: readonly Made[]): Promise<void> {
  const BATCH = 10_000;
  await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('app.bulk_load', 'on', true), set_config('app.actor', 'bench', true)`);
    for (let from = 0; from < rows.length; from += BATCH) {
      const batch = rows.slice(from, from + BATCH);
      await tx.query(`INSERT INTO addresses (address, geom)
        SELECT a, ST_SetSRID(ST_MakePoint(x, y), 4326) FROM unnest($1::text[], $2::float8[], $3::float8[]) AS u(a, x, y)`,
      [batch.map((r) => r.address), batch.map((r) => r.at[0]), batch.map((r) => r.at[1])]);
    }
  });
}

interface Row {
  db: string; queries: string; texts: number;
  /** Median milliseconds of each run (every text once), and their median. */
  runsMs: number[]; medianMs: number;
  /** 95th percentile over every request of every run. */
  p95Ms: number; targetMs: number | null;
  /** The median against the reference's. */
  reference: number;
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

type Check = (body: { results: { kind: string; match: string }[] }, q: string) => void;

/** Milliseconds of each request of one run: every text once, over loopback HTTP. */
async function oneRun(base: string, queries: readonly string[], check?: Check): Promise<number[]> {
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    const res = await fetch(`${base}/api/search?q=${encodeURIComponent(q)}&limit=10`);
    const body = (await res.json()) as { results: { kind: string; match: string }[] };
    times.push(performance.now() - t);
    check?.(body, q);
  }
  return times;
}

const expectKind = (kind: string, match?: string): Check => (body, q) => {
  if (!body.results.some((x) => x.kind === kind && (!match || x.match === match))) throw new Error(`search for ${q} found no ${kind} ${match ?? ''}`);
};

function row(db: string, queries: string, texts: number, runs: number[][], targetMs: number | null, reference: number): Row {
  const runsMs = runs.map(median);
  return { db, queries, texts, runsMs, medianMs: median(runsMs), p95Ms: p95(runs.flat()), targetMs, reference: reference ? median(runsMs) / reference : 1 };
}

async function benchOne(kind: 'pglite' | 'postgres', opts: SearchBenchOptions, gazetteer: readonly Made[]): Promise<Row[]> {
  const db = await scratchDb(kind, opts.databaseUrl);
  try {
    await migrate(db);
    await seedDemo(db, { password: 'bench-password', scale: 0.05 });
    const t = performance.now();
    await loadGazetteer(db, gazetteer);
    console.log(`${kind}: ${fmt(gazetteer.length)} 門牌 loaded in ${fmt((performance.now() - t) / 1000, 1)} s`);
    // No budget for the benchmark's one client (the public has 60 searches a minute by default).
    const server = createServer(createApp({ db, limits: { searchPerMinute: 100_000 } }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const rng = seededRandom(7);
      const sample = <T>(xs: readonly T[], k: number) => Array.from({ length: k }, () => xs[Math.floor(rng() * xs.length)]!);
      const { rows: villages } = await db.query<{ name: string }>('SELECT name FROM villages ORDER BY code');
      const { rows: units } = await db.query<{ name: string }>(`SELECT name FROM police_units WHERE kind IN ('precinct', 'station', 'substation') ORDER BY id`);
      const picked = sample(gazetteer, 100);
      const groups: [string, string[], Check, number | null][] = [
        ['村里 names', sample(villages.map((v) => v.name), 30), expectKind('village', 'exact'), 30],
        ['police-unit names', sample(units.map((u) => u.name), 30), expectKind('unit', 'exact'), 30],
        ['addresses, as stored', picked.map((m) => m.address), expectKind('address', 'exact'), 50],
        ['addresses, written otherwise', picked.map((m) => m.variant), expectKind('address', 'exact'), 50],
        ['addresses not in the gazetteer', picked.slice(0, 30).map((m) => m.address.replace(/(\d+)號$/, (_, d: string) => `${Number(d) + 100_001}號`)),
          expectKind('address', 'approximate'), 50],
      ];
      // Warm-up, checking every answer: every query once, so plans and caches are as a working service has them.
      for (const [, queries, check] of groups) await oneRun(base, queries, check);
      const health: number[][] = [];
      for (let r = 0; r < opts.runs; r++) {
        const run: number[] = [];
        for (let i = 0; i < 100; i++) {
          const s = performance.now();
          await (await fetch(`${base}/api/health`)).json();
          run.push(performance.now() - s);
        }
        health.push(run);
      }
      const reference = median(health.map(median));
      const out: Row[] = [row(kind, 'reference: GET /api/health', 1, health, null, 0)];
      for (const [name, queries, , target] of groups) {
        const runs: number[][] = [];
        for (let r = 0; r < opts.runs; r++) runs.push(await oneRun(base, queries));
        out.push(row(kind, name, queries.length, runs, target, reference));
      }
      return out;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    await db.close();
  }
}

export async function searchBench(opts: SearchBenchOptions): Promise<string> {
  const gazetteer = madeUpGazetteer(readGround(), opts.addresses);
  const rows = [...await benchOne('pglite', opts, gazetteer)];
  if (opts.databaseUrl) rows.push(...await benchOne('postgres', opts, gazetteer));
  return [
    `search: ${fmt(opts.addresses)} 門牌 in the gazetteer, 桃園 ground (504 村里, 106 police units, 1,141 beats); each text once per run, ${opts.runs} runs, over loopback HTTP, as the public`,
    table(['database', 'queries', 'texts', 'median ms of each run', 'median ms', 'p95 ms', 'target ms', '× /api/health'],
      rows.map((r) => [r.db, r.queries, r.texts, r.runsMs.map((x) => fmt(x, 1)).join(' / '), fmt(r.medianMs, 1), fmt(r.p95Ms, 1), r.targetMs ?? '', fmt(r.reference, 1)])),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  console.log(await searchBench({ runs: 3, addresses: 500_000, databaseUrl: process.env.DATABASE_URL }));
}
