import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapIdle, openWebWorld, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The map tools every map user expects (issue 15): a share link that restores the view, the
 * layers and the filters; measuring a distance and an area, checked against PostGIS on the
 * ellipsoid; a page the caller may not use saying so.
 */
let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(); });
afterAll(async () => { await w?.close(); });

type LonLat = [number, number];
const mapOf = 'window.emap.map';

/** Where the map draws a pixel of the page (the inverse of pixelOf). */
async function lngLatAt(p: WebPage, x: number, y: number): Promise<LonLat> {
  return p.page.evaluate(([px, py]) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    const r = map.getCanvas().getBoundingClientRect();
    const ll = map.unproject([px! - r.left, py! - r.top]);
    return [ll.lng, ll.lat] as LonLat;
  }, [x, y]);
}

/** The figures a measure shows, in metres and square metres. */
function figures(text: string): { area?: number; length: number } {
  const m2 = /（([\d,]+) 平方公尺）|面積 ([\d,]+) 平方公尺/.exec(text);
  const len = /(?:周長|距離) ([\d,.]+) (公尺|公里)/.exec(text)!;
  const num = (s: string) => Number(s.replace(/,/g, ''));
  return {
    ...(m2 ? { area: num(m2[1] ?? m2[2]!) } : {}),
    length: num(len[1]!) * (len[2] === '公里' ? 1000 : 1),
  };
}

