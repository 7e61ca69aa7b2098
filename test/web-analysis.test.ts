import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jumpTo, mapIdle, openWebWorld, rendered, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The analysis views in the browser: what the planner's tools draw and list is what the analysis
 * API answered (hot spots and their legend, re-aim arrows, new sites, the back-test table), and
 * the community view's aggregated hot spots and camera suggestions, which ask for nothing
 * sensitive.
 */
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

const rankOf = (f: { properties: Record<string, unknown> }) => Number(f.properties.rank);

describe('a planner\'s analysis tools', () => {
  let p: WebPage;
  beforeAll(async () => {
    p = await w.open('/', 'planner');
    // The planner's precinct is in view; the analyses take the view as their scope.
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
    expect(await p.page.locator('.analysis-result').innerText()).toContain(`95% 以上信心的熱點 ${hot} 格`);
  });

  it('lists the back-test of the three methods at 1% and 5% of the area', async () => {
    const { body } = await runTool(p, 'backtest');
    const rows = await p.page.$$eval('.analysis-result tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['前期件數', '核密度', 'Gi* 熱點']));
    const first = body.results[0].scores[0];
    expect(rows[0]![2]).toBe(first.hitRate === null ? '—' : `${(first.hitRate * 100).toLocaleString('zh-TW', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`);
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
      // Clicking the busiest hot square on the map shows its published count.
      const at = await p.page.evaluate(() => {
        const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
        const hot = map.queryRenderedFeatures({ layers: ['analysis-cells'] }).filter((f) => Number(f.properties.binFdr) >= 2)
          .sort((a, b) => Number(b.properties.count) - Number(a.properties.count))[0]!;
        const ring = (hot.geometry as GeoJSON.Polygon).coordinates[0]!;
        const centre = map.project([(ring[0]![0]! + ring[2]![0]!) / 2, (ring[0]![1]! + ring[2]![1]!) / 2]);
        return { x: centre.x, y: centre.y, i: hot.properties.i, j: hot.properties.j };
      });
      const square = body.features.find((f: { properties: { i: number; j: number } }) => f.properties.i === at.i && f.properties.j === at.j);
      const canvas = (await p.page.locator('.maplibregl-canvas').boundingBox())!;
      await p.page.mouse.click(canvas.x + at.x, canvas.y + at.y);
      const popup = p.page.locator('.square-popup');
      await popup.waitFor();
      expect(square.properties.count).toBeGreaterThan(0);
      expect(await popup.innerText()).toContain(`約 ${square.properties.count.toLocaleString('zh-TW')} 件`);
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
    expect(p.requests.filter((u) => SENSITIVE.test(u))).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });
});
