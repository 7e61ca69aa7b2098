import { join } from 'node:path';
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jumpTo, mapIdle, openWebWorld, rendered, type WebPage, type WebWorld } from './support/browser.js';
import { FORECAST_METHODS } from '../server/analysis/forecast/methods.js';

/**
 * The analysis views in the browser: what the planner's tools draw and list is what the analysis
 * API answered (hot spots and their legend, re-aim arrows, new sites, the back-test table), and
 * the community view's aggregated hot spots and camera suggestions, which ask for nothing
 * sensitive. SCREENSHOT_DIR=… keeps the pictures of the community view's popups.
 */
const SHOTS = process.env.SCREENSHOT_DIR;
let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(0.25); });
afterAll(async () => { await w?.close(); });

/** Clicks an analysis tool and returns the API's answer the page received for it. */
async function runTool(p: WebPage, tool: string, endpoint = tool): Promise<{ url: string; body: any }> {
  const answer = p.page.waitForResponse((r: Response) => r.url().includes(`/api/analysis/${endpoint}`));
  await p.page.click(`button[data-analysis="${tool}"]`);
  const res = await answer;
  expect(res.status()).toBe(200);
  await p.page.locator('.analysis-result h3').waitFor();
  await mapIdle(p.page);
  return { url: res.url(), body: await res.json() };
}

/**
 * A point of the community map, in page pixels, where a touch lands on the published square
 * given (nothing clickable drawn above it), or, without a square, on bare ground: no coloured
 * square and nothing clickable but the `where` layers (beats and the ground). Null if none.
 */
async function spotWhere(p: WebPage, want: { square?: { i: number; j: number }; where: string[] }): Promise<{ x: number; y: number } | null> {
  return p.page.evaluate(({ square, where }) => {
    const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
    const meta = (id: string) => ((map.getLayer(id) as { metadata?: Record<string, string> } | undefined)?.metadata ?? {});
    const canvas = map.getCanvas().getBoundingClientRect();
    for (let gy = 1; gy < 24; gy++) {
      for (let gx = 1; gx < 12; gx++) {
        const at: [number, number] = [(canvas.width * gx) / 12, (canvas.height * gy) / 24];
        // Controls, the panel's button and popups lie over the canvas: a touch there is theirs.
        if (document.elementFromPoint(canvas.left + at[0], canvas.top + at[1]) !== map.getCanvas()) continue;
        const hits = map.queryRenderedFeatures(at);
        const coloured = hits.filter((f) => f.layer.id === 'analysis-cells' && Number(f.properties.binFdr) !== 0);
        const ok = square
          ? coloured.some((f) => f.properties.i === square.i && f.properties.j === square.j)
            && !hits.some((f) => ['points', 'clusters'].includes(meta(f.layer.id)['emap:part'] ?? ''))
          : coloured.length === 0 && hits.every((f) => !['points', 'clusters', 'fill'].includes(meta(f.layer.id)['emap:part'] ?? '')
            || where.includes(meta(f.layer.id)['emap:layer'] ?? ''));
        if (ok) return { x: canvas.left + at[0], y: canvas.top + at[1] };
      }
    }
    return null;
  }, { square: want.square ? { i: want.square.i, j: want.square.j } : undefined, where: want.where });
}

/** A tap on a phone (a touch device), a click on a desktop. */
async function touch(p: WebPage, at: { x: number; y: number }, viewport: { width: number }): Promise<void> {
  if (viewport.width < 600) await p.page.touchscreen.tap(at.x, at.y);
  else await p.page.mouse.click(at.x, at.y);
}

const rankOf = (f: { properties: Record<string, unknown> }) => Number(f.properties.rank);

