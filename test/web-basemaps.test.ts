import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBasemaps, type Basemaps } from '../server/basemaps/catalogue.js';
import { mapIdle, openWebWorld, type WebPage, type WebWorld } from './support/browser.js';
import { solidPng, streetTile, writePmtiles } from './support/tile-archives.js';

/**
 * The basemap switcher in Chromium, with two archives this service serves (a raster and a
 * vector one, each covering the world at z0–16 with one tile per zoom repeated): the map starts
 * on the deployment's default, switches to each basemap and back to the service's own layers,
 * updates the attribution, remembers the choice, works on a phone, and asks for nothing off
 * this machine.
 */
const SHOTS = process.env.SCREENSHOT_DIR;
let world: WebWorld;
let dir: string;
let basemaps: Basemaps;

const zooms = Array.from({ length: 17 }, (_, z) => z);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emap-web-basemaps-'));
  writePmtiles(join(dir, 'aerial.pmtiles'), { tileType: 'png', bounds: [-180, -85, 180, 85],
    tiles: zooms.map((z) => ({ z, x: 0, y: 0, run: 4 ** z, data: solidPng([190, 214, 170]) })),
    metadata: { name: '測試影像', attribution: '© 測試影像提供者' } });
  writePmtiles(join(dir, 'streets.pmtiles'), { tileType: 'mvt', gzipTiles: true, bounds: [-180, -85, 180, 85],
    tiles: zooms.map((z) => ({ z, x: 0, y: 0, run: 4 ** z, data: streetTile('中正路') })),
    metadata: { attribution: '© OpenStreetMap contributors', vector_layers: [{ id: 'roads' }, { id: 'water' }, { id: 'buildings' }] } });
  writeFileSync(join(dir, 'streets.basemap.json'), JSON.stringify({ title: '桃園街道圖' }));
  basemaps = await openBasemaps({ names: [], files: [dir] }, () => undefined);
  world = await openWebWorld(0.1, { basemaps });
}, 180_000);
afterAll(async () => {
  await world?.close();
  await basemaps?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the page's map draws beneath the layers: basemap sources, layers in order, the attribution text. */
const state = (page: Page) => page.evaluate(() => {
  const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
  const order = map.getLayersOrder();
  const sources = Object.entries(map.getStyle().sources).filter(([id]) => id.startsWith('basemap:'))
    .map(([id, s]) => ({ id, type: s.type, tiles: (s as { tiles?: string[] }).tiles }));
  const basemapLayers = order.filter((id) => id.startsWith('basemap:'));
  const firstService = order.findIndex((id) => !id.startsWith('basemap:') && map.getLayer(id)!.type !== 'background');
  return {
    sources, basemapLayers,
    beneathService: basemapLayers.every((id) => order.indexOf(id) < firstService),
    attribution: document.querySelector('.maplibregl-ctrl-attrib')?.textContent ?? '',
    chosen: map.getContainer().dataset.basemap,
    roads: map.getLayer('basemap:roads') ? map.queryRenderedFeatures({ layers: ['basemap:roads'] }).length : 0,
  };
});

async function choose(page: Page, title: string): Promise<void> {
  const list = page.locator('.basemap-list');
  if (await list.isHidden()) await page.locator('.basemap-toggle').click();
  await page.locator('.basemap-choice', { hasText: title }).click();
  await page.waitForFunction((t) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    return map.getContainer().dataset.basemap === t;
  }, title === '僅本系統圖層' ? 'offline' : title === '桃園街道圖' ? 'streets' : 'aerial');
  await page.waitForTimeout(50);
  await mapIdle(page);
}

const basemapRequests = (p: WebPage, ext: string) => p.requests.filter((u) => new RegExp(`/basemaps/\\w+/\\d+/\\d+/\\d+\\.${ext}$`).test(u));

describe('the basemap switcher', () => {
  it('starts on the default archive, switches to the vector one and back to the service\'s own layers, off no machine', async () => {
    const p = await world.open('/', 'planner', { width: 1280, height: 800 });
    let s = await state(p.page);
    expect(s.chosen).toBe('aerial');
    expect(s.sources).toEqual([{ id: 'basemap:aerial', type: 'raster', tiles: [`${world.baseUrl}/basemaps/aerial/{z}/{x}/{y}.png`] }]);
    expect(s.beneathService).toBe(true);
    expect(s.attribution).toContain('© 測試影像提供者');
    expect(basemapRequests(p, 'png').length).toBeGreaterThan(0);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, 'basemap-desktop-aerial.png') });

    await p.page.locator('.basemap-toggle').click();
    const labels = await p.page.locator('.basemap-choice span').allTextContents();
    expect(labels).toEqual(['僅本系統圖層', '測試影像', '桃園街道圖']);
    expect(await p.page.locator('.basemap-choice input:checked').getAttribute('value')).toBe('aerial');

    await choose(p.page, '桃園街道圖');
    s = await state(p.page);
    expect(s.sources.map((x) => [x.id, x.type])).toEqual([['basemap:streets', 'vector']]);
    expect(s.basemapLayers).toEqual(expect.arrayContaining(['basemap:background', 'basemap:roads', 'basemap:water', 'basemap:buildings']));
    expect(s.beneathService).toBe(true);
    expect(s.roads).toBeGreaterThan(0);
    expect(s.attribution).toContain('© OpenStreetMap contributors');
    expect(s.attribution).not.toContain('測試影像提供者');
    expect(basemapRequests(p, 'mvt').length).toBeGreaterThan(0);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, 'basemap-desktop-streets.png') });

    await choose(p.page, '僅本系統圖層');
    s = await state(p.page);
    expect(s).toMatchObject({ sources: [], basemapLayers: [], chosen: 'offline' });
    expect(s.attribution).not.toContain('OpenStreetMap');

    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
  });

  it('remembers the choice in this browser, and takes ?basemap= from the address', async () => {
    const p = await world.open('/', 'public');
    await choose(p.page, '桃園街道圖');
    expect(await p.page.evaluate(() => localStorage.getItem('emap:basemap'))).toBe('streets');
    await p.page.reload();
    await p.page.waitForSelector('body[data-ready="true"]');
    await mapIdle(p.page);
    expect((await state(p.page)).chosen).toBe('streets');
    await p.page.goto(`${world.baseUrl}/?basemap=offline`);
    await p.page.waitForSelector('body[data-ready="true"]');
    expect((await state(p.page)).sources).toEqual([]);
    // An id the deployment does not offer falls back to the remembered one.
    await p.page.goto(`${world.baseUrl}/?basemap=google`);
    await p.page.waitForSelector('body[data-ready="true"]');
    expect((await state(p.page)).chosen).toBe('streets');
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
  });

  it('works on a phone-sized touch screen in the community view', async () => {
    const p = await world.open('/community', 'public', { width: 390, height: 844 });
    const toggle = p.page.locator('.basemap-toggle');
    await toggle.click();
    const box = (await p.page.locator('.basemap-switcher').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    for (const choice of await p.page.locator('.basemap-choice').all()) expect((await choice.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, 'basemap-phone-list.png') });
    await choose(p.page, '桃園街道圖');
    expect((await state(p.page)).roads).toBeGreaterThan(0);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, 'basemap-phone-streets.png') });
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
  });
});
