import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jumpTo, openWebWorld, pixelOf, rendered, styleLayersOf, type WebWorld } from './support/browser.js';

/**
 * The real ground in Chromium (issue 13): the block fabric, 村里 names and 桃園's own 派出所 under
 * the layers, with nothing fetched off the machine; a click anywhere answers which 派出所 that is,
 * with its phone, on a desktop and on a phone. SCREENSHOT_DIR=… keeps the pictures.
 */
const SHOTS = process.env.SCREENSHOT_DIR;
let w: WebWorld;
/** A point well inside 大豐里 (桃園區), and the station and phone /api/locate gives it. */
let home: { at: [number, number]; station: string; phone: string };

beforeAll(async () => {
  w = await openWebWorld();
  const { rows } = await w.db.query<{ x: number; y: number; station: string; phone: string }>(`
    SELECT ST_X(p) AS x, ST_Y(p) AS y, s.name AS station, s.phone
      FROM (SELECT ST_PointOnSurface(geom) AS p FROM villages WHERE code = '68000010043') v,
           LATERAL locate_beat(v.p) l JOIN stations s ON s.code = l.station_code`);
  home = { at: [rows[0]!.x, rows[0]!.y], station: rows[0]!.station, phone: rows[0]!.phone };
});
afterAll(async () => { await w?.close(); });

describe.each([
  { device: 'desktop', viewport: { width: 1280, height: 800 } },
  { device: 'phone', viewport: { width: 390, height: 844 } },
])('the ground on a $device', ({ device, viewport }) => {
  it('draws the block fabric, the 村里 names and the real 派出所 beneath the layers, off no machine', async () => {
    const p = await w.open('/', 'public', viewport);
    await jumpTo(p.page, home.at, 15.5);
    const blocks = await rendered(p.page, await styleLayersOf(p.page, 'blocks'));
    // A z15 view of central 桃園 shows dozens of basic statistical areas: the streets between them.
    expect(new Set(blocks.map((b) => b.properties.code)).size).toBeGreaterThan(20);
    const villageNames = (await rendered(p.page, await styleLayersOf(p.page, 'villages', 'labels'))).map((f) => f.properties.name);
    expect(villageNames).toContain('大豐里');
    await jumpTo(p.page, home.at, 13.5);
    const units = (await rendered(p.page, await styleLayersOf(p.page, 'police-units'))).map((f) => String(f.properties.name));
    expect(units.some((n) => n.endsWith('派出所')), units.join('、')).toBe(true);
    expect(p.offMachine()).toEqual([]);
    expect(p.errors).toEqual([]);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `ground-${device}.png`) });
    await p.context.close();
  });

  it('answers a click anywhere with the 村里, the 派出所 by name and its phone to call', async () => {
    const p = await w.open('/', 'public', viewport);
    await jumpTo(p.page, home.at, 16);
    const at = await pixelOf(p.page, home.at);
    if (device === 'phone') await p.page.touchscreen.tap(at.x, at.y);
    else await p.page.mouse.click(at.x, at.y);
    const popup = p.page.locator('.feature-popup .location-details');
    await popup.waitFor();
    expect(await popup.locator('h3').innerText()).toContain(home.station);
    expect(await popup.locator('td', { hasText: '大豐里' }).count()).toBe(1);
    expect(await popup.locator(`a[href="tel:${home.phone.replace(/\D/g, '')}"]`).count()).toBe(1);
    // The answer is on screen: a phone must not have to scroll to read the number.
    const box = (await popup.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `ground-locate-${device}.png`) });
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('a seeded demo', () => {
  it('says on every page that its records are made up', async () => {
    for (const path of ['/', '/community']) {
      const p = await w.open(path, 'public');
      const chip = p.page.locator('.demo-chip summary');
      expect(await chip.innerText()).toBe('示範資料');
      await chip.click();
      expect(await p.page.locator('.demo-chip p').innerText()).toMatch(/模擬的示範資料.*桃園市/);
      await p.context.close();
    }
  });
});
