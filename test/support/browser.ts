import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp, type AppOptions } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import type { DemoCity } from '../../server/demo/city/model.js';
import { startOfTaipeiDay } from '../../server/demo/city/people.js';
import { setDemoAccounts } from '../../server/demo/seed.js';
import { seededDb } from './seeded.js';

/**
 * The web app as people use it: the service on loopback with a small demo city, and Debian's
 * Chromium driven headless by playwright-core. Every page records what it asked for and what
 * went wrong, so a test can hold it to "no console errors" and "nothing off this machine".
 */
export const DEMO_PASSWORD = 'e2e-demo-password';
export type Account = 'admin' | 'planner' | 'officer' | 'community' | 'public';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export interface WebPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests to anything but this machine (data: and blob: URLs are the page's own). */
  offMachine(): string[];
}

export interface WebWorld {
  db: Db;
  /** The demo city as generated (its community account's 村里, its hot spots …). */
  city: DemoCity;
  baseUrl: string;
  browser: Browser;
  /** A page signed in as the account (or the public), at `path`, once the app says it is ready. */
  /** A viewport narrower than PHONE_WIDTH is a phone: touch, mobile. */
  open(path: string, as: Account, viewport?: { width: number; height: number }): Promise<WebPage>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const PHONE_WIDTH = 600;

export async function openWebWorld(scale = 0.1, options: Omit<AppOptions, 'db'> = {}): Promise<WebWorld> {
  // The city as of today, so "the last 7 days" in the app has incidents.
  const { db, city } = await seededDb(scale, new Date(startOfTaipeiDay(Date.now())));
  await setDemoAccounts(db, DEMO_PASSWORD, [city.community.villageCode]);
  const server: Server = createServer(createApp({ db, ...options }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const contexts: BrowserContext[] = [];

  async function open(path: string, as: Account, viewport = { width: 1000, height: 700 }): Promise<WebPage> {
    const phone = viewport.width < PHONE_WIDTH;
    const context = await browser.newContext({
      viewport, locale: 'zh-TW', timezoneId: 'Asia/Taipei', acceptDownloads: true, hasTouch: phone, isMobile: phone,
    });
    contexts.push(context);
    if (as !== 'public') {
      const res = await context.request.post(`${baseUrl}/api/login`, { data: { username: as, password: DEMO_PASSWORD } });
      if (!res.ok()) throw new Error(`sign-in as ${as} failed: ${res.status()}`);
    }
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl}${path}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await mapIdle(page);
    return {
      page, context, requests, errors,
      offMachine: () => requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && !LOOPBACK.has(new URL(u).hostname)),
    };
  }

  return {
    db, city, baseUrl, browser, open,
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await db.close();
    },
  };
}

/** Resolves once the page's map (window.emap.map) has drawn everything it has asked for. */
export async function mapIdle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as unknown as { emap?: { map: import('maplibre-gl').Map } }).emap?.map;
    if (!map) return resolve();
    const settled = () => map.loaded() && map.areTilesLoaded();
    if (settled()) return resolve();
    map.once('idle', () => resolve());
  }));
}

/** Moves the page's map and waits until it has drawn the new view. */
export async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  await page.evaluate(([c, z]) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    map.jumpTo({ center: c as [number, number], zoom: z as number });
  }, [center, zoom] as const);
  await page.waitForTimeout(50);
  await mapIdle(page);
}

/** Leaves only these layers switched on in the layer list (the ground's folded list included). */
export async function showOnly(page: Page, keep: readonly string[]): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLDetailsElement>('details.ground-layers').forEach((d) => { d.open = true; }));
  for (const layer of await page.$$eval('.layer-row', (r) => r.map((x) => (x as HTMLElement).dataset.layer!))) {
    if (!keep.includes(layer)) await page.uncheck(`.layer-row[data-layer="${layer}"] input`);
  }
}

/** Where a lon/lat is drawn on the page, in CSS pixels of the viewport. */
export async function pixelOf(page: Page, lonLat: [number, number]): Promise<{ x: number; y: number }> {
  return page.evaluate((ll) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    const p = map.project(ll as [number, number]);
    const r = map.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, lonLat);
}

/** Features of some style layers drawn in the current view (MapLibre's queryRenderedFeatures). */
export async function rendered(page: Page, layerIds: string[]): Promise<{ layer: string; id: number | undefined; properties: Record<string, unknown> }[]> {
  return page.evaluate((ids) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    const present = ids.filter((id) => map.getLayer(id));
    return map.queryRenderedFeatures({ layers: present }).map((f) => ({ layer: f.layer.id, id: f.id as number | undefined, properties: f.properties }));
  }, layerIds);
}

/** The style layers drawing a registry layer, from their metadata. */
export async function styleLayersOf(page: Page, layer: string, part?: string): Promise<string[]> {
  return page.evaluate(([id, p]) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    return map.getStyle().layers.filter((l) => {
      const m = (l as { metadata?: Record<string, string> }).metadata;
      return m?.['emap:layer'] === id && (p === undefined || m['emap:part'] === p);
    }).map((l) => l.id);
  }, [layer, part] as const);
}