describe('a share link', () => {
  it('restores the view, the layers switched on and the filters in a colleague\'s browser', async () => {
    const a = await w.open('/', 'planner');
    await a.page.uncheck('.layer-row[data-layer="cameras"] input');
    await a.page.locator('.filter-group[data-layer="key-places"] summary').click();
    await a.page.check('.filter-group[data-layer="key-places"] .filter-choices[data-property="category"] input[value="ktv"]');
    await a.page.evaluate(`${mapOf}.jumpTo({ center: [121.3, 24.99], zoom: 15.5 })`);
    await a.page.waitForTimeout(600);
    await mapIdle(a.page);
    await a.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await a.page.click('[data-tool="share"]');
    await a.page.locator('.map-notice', { hasText: '已複製這個畫面的連結' }).waitFor();
    const url = await a.page.evaluate(() => navigator.clipboard.readText());
    expect(url).toBe(await a.page.evaluate(() => location.href));
    expect(new URL(url).hash).toMatch(/v=15\.50%2F24\.99000%2F121\.30000/);
    // 近 30 天 travels as a relative range, so the link does not go stale.
    expect(new URLSearchParams(new URLSearchParams(new URL(url).hash.slice(1)).get('f')!).get('incidents.datetime')).toBe('last30d');
    await a.context.close();

    const b = await w.open(new URL(url).pathname + new URL(url).hash, 'planner');
    const view = await b.page.evaluate(`({ c: ${mapOf}.getCenter(), z: ${mapOf}.getZoom() })`) as { c: { lng: number; lat: number }; z: number };
    expect(view.z).toBeCloseTo(15.5, 2);
    expect(view.c.lng).toBeCloseTo(121.3, 4);
    expect(view.c.lat).toBeCloseTo(24.99, 4);
    expect(await b.page.isChecked('.layer-row[data-layer="cameras"] input')).toBe(false);
    expect(await b.page.isChecked('.layer-row[data-layer="key-places"] input')).toBe(true);
    expect(await b.page.isChecked('.filter-group[data-layer="key-places"] input[value="ktv"]')).toBe(true);
    const taiwanDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(await b.page.inputValue('.filter-group[data-layer="incidents"] input[name="from"]')).toBe(taiwanDaysAgo(30));
    // The tiles asked for carry the filter from the first one on.
    const tiles = b.requests.filter((u) => u.includes('.mvt'));
    expect(tiles.length).toBeGreaterThan(0);
    for (const u of tiles) expect(new URL(u).searchParams.get('key-places.category')).toBe('ktv');
    expect(b.errors).toEqual([]);
    await b.context.close();
  });

  it('ignores what it cannot use: a zoom past the map\'s, unknown layers, filters the caller could not set', async () => {
    // A planner's filter on incidents (which the public does not read), an unknown property, an
    // unknown choice and a malformed date: any of them would make the tile server refuse every tile.
    const f = new URLSearchParams({ 'incidents.type': 'theft', 'cameras.bogus': '1', 'cameras.status': 'broken,nonsense', 'cameras.datetime': '2026-01-01/..', 'nope.x': '1' });
    const p = await w.open(`/#v=23/24.99/121.3&l=nope,beats,cameras&f=${encodeURIComponent(f.toString())}`, 'public');
    const zoom = await p.page.evaluate(`${mapOf}.getZoom()`) as number;
    expect(zoom).toBeLessThan(19);
    expect(await p.page.isChecked('.layer-row[data-layer="beats"] input')).toBe(true);
    expect(await p.page.isChecked('.layer-row[data-layer="stations"] input')).toBe(false);
    const tiles = p.requests.filter((u) => u.includes('.mvt'));
    expect(tiles.length).toBeGreaterThan(0);
    for (const u of tiles) expect(new URL(u).search, u).toBe('');
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('measuring', () => {
  it.each([['a desktop', undefined], ['a phone', { width: 390, height: 844 }]] as const)('measures an area and a distance on %s as PostGIS does on the ellipsoid', async (_, viewport) => {
    const phone = viewport !== undefined;
    const p = await w.open('/', 'officer', viewport);
    if (phone) await p.page.locator('.panel-toggle').tap();
    const tap = async (x: number, y: number) => (phone ? p.page.touchscreen.tap(x, y) : p.page.mouse.click(x, y));
    const box = (await p.page.locator('#map').boundingBox())!;
    const corners: [number, number][] = [[0.2, 0.15], [0.8, 0.18], [0.75, 0.4], [0.25, 0.38]].map(([fx, fy]) => [box.x + box.width * fx!, box.y + box.height * fy!]);

    await p.page.locator('[data-measure="area"]').click();
    for (const [x, y] of corners) await tap(x, y);
    // No popup opened: the taps belonged to the measure.
    expect(await p.page.locator('.feature-popup').count()).toBe(0);
    const ring = await Promise.all(corners.map(([x, y]) => lngLatAt(p, x, y)));
    const wkt = `POLYGON((${[...ring, ring[0]!].map(([x, y]) => `${x} ${y}`).join(',')}))`;
    const { rows: [truth] } = await w.db.query<{ area: number; perimeter: number; length: number }>(
      `SELECT ST_Area(g::geography) AS area, ST_Perimeter(g::geography) AS perimeter,
              ST_Length(ST_MakeLine(ST_PointN(ST_ExteriorRing(g), 1), ST_PointN(ST_ExteriorRing(g), 2))::geography) AS length
         FROM (SELECT ST_GeomFromText($1, 4326) AS g) q`, [wkt]);
    const shown = figures(await p.page.locator('.measure-result').innerText());
    expect(Math.abs(shown.area! / truth!.area - 1)).toBeLessThan(0.005);
    expect(Math.abs(shown.length / truth!.perimeter - 1)).toBeLessThan(0.005);

    // 刪除上一點 takes the last corner back, 重做 puts it again; a distance of the first two is
    // the line between them.
    await p.page.locator('[data-measure="undo"]').click();
    const three = figures(await p.page.locator('.measure-result').innerText());
    expect(three.area! / shown.area!).toBeLessThan(0.9);
    await p.page.locator('[data-measure="redo"]').click();
    expect(figures(await p.page.locator('.measure-result').innerText())).toEqual(shown);
    expect(await p.page.locator('[data-measure="redo"]').isEnabled()).toBe(false);
    await p.page.locator('[data-measure="distance"]').click();
    for (const [x, y] of corners.slice(0, 2)) await tap(x, y);
    const line = figures(await p.page.locator('.measure-result').innerText());
    expect(Math.abs(line.length / truth!.length - 1)).toBeLessThan(0.005);
    await p.page.locator('[data-measure="done"]').click();
    // Done: a tap on the map opens popups again.
    await tap(corners[2]![0], corners[2]![1]);
    await p.page.locator('.feature-popup').waitFor();
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('measuring and editing', () => {
  it('keeps the map\'s taps for one of them at a time', async () => {
    const p = await w.open('/', 'planner');
    await p.page.locator('[data-measure="distance"]').click();
    // Starting to draw ends the measure; a measure asked for while drawing is refused with why.
    await p.page.click('button[data-create="watch-blocks"]');
    await p.page.locator('.edit-session .hint', { hasText: '逐點點選' }).waitFor();
    expect(await p.page.locator('.measure-controls').isVisible()).toBe(false);
    await p.page.locator('[data-measure="area"]').click();
    expect(await p.page.locator('.measure-result').innerText()).toBe('請先完成或取消目前的編輯，再開始量測。');
    expect(await p.page.locator('.measure-controls').isVisible()).toBe(false);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('printing the map', () => {
  it('prints the map as shown on one page: title, date, beat, 限公務使用, legend of what is on, scale bar and north arrow', async () => {
    const p = await w.open('/', 'officer', { width: 1200, height: 800 });
    await p.page.evaluate(() => {
      const win = window as unknown as { printed: number };
      win.printed = 0;
      window.print = () => { win.printed += 1; };
    });
    await p.page.uncheck('.layer-row[data-layer="cameras"] input');
    await mapIdle(p.page);
    await p.page.click('[data-tool="print"]');
    await p.page.selectOption('.print-dialog select[name=paper]', 'A4');
    await p.page.selectOption('.print-dialog select[name=orientation]', 'landscape');
    await p.page.fill('.print-dialog input[name=title]', '大樹派出所巡邏圖');
    await p.page.click('.print-dialog button[type=submit]');
    await p.page.waitForFunction(() => (window as unknown as { printed: number }).printed === 1);
    const sheet = p.page.locator('.map-print');
    expect(await sheet.locator('h1').textContent()).toBe('大樹派出所巡邏圖');
    const today = new Intl.DateTimeFormat('zh-TW', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const { rows: [beat] } = await w.db.query<{ name: string }>(
      `SELECT b.name FROM beats b WHERE b.code = 'P01S01B01'`);
    const head = await sheet.locator('.map-print-head').textContent();
    expect(head).toContain(today);
    expect(head).toContain(beat!.name);
    expect(head).toContain('限公務使用');
    // The legend is of the layers switched on: key places yes, cameras (switched off) no.
    const legend = await sheet.locator('.legend-entry h3').allTextContents();
    expect(legend).toContain('治安重點處所');
    expect(legend).not.toContain('錄影監視系統');
    // The scale bar is drawn into the picture, so it scales with it: its black run of pixels in
    // the picture's foot is as long as its label says, measured against the map's span on the
    // ellipsoid.
    const img = sheet.locator('.map-print-figure img');
    const bar = await img.evaluate(async (el) => {
      const i = el as HTMLImageElement;
      await i.decode();
      const c = document.createElement('canvas');
      c.width = i.naturalWidth;
      c.height = i.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(i, 0, 0);
      // The longest run of black in the picture's lowest 60 pixels, left half.
      let longest = 0;
      for (let y = c.height - 60; y < c.height; y++) {
        const row = g.getImageData(0, y, Math.floor(c.width / 2), 1).data;
        let run = 0;
        for (let x = 0; x < row.length / 4; x++) {
          const dark = row[x * 4]! < 40 && row[x * 4 + 1]! < 40 && row[x * 4 + 2]! < 40;
          run = dark ? run + 1 : 0;
          longest = Math.max(longest, run);
        }
      }
      return { longest, width: c.width, metres: Number(i.dataset.scaleMetres) };
    });
    const [left, right] = await p.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      const c = map.getCanvas();
      return [map.unproject([0, c.clientHeight / 2]).toArray(), map.unproject([c.clientWidth, c.clientHeight / 2]).toArray()];
    });
    const { rows: [span] } = await w.db.query<{ m: number }>(
      'SELECT ST_Distance(ST_MakePoint($1, $2)::geography, ST_MakePoint($3, $4)::geography) AS m', [left![0], left![1], right![0], right![1]]);
    expect(bar.longest).toBeGreaterThan(20);
    expect(Math.abs(((bar.longest / bar.width) * span!.m) / bar.metres - 1)).toBeLessThan(0.03);
    expect(await sheet.locator('.map-print-head').textContent()).toBeTruthy();
    // The map itself, not a blank canvas.
    const image = await img.getAttribute('src');
    expect(image!.startsWith('data:image/png;base64,')).toBe(true);
    expect(image!.length).toBeGreaterThan(20_000);
    // Printed: one A4 landscape page (842 × 595 pt), the app's panel and buttons not on it.
    await p.page.emulateMedia({ media: 'print' });
    expect(await p.page.locator('#app').isVisible()).toBe(false);
    expect(await sheet.isVisible()).toBe(true);
    const pdf = (await p.page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
    expect(pdf).toMatch(/\/MediaBox \[0 0 84[12]\.\d+ 59[45]\.\d+\]/);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });

  it('prints the same sheet with Ctrl+P, without 限公務使用 for the public', async () => {
    const p = await w.open('/', 'public');
    await p.page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    const sheet = p.page.locator('.map-print');
    expect(await sheet.locator('h1').textContent()).toBe('社區治安電子地圖');
    expect(await sheet.locator('.map-print-head').textContent()).not.toContain('限公務使用');
    await p.page.emulateMedia({ media: 'print' });
    const pdf = (await p.page.pdf({ preferCSSPageSize: true })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
    await p.page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    expect(await p.page.locator('.map-print').count()).toBe(0);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
