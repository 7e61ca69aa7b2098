import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createApp } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';
import { WEB_DIST } from '../../server/web/static.js';
import { buildWeb } from '../lib/web-build.js';
import { fmt, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';

/**
 * How long the e-map takes from navigation until every layer of its first view is drawn, for
 * the full demo city on localhost, in Debian's Chromium (software WebGL): cold (empty browser
 * cache) and warm (reload). Reference: a bare MapLibre page drawing the same style and tiles
 * from the same server, with nothing of the app around it; the ratio is the app's own cost.
 * Also the size of what the browser downloads.
 */
export const PASSWORD = 'bench-password';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MAPLIBRE = fileURLToPath(new URL('../../node_modules/maplibre-gl/dist/', import.meta.url));

/**
 * The reference page: MapLibre alone, the service's style, the same view the app opens on
 * (the deployment's extent, or `?bounds=w,s,e,n`).
 */
const BARE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/bench-bare/maplibre-gl.css">
<style>html,body,#map{margin:0;height:100%}</style></head><body><div id="map"></div><script type="module">
import * as maplibregl from '/bench-bare/maplibre-gl.mjs';
maplibregl.setWorkerUrl('/bench-bare/maplibre-gl-worker.mjs');
const [style, config] = await Promise.all([fetch('/tiles/style.json').then((r) => r.json()), fetch('/api/app-config').then((r) => r.json())]);
const bounds = new URLSearchParams(location.search).get('bounds');
const map = new maplibregl.Map({ container: 'map', style, bounds: bounds ? bounds.split(',').map(Number) : config.extent, fitBoundsOptions: { padding: bounds ? 40 : 20 } });
map.once('idle', () => performance.mark('emap:map-drawn'));
</script></body></html>`;

function withBarePage(app: RequestListener): RequestListener {
  return (req, res) => {
    const m = /^\/bench-bare\/(.*)$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!m) return app(req, res);
    const file = m[1] || 'index.html';
    const body = file === 'index.html' ? BARE_PAGE : readFileSync(join(MAPLIBRE, file));
    const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html' : 'text/javascript';
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` }).end(body);
  };
}

/** Milliseconds from navigation to the page's `emap:map-drawn` mark (and `emap:ready`, if any). */
export async function timeToDrawn(context: BrowserContext, url: string): Promise<{ drawn: number; ready?: number }> {
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('emap:map-drawn').length > 0
    && (location.pathname.startsWith('/bench-bare') || performance.getEntriesByName('emap:ready').length > 0), undefined, { timeout: 120_000 });
  return page.evaluate(() => ({
    drawn: performance.getEntriesByName('emap:map-drawn')[0]!.startTime,
    ready: performance.getEntriesByName('emap:ready')[0]?.startTime,
  }));
}

/** Each asset's size, gzipped, and as served to browsers that accept brotli (the build's .br copy). */
function bundleSizes(): { file: string; bytes: number; gzip: number; br: number }[] {
  const dir = join(WEB_DIST, 'assets');
  return readdirSync(dir).filter((f) => /\.(m?js|css)$/.test(f)).map((f) => {
    const body = readFileSync(join(dir, f));
    return { file: f.replace(/-[\w-]{8}\./, '.'), bytes: statSync(join(dir, f)).size, gzip: gzipSync(body).length, br: statSync(join(dir, `${f}.br`)).size };
  }).sort((a, b) => b.bytes - a.bytes);
}

/** A fresh app instance (empty tile cache, no cluster index yet) on a port of its own. */
export async function serve(db: Db): Promise<{ base: string; close: () => Promise<unknown> }> {
  const server = createServer(withBarePage(createApp({ db })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Each run starts both pages cold, on a new app instance (nothing cached on the server) in a new
 * browser context (nothing cached in the browser), then reloads them warm.
 */
async function measure(db: Db, browser: Browser, runs: number): Promise<(string | number)[][]> {
  const results = { appCold: [] as number[], appWarm: [] as number[], bareCold: [] as number[], bareWarm: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // Alternate which page goes first, so neither always meets a busier machine.
    const order = [['/', results.appCold, results.appWarm], ['/bench-bare/', results.bareCold, results.bareWarm]] as const;
    for (const [path, cold, warm] of i % 2 ? [...order].reverse() : order) {
      const server = await serve(db);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        await context.request.post(`${server.base}/api/login`, { data: { username: 'admin', password: PASSWORD } });
        const first = await timeToDrawn(context, `${server.base}${path}`);
        cold.push(Math.max(first.drawn, first.ready ?? 0));
        const again = await timeToDrawn(context, `${server.base}${path}`);
        warm.push(Math.max(again.drawn, again.ready ?? 0));
      } finally {
        await context.close();
        await server.close();
      }
    }
  }
  const row = (name: string, ours: number[], ref: number[]) =>
    [name, ours.map((x) => fmt(x)).join(' / '), fmt(median(ours)), fmt(median(ref)), `${fmt(median(ours) / median(ref), 2)}×`];
  return [
    row(`${db.kind}: cold (nothing cached)`, results.appCold, results.bareCold),
    row(`${db.kind}: warm (reload)`, results.appWarm, results.bareWarm),
  ];
}

export async function webBench(opts: { runs: number; scale: number; databaseUrl?: string }): Promise<string> {
  await buildWeb({ ifStale: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const rows: (string | number)[][] = [];
  let counts = '';
  try {
    for (const kind of opts.databaseUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
      const db = await scratchDb(kind, opts.databaseUrl);
      try {
        await migrate(db);
        const seeded = await seedDemo(db, { password: PASSWORD, scale: opts.scale });
        counts = Object.entries(seeded).map(([k, n]) => `${fmt(n)} ${k}`).join(', ');
        rows.push(...await measure(db, browser, opts.runs));
      } finally {
        await db.close();
      }
    }
  } finally {
    await browser.close();
  }
  const sizes = bundleSizes();
  const total = sizes.reduce((s, x) => ({ bytes: s.bytes + x.bytes, gzip: s.gzip + x.gzip, br: s.br + x.br }), { bytes: 0, gzip: 0, br: 0 });
  return `Web e-map: navigation to every layer of the first view drawn, as admin, 1280×800, headless Chromium with software WebGL (median of ${opts.runs} runs)\n` +
    `demo city: ${counts}\n` +
    `${table(['page load', 'ms per run', 'median ms', 'bare MapLibre ms', 'ours ÷ bare'], rows)}\n\n` +
    `What the browser downloads (dist/web/assets; the bare page loads maplibre-gl alone: ${fmt(statSync(join(MAPLIBRE, 'maplibre-gl.mjs')).size / 1024)} kB + worker)\n` +
    table(['file', 'kB', 'gzip kB', 'brotli kB (served)'], [...sizes.map((s) => [s.file, fmt(s.bytes / 1024), fmt(s.gzip / 1024), fmt(s.br / 1024)]),
      ['total', fmt(total.bytes / 1024), fmt(total.gzip / 1024), fmt(total.br / 1024)]]);
}