describe('a planner\'s analysis tools', () => {
  let p: WebPage;
  beforeAll(async () => {
    p = await w.open('/', 'planner');
    // The planner's precinct is in view; the analyses take the view as their scope, and the
    // incidents the filter panel selects: all of them here, not the opening 30 days.
    await p.page.locator('.filter-group[data-layer="incidents"] summary').click();
    await p.page.locator('.filter-group[data-layer="incidents"] button.chip', { hasText: '全部' }).click();
    await p.page.waitForTimeout(400);
    await mapIdle(p.page);
  });
  afterAll(async () => { await p?.context.close(); });

  it('draws the Gi* hot spots the API found, with a legend that counts them', async () => {
    const { url, body } = await runTool(p, 'hotspots');
    expect(new URL(url).searchParams.get('bbox')).toMatch(/^[\d.]+,[\d.]+,[\d.]+,[\d.]+$/);
    const legend = await p.page.$$eval('.layer-row[data-layer="analysis-cells"] .legend li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(legend).toHaveLength(7);
    // FDR-corrected bins, as the panel asks by default: the legend's counts are the answer's.
    for (const [i, bin] of [3, 2, 1, 0, -1, -2, -3].entries()) {
      expect(legend[i]).toContain(`${(body.analysis.binsFdr[String(bin)] as number).toLocaleString('zh-TW')} 格`);
    }
    const hot = body.features.filter((f: { properties: { binFdr: number } }) => f.properties.binFdr >= 2).length;
    expect(hot).toBeGreaterThan(0);
    const drawn = await rendered(p.page, ['analysis-cells']);
    expect(drawn.some((f) => Number(f.properties.binFdr) >= 2)).toBe(true);
    expect(await p.page.locator('.analysis-result').innerText()).toContain(`熱點 ${hot} 格：這些格子的案件比周圍明顯多`);
    // The statistics are there for who asks, folded under 說明.
    expect(await p.page.locator('.analysis-result details.explain').innerText()).toContain('說明');
    expect(await p.page.locator('.analysis-result details.explain p').textContent()).toContain('Getis-Ord Gi*');
  });

  it('lists the rolling back-test of every method at 1% and 5% of the area, the recommended one starred and named', async () => {
    const { url, body } = await runTool(p, 'backtest');
    expect(new URL(url).searchParams.get('windows')).toBe('3');
    const rows = await p.page.$$eval('.analysis-result tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    // Seven methods and the choice by training period, each at two shares.
    expect(rows).toHaveLength(16);
    const names = ['前期件數', '案件密度', '熱點統計', '近期加權密度', '近重複模型', '環境風險', '綜合預測'];
    const starred = names.map((n) => (body.recommended.method === FORECAST_METHODS[names.indexOf(n)] ? `${n} ★` : n));
    expect([...new Set(rows.map((r) => r[0]))]).toEqual([...starred, '建議（依訓練期間選）']);
    const first = body.summary[0].scores[0].pai;
    const digits = (x: number) => x.toLocaleString('zh-TW', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    expect(rows[0]![2]).toBe(`${digits(first.mean)}${first.sd ? ` ± ${digits(first.sd)}` : ''}`);
    expect(await p.page.locator('.analysis-result .recommended').innerText()).toContain(`建議方法：${names[FORECAST_METHODS.indexOf(body.recommended.method)]}`);
  });

  it('draws the forecast hot cells of the recommended method, or of the method the planner picks', async () => {
    const { url, body } = await runTool(p, 'forecast');
    expect(new URL(url).searchParams.get('method')).toBeNull();
    expect(body.method).toBe(body.recommended.method);
    const drawn = new Set((await rendered(p.page, ['analysis-cells'])).map((f) => f.properties.rank));
    expect(drawn.size).toBeGreaterThan(0);
    for (const rank of drawn) expect(rank).toBeLessThanOrEqual(body.features.length);
    expect(await p.page.locator('.analysis-result').innerText()).toContain(`未來 28 天最可能有案件的 ${body.features.length} 格`);
    await p.page.selectOption('select[name=method]', 'etas');
    const picked = await runTool(p, 'forecast');
    expect(new URL(picked.url).searchParams.get('method')).toBe('etas');
    expect(await p.page.locator('.analysis-result').innerText()).toContain('方法：近重複模型');
    await p.page.selectOption('select[name=method]', '');
  });

  it('draws an arrow for each camera the re-aim suggests turning', async () => {
    const { rows } = await w.db.query<{ x: number; y: number }>(
      `SELECT ST_X(c) x, ST_Y(c) y FROM (SELECT ST_Centroid(ST_Collect(geom)) c FROM cameras WHERE precinct_code = 'P01' AND adjustable) s`);
    await jumpTo(p.page, [rows[0]!.x, rows[0]!.y], 14);
    const { body } = await runTool(p, 'reaim');
    const turned = body.features.filter((f: { properties: { changed: boolean } }) => f.properties.changed);
    expect(turned.length).toBeGreaterThan(0);
    for (const f of turned) expect(f.properties.gain).toBeGreaterThan(0);
    const arrows = new Set((await rendered(p.page, ['analysis-reaim-arrows'])).map((f) => f.properties.camera_id));
    expect(arrows).toEqual(new Set(turned.map((f: { properties: { id: number } }) => f.properties.id)));
    expect(await p.page.locator('.analysis-result tbody tr').count()).toBe(Math.min(turned.length, 12));
  });

  it('draws the suggested new sites in their order, with the coverage curve', async () => {
    const { body } = await runTool(p, 'new-sites');
    expect(body.features.length).toBeGreaterThan(0);
    const points = await rendered(p.page, ['analysis-sites-points']);
    expect([...new Set(points.map(rankOf))].sort((a, b) => a - b)).toEqual(body.features.map(rankOf));
    // The curve has a point per camera added, from none.
    expect(await p.page.locator('.analysis-result .curve-chart circle').count()).toBe(body.curve.filter((c: { share: number | null }) => c.share !== null).length);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
  });
});

describe('the community view\'s analysis', () => {
  const SENSITIVE = /key-places|\/incidents|drone-surveys|visits/;

  it.each([['a desktop', { width: 1000, height: 700 }], ['a phone', { width: 390, height: 844 }]] as const)(
    'shows the published hot spots at once on %s, says how they are rounded, and a hot square tells its own count', async (_, viewport) => {
      const p = await w.open('/community', 'public', viewport);
      const hotspots = p.requests.filter((u) => u.includes('/api/analysis/hotspots'));
      expect(hotspots).toHaveLength(1);
      const res = await p.context.request.get(hotspots[0]!);
      const body = await res.json();
      expect(body.analysis).toMatchObject({ aggregated: true, cellSize: 200, disclosure: { rounding: { base: 5 } } });
      for (const f of body.features) {
        expect(f.properties).not.toHaveProperty('z');
        expect(f.properties.count % 5).toBe(0);
      }
      expect(await rendered(p.page, ['analysis-cells'])).not.toHaveLength(0);
      // The panel says what period, about how many, and how the figures were made public.
      const text = await p.page.locator('.hot-spots').innerText();
      expect(text).toContain(`約 ${body.analysis.incidents.toLocaleString('zh-TW')} 件`);
      expect(text).toMatch(/\d+年第[一二三四]季/);
      expect(text).toContain('隨機進位為 5 的倍數');
      // This quarter's forecast follows, from the same published table, outlined on the map.
      const note = p.page.locator('.hot-spots .forecast-summary');
      await note.waitFor();
      const asked = p.requests.filter((u) => u.includes('/api/analysis/forecast'));
      expect(asked).toHaveLength(1);
      const forecast = await (await p.context.request.get(asked[0]!)).json();
      expect(forecast.analysis).toMatchObject({ aggregated: true, cellSize: 200 });
      expect(forecast.features.length).toBeGreaterThan(0);
      expect(await note.innerText()).toMatch(new RegExp(`本季（\\d+年第[一二三四]季）案件可能最多的 ${forecast.features.length} 格以深紅框標示`));
      // Named by the 村里 of the first squares, as a 里長 would say where.
      const place = forecast.features.map((f: { properties: { place: string | null } }) => f.properties.place).find(Boolean);
      expect(place).toBeTruthy();
      expect(await note.innerText()).toContain(`最多在${place}`);
      await mapIdle(p.page);
      const outlined = new Set((await rendered(p.page, ['analysis-forecast'])).map((f) => f.properties.rank));
      expect(outlined.size).toBeGreaterThan(0);
      for (const rank of outlined) expect(rank).toBeLessThanOrEqual(forecast.features.length);
      // Touching the busiest hot square shows its published count. Across the whole city a 200 m
      // square is a pixel or two, and the busiest often lies under a 派出所 or a camera that answers
      // for itself, so this zooms in to the square, as a person would, and touches it where it is
      // on top; then bare ground away from the squares still says whose it is.
      const square = body.features.filter((f: { properties: { binFdr: number } }) => f.properties.binFdr >= 2)
        .sort((a: { properties: { count: number } }, b: { properties: { count: number } }) => b.properties.count - a.properties.count)[0];
      expect(square.properties.count).toBeGreaterThan(0);
      const ring = square.geometry.coordinates[0] as [number, number][];
      await jumpTo(p.page, [(ring[0]![0] + ring[2]![0]) / 2, (ring[0]![1] + ring[2]![1]) / 2], 16);
      const where = (await (await p.context.request.get(`${w.baseUrl}/api/layers`)).json()).layers
        .filter((l: { id: string; ground?: boolean }) => l.ground || l.id === 'beats').map((l: { id: string }) => l.id);
      const onSquare = await spotWhere(p, { square: square.properties, where });
      expect(onSquare, 'a point of the square with nothing drawn above it').not.toBeNull();
      await touch(p, onSquare!, viewport);
      const popup = p.page.locator('.square-popup');
      await popup.waitFor();
      expect(await popup.innerText()).toContain(`約 ${square.properties.count.toLocaleString('zh-TW')} 件`);
      // The square answered the touch: no feature or 「這裡歸」 popup opened beneath it.
      expect(await p.page.locator('.feature-popup').count()).toBe(0);
      // All of it is on screen, its close button too: a phone must not have to scroll to read it.
      const shown = (await popup.boundingBox())!;
      expect(shown.x).toBeGreaterThanOrEqual(0);
      expect(shown.x + shown.width).toBeLessThanOrEqual(viewport.width);
      if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `square-${viewport.width}.png`) });
      // Bare ground: the nearest 村里 wholly outside the box the hot spots were asked for.
      const box = new URL(hotspots[0]!).searchParams.get('bbox')!.split(',').map(Number);
      const { rows } = await w.db.query<{ x: number; y: number }>(
        `SELECT ST_X(p) x, ST_Y(p) y FROM (SELECT ST_PointOnSurface(geom) p, geom FROM villages) v, ST_MakeEnvelope($1, $2, $3, $4, 4326) b
          WHERE NOT ST_Intersects(v.geom, b) ORDER BY v.geom <-> b LIMIT 1`, box);
      await jumpTo(p.page, [rows[0]!.x, rows[0]!.y], 16);
      const bare = await spotWhere(p, { where });
      expect(bare, 'a point on the ground, off every coloured square').not.toBeNull();
      await touch(p, bare!, viewport);
      await p.page.locator('.feature-popup .location-details').waitFor();
      expect(await p.page.locator('.feature-popup h3').innerText()).toContain('這裡歸');
      expect(await popup.count()).toBe(0);
      if (SHOTS) await p.page.screenshot({ path: join(SHOTS, `square-ground-${viewport.width}.png`) });
      // The public is asked to sign in for suggestions, and nothing is requested for them.
      if (viewport.width > 500) {
        await p.page.click('button[data-ask="new-sites"]');
        expect(await p.page.locator('.camera-help .analysis-answer').innerText()).toContain('請以社區帳號登入');
        expect(p.requests.filter((u) => u.includes('new-sites'))).toEqual([]);
      }
      expect(p.requests.filter((u) => SENSITIVE.test(u))).toEqual([]);
      expect(p.errors).toEqual([]);
      await p.context.close();
    });

  it('suggests new camera sites in a community account\'s own area, and no map of what is unseen', async () => {
    const p = await w.open('/community', 'community');
    const answer = p.page.waitForResponse((r: Response) => r.url().includes('/api/analysis/new-sites'));
    await p.page.click('button[data-ask="new-sites"]');
    const body = await (await answer).json();
    expect(body).not.toHaveProperty('uncovered');
    await p.page.locator('.camera-help .analysis-answer ol li').first().waitFor();
    expect(await p.page.locator('.camera-help .analysis-answer ol li').count()).toBe(body.features.length);
    // Every site lies in the account's area.
    const { rows } = await w.db.query<{ inside: boolean }>(
      `SELECT bool_and(ST_Intersects(area, ST_SetSRID(ST_MakePoint(x, y), 4326))) AS inside
         FROM users, jsonb_to_recordset($1::jsonb) AS s(x float8, y float8) WHERE username = 'community'`,
      [JSON.stringify(body.features.map((f: { geometry: { coordinates: number[] } }) => ({ x: f.geometry.coordinates[0], y: f.geometry.coordinates[1] })))]);
    expect(body.features.length).toBeGreaterThan(0);
    expect(rows[0]!.inside).toBe(true);
    // The gains are estimates from the published squares, and the list says so.
    expect(await p.page.locator('.camera-help .disclosure-note').innerText()).toContain('平均分布在方格內');
    // Each site says where it is (the 村里 it lies in) and which way to face, in words; the map
    // shows them all, and choosing one flies there.
    const { rows: [village] } = await w.db.query<{ name: string }>('SELECT name FROM villages WHERE code = $1', [w.city.community.villageCode]);
    const entries = await p.page.locator('.camera-help .site-entry').allInnerTexts();
    expect(entries.length).toBe(body.features.length);
    for (const text of entries) {
      expect(text).toContain(village!.name);
      expect(text).toMatch(/鏡頭朝(北|東北|東|東南|南|西南|西|西北)（\d+°）/);
    }
    await mapIdle(p.page);
    const sites = body.features.map((f: { geometry: { coordinates: [number, number] } }) => f.geometry.coordinates);
    const inView = await p.page.evaluate((pts) => {
      const b = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getBounds();
      return pts.every((pt) => b.contains(pt));
    }, sites as [number, number][]);
    expect(inView).toBe(true);
    const last = body.features.length - 1;
    await p.page.locator('.camera-help .site-entry').nth(last).click();
    await p.page.waitForTimeout(2500);
    await mapIdle(p.page);
    const centre = await p.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getCenter().toArray());
    expect(Math.abs(centre[0]! - sites[last][0])).toBeLessThan(0.0005);
    expect(Math.abs(centre[1]! - sites[last][1])).toBeLessThan(0.0005);
    expect(p.requests.filter((u) => SENSITIVE.test(u))).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });
});
