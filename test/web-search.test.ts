import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, mapIdle, openWebWorld, rendered, type WebPage, type WebWorld } from './support/browser.js';
import { addressColumnCsv, taoyuanGazetteer } from './support/gazetteer.js';

/**
 * The search box in Chromium, on the demo city with a 門牌 gazetteer imported: the results under
 * their Chinese headings, and choosing one flies the map to it (checked against the database by
 * coordinates) and outlines or marks it; on the e-map, the community view and the briefing, on
 * a desktop and on a 390 × 844 touch phone. Screenshots go to the temp folder for people to look at.
 */
let w: WebWorld;
type Box = [number, number, number, number];

/** The rows of the test gazetteer on the roads the tests search. */
const gazetteer = taoyuanGazetteer().filter((r) => /南山路二段394巷|力行路|延平路/.test(r.address));

beforeAll(async () => {
  w = await openWebWorld(0.1);
  const login = await fetch(`${w.baseUrl}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'planner', password: DEMO_PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${w.baseUrl}/api/import/addresses`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: addressColumnCsv(gazetteer) });
  expect(res.status).toBe(200);
}, 600_000);
afterAll(async () => { await w?.close(); });

const shot = (p: WebPage, name: string) => p.page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/emap-search-${name}.png` });

/** Types into the search box and waits for the grouped list. */
async function typeSearch(page: Page, q: string, touch = false): Promise<void> {
  if (touch) await page.tap('.search-box input');
  await page.fill('.search-box input', q);
  await page.locator('.search-results:not([hidden]) button[role=option]').first().waitFor();
}

/** Chooses a result and waits until the map has flown there and drawn it. */
async function choose(page: Page, selector: string, touch = false): Promise<void> {
  if (touch) await page.tap(selector);
  else await page.click(selector);
  await page.waitForFunction(() => !(window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.isMoving());
  await mapIdle(page);
}

async function view(page: Page): Promise<{ centre: [number, number]; bounds: Box; zoom: number }> {
  return page.evaluate(() => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    const b = map.getBounds();
    return { centre: map.getCenter().toArray() as [number, number], bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] as Box, zoom: map.getZoom() };
  });
}

const contains = (outer: Box, inner: Box) => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
const centreOf = (b: Box): [number, number] => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

async function villageBox(name: string, town: string): Promise<Box> {
  const { rows: [r] } = await w.db.query<{ w: number; s: number; e: number; n: number }>(
    `SELECT ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n FROM villages WHERE name = $1 AND town_name = $2`, [name, town]);
  return [r!.w, r!.s, r!.e, r!.n];
}

async function pointOf(sql: string, params: unknown[]): Promise<[number, number]> {
  const { rows: [r] } = await w.db.query<{ x: number; y: number }>(sql, params);
  return [r!.x, r!.y];
}

/** The map is centred on `at` (to a few centimetres) and zoomed in on it. */
async function expectCentredOn(page: Page, at: [number, number]): Promise<void> {
  const v = await view(page);
  expect(Math.abs(v.centre[0] - at[0])).toBeLessThan(1e-6);
  expect(Math.abs(v.centre[1] - at[1])).toBeLessThan(1e-6);
  expect(v.zoom).toBeGreaterThan(16);
}

describe('on the e-map, on a desktop', () => {
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'public'); });
  afterAll(async () => { await p?.context.close(); });

  it('lists every 成功里 under 村里 with its district, flies to the one chosen and outlines it', async () => {
    await typeSearch(p.page, '成功里');
    const headings = await p.page.$$eval('.search-results .search-group', (els) => els.map((e) => e.textContent));
    expect(headings[0]).toBe('村里');
    const villages = await p.page.$$eval('.search-results button[data-kind=village]', (els) => els.map((e) => e.querySelector('.hit-label')!.textContent));
    expect(villages).toEqual(['桃園市桃園區', '桃園市中壢區']);
    await shot(p, 'villages-desktop');
    await choose(p.page, '.search-results button[data-kind=village]:has-text("中壢區")');
    const box = await villageBox('成功里', '中壢區');
    const v = await view(p.page);
    expect(contains(v.bounds, box)).toBe(true);
    const [cx, cy] = centreOf(box);
    expect(Math.abs(v.centre[0] - cx)).toBeLessThan(1e-6);
    expect(Math.abs(v.centre[1] - cy)).toBeLessThan(1e-6);
    // The outline is drawn: the village's own shape.
    expect((await rendered(p.page, ['search-found-line'])).length).toBeGreaterThan(0);
    expect(await p.page.inputValue('.search-box input')).toBe('成功里');
    await shot(p, 'village-outlined-desktop');
  });

  it('finds a 派出所 by name with its phone under 警察單位, and marks it at its point', async () => {
    await typeSearch(p.page, '中壢分局');
    const first = p.page.locator('.search-results li').first();
    expect(await first.textContent()).toBe('警察單位');
    const { rows: [u] } = await w.db.query<{ phone: string }>(`SELECT phone FROM police_units WHERE name = '中壢分局'`);
    expect(await p.page.locator('.search-results button[data-kind=unit]').first().innerText()).toContain(`電話 ${u!.phone}`);
    await choose(p.page, '.search-results button[data-kind=unit]');
    await expectCentredOn(p.page, await pointOf(`SELECT ST_X(geom) x, ST_Y(geom) y FROM police_units WHERE name = '中壢分局'`, []));
    expect((await rendered(p.page, ['search-found-pin'])).length).toBe(1);
  });

  it('finds an imported address however it is written, with Enter, and marks its 門牌', async () => {
    await p.page.fill('.search-box input', '蘆竹區南山路2段394巷６７號');
    await p.page.press('.search-box input', 'Enter');
    // Enter searches first, then takes the first result: its name replaces what was typed.
    await p.page.waitForFunction(() => document.querySelector<HTMLInputElement>('.search-box input')!.value === '桃園市蘆竹區南山路二段394巷67號');
    await p.page.waitForFunction(() => !(window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.isMoving());
    await mapIdle(p.page);
    await expectCentredOn(p.page, await pointOf(`SELECT ST_X(geom) x, ST_Y(geom) y FROM addresses WHERE address = '桃園市蘆竹區南山路二段394巷67號'`, []));
    expect((await rendered(p.page, ['search-found-pin'])).length).toBe(1);
    await shot(p, 'address-desktop');
  });

  it('says beneath the box when it shows the nearest 門牌 instead of the one asked for', async () => {
    await typeSearch(p.page, '桃園區力行路300號');
    expect(await p.page.locator('.search-results .search-group').first().textContent()).toBe('地址');
    expect(await p.page.locator('.search-results button .hit-badge').first().textContent()).toBe('約略位置');
    await choose(p.page, '.search-results button[data-kind=address]');
    const note = p.page.locator('.search-note');
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/^地址庫沒有「桃園區力行路300號」，標示同一條路上最接近的門牌「.*力行路262號」。$/);
    await expectCentredOn(p.page, await pointOf(`SELECT ST_X(geom) x, ST_Y(geom) y FROM addresses WHERE address LIKE '%力行路262號'`, []));
    await shot(p, 'approximate-desktop');
  });

  it('asks nothing of other machines and logs no error', () => {
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
  });
});

describe('on a 390 × 844 touch phone', () => {
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'public', { width: 390, height: 844 }); });
  afterAll(async () => { await p?.context.close(); });

  it('shows the grouped list across the screen and flies to the chosen 村里', async () => {
    await typeSearch(p.page, '中山里', true);
    const list = await p.page.locator('.search-results').boundingBox();
    expect(list!.x).toBeGreaterThanOrEqual(0);
    expect(list!.x + list!.width).toBeLessThanOrEqual(390);
    expect(await p.page.$$eval('.search-results button[data-kind=village]', (els) => els.length)).toBe(5);
    await shot(p, 'villages-phone');
    await choose(p.page, '.search-results button[data-kind=village]:has-text("龍潭區")', true);
    const box = await villageBox('中山里', '龍潭區');
    expect(contains((await view(p.page)).bounds, box)).toBe(true);
    expect((await rendered(p.page, ['search-found-line'])).length).toBeGreaterThan(0);
    await shot(p, 'village-outlined-phone');
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
  });
});

describe('in the community view and the briefing', () => {
  it('finds a 村里 for a community account on /community, and outlines it', async () => {
    const p = await w.open('/community', 'community');
    // What the view itself logs while opening is its own business (test/web-community.test.ts).
    const before = p.errors.length;
    await typeSearch(p.page, '桃園區成功里');
    await choose(p.page, '.search-results button[data-kind=village]');
    expect(contains((await view(p.page)).bounds, await villageBox('成功里', '桃園區'))).toBe(true);
    expect((await rendered(p.page, ['search-found-line'])).length).toBeGreaterThan(0);
    await shot(p, 'community');
    expect(p.offMachine()).toEqual([]);
    expect(p.errors.slice(before)).toEqual([]);
    await p.context.close();
  });

  it('moves the briefing\'s map to a 門牌 found from its toolbar', async () => {
    const p = await w.open('/briefing', 'officer');
    await typeSearch(p.page, '力行路256號');
    await choose(p.page, '.search-results button[data-kind=address]');
    await expectCentredOn(p.page, await pointOf(`SELECT ST_X(geom) x, ST_Y(geom) y FROM addresses WHERE address LIKE '%力行路256號'`, []));
    expect((await rendered(p.page, ['search-found-pin'])).length).toBe(1);
    await shot(p, 'briefing');
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
