import { chromium, type Browser, type Page } from 'playwright-core';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { DEMO_OFFICER_BEAT } from '../../server/demo/city/generate.js';
import { seedDemo } from '../../server/demo/seed.js';
import { buildWeb } from '../lib/web-build.js';
import { fmt, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';
import { slowLink, SLOW_4G } from './slow-link.js';
import { FLAGS, PASSWORD, serve, timeToDrawn } from './web.js';

/**
 * The e-map on a phone (issue 15): an officer's `/` and `/briefing` over a slow 4G link
 * (150 ms round trip, 1.6 Mbit/s down, emulated at the TCP level for every request, MapLibre's
 * worker's too), cold browser cache, 390 × 844 touch: milliseconds from navigation to the map
 * drawn (and the page ready), and the JavaScript and everything else transferred (as the
 * browser counts each response, and as the link counted the bytes it carried); and the
 * public's `/community` on localhost: bytes transferred and time to drawn. Reference: a bare
 * MapLibre page drawing the same style and view over the same link, in the same run.
 */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-TW' };

interface Load { ms: number; jsBytes: number; allBytes: number; tiles: number; wireBytes?: number }

/** Loads a page in a new (cold) context and counts what it transferred, the worker's requests included. */
async function load(browser: Browser, base: string, path: string, as: 'officer' | 'public', phone: boolean): Promise<Load> {
  const context = await browser.newContext(phone ? PHONE : { viewport: { width: 1280, height: 800 }, locale: 'zh-TW' });
  try {
    if (as !== 'public') await context.request.post(`${base}/api/login`, { data: { username: as, password: PASSWORD } });
    const page: Page = await context.newPage();
    const finished: Promise<{ url: string; bytes: number }>[] = [];
    page.on('requestfinished', (r) => finished.push(r.sizes().then((s) => ({ url: r.url(), bytes: s.responseBodySize + s.responseHeadersSize }))));
    const t = await timeToDrawn(context, `${base}${path}`);
    const got = await Promise.all(finished);
    const sum = (pick: (u: string) => boolean) => got.filter((g) => pick(g.url)).reduce((n, g) => n + g.bytes, 0);
    return {
      ms: Math.max(t.drawn, t.ready ?? 0),
      jsBytes: sum((u) => /\.m?js(\?|$)/.test(u)),
      allBytes: sum(() => true),
      tiles: got.filter((g) => g.url.includes('.mvt')).length,
    };
  } finally {
    await context.close();
  }
}

async function measure(db: Db, browser: Browser, runs: number): Promise<(string | number)[][]> {
  const { rows: [beat] } = await db.query<{ b: string }>(
    `SELECT concat_ws(',', ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) AS b FROM beats WHERE code = $1`, [DEMO_OFFICER_BEAT]);
  const cases = [
    { name: 'officer / (slow 4G, phone)', path: '/', ref: `/bench-bare/?bounds=${beat!.b}`, as: 'officer' as const, slow: true, phone: true },
    { name: 'officer /briefing (slow 4G, phone)', path: '/briefing', ref: `/bench-bare/?bounds=${beat!.b}`, as: 'officer' as const, slow: true, phone: true },
    { name: 'public /community (localhost, desktop)', path: '/community', ref: '/bench-bare/', as: 'public' as const, slow: false, phone: false },
  ];
  const out: (string | number)[][] = [];
  for (const c of cases) {
    const ours: Load[] = [];
    const bare: Load[] = [];
    for (let i = 0; i < runs; i++) {
      // A new app instance per load (nothing cached on the server), alternating which goes first.
      for (const [path, into] of (i % 2 ? [[c.ref, bare], [c.path, ours]] : [[c.path, ours], [c.ref, bare]]) as [string, Load[]][]) {
        const server = await serve(db);
        const link = c.slow ? await slowLink({ host: '127.0.0.1', port: Number(new URL(server.base).port) }, SLOW_4G) : undefined;
        try {
          const loaded = await load(browser, link ? `http://127.0.0.1:${link.port}` : server.base, path, c.as, c.phone);
          into.push(link ? { ...loaded, wireBytes: link.bytesDown() } : loaded);
        } finally {
          await link?.close();
          await server.close();
        }
      }
    }
    const m = (xs: Load[], k: 'ms' | 'jsBytes' | 'allBytes' | 'tiles') => median(xs.map((x) => x[k]));
    const wire = (xs: Load[]) => (xs[0]?.wireBytes === undefined ? '—' : fmt(median(xs.map((x) => x.wireBytes ?? 0)) / 1024));
    out.push([c.name, ours.map((x) => fmt(x.ms)).join(' / '), fmt(m(ours, 'ms')), fmt(m(bare, 'ms')), `${fmt(m(ours, 'ms') / m(bare, 'ms'), 2)}×`,
      fmt(m(ours, 'jsBytes') / 1024), fmt(m(ours, 'allBytes') / 1024), wire(ours), fmt(m(bare, 'allBytes') / 1024), wire(bare), fmt(m(ours, 'tiles'))]);
  }
  return out;
}

export async function mobileBench(opts: { runs: number; scale: number }): Promise<string> {
  await buildWeb({ ifStale: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const db = await scratchDb('pglite');
  let counts = '';
  let rows: (string | number)[][] = [];
  try {
    await migrate(db);
    const seeded = await seedDemo(db, { password: PASSWORD, scale: opts.scale });
    counts = Object.entries(seeded).map(([k, n]) => `${fmt(n)} ${k}`).join(', ');
    rows = await measure(db, browser, opts.runs);
  } finally {
    await db.close();
    await browser.close();
  }
  return `Web e-map on a phone and over a slow link (PGlite; median of ${opts.runs} runs; cold browser cache; slow 4G = ${SLOW_4G.rttMs} ms RTT, ${SLOW_4G.downKbps / 1000} Mbit/s down)\n` +
    `demo city: ${counts}\n` +
    table(['page', 'ms per run', 'median ms', 'bare MapLibre ms', 'ours ÷ bare', 'JS kB', 'all kB', 'wire kB', 'bare all kB', 'bare wire kB', 'tiles'], rows);
}
