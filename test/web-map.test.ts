import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYERS } from '../server/layers/registry.js';
import { DEMO_PASSWORD, jumpTo, mapIdle, openWebWorld, pixelOf, rendered, showOnly, styleLayersOf, type Account, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The e-map in headless Chromium against the service and a small demo city: what each role
 * loads, that every layer draws, that the legend is the map's, the switches, filters, search
 * and popups, and a phone-sized screen. Nothing may be requested off this machine.
 */
let w: WebWorld;
beforeAll(async () => {
  w = await openWebWorld();
  // The demo city has no building footprints and no 門牌 gazetteer: a building beside the first
  // camera, and the 門牌 of the first police unit, so every layer has a feature.
  await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO buildings (name, levels, geom)
    SELECT '測試大樓', 5, ST_Multi(ST_Buffer(ST_Translate(geom, 0.0002, 0.0002), 0.0001, 2)) FROM cameras ORDER BY id LIMIT 1;
    INSERT INTO addresses (address, geom) SELECT address, geom FROM police_units ORDER BY id LIMIT 1;`);
});
afterAll(async () => { await w?.close(); });

const TILED = LAYERS.filter((l) => l.tiles);

/**
 * Tiled layers a role may read, by the API, in registry order: what its layer list must show,
 * the operational layers first and the reference ground (地理底圖) after them.
 */
async function layersOfRole(as: Account): Promise<string[]> {
  const context = await w.browser.newContext();
  if (as !== 'public') await context.request.post(`${w.baseUrl}/api/login`, { data: { username: as, password: DEMO_PASSWORD } });
  const res = await context.request.get(`${w.baseUrl}/api/layers`);
  const tiled = ((await res.json()) as { layers: { id: string; tiles?: string; ground?: boolean }[] }).layers.filter((l) => l.tiles);
  await context.close();
  return [...tiled.filter((l) => !l.ground), ...tiled.filter((l) => l.ground)].map((l) => l.id);
}

/** Where incidents are densest (a planted hot spot): clusters and the heat map show there. */
async function busiest(): Promise<[number, number]> {
  const { rows } = await w.db.query<{ x: number; y: number }>(`SELECT ST_X(c) AS x, ST_Y(c) AS y FROM (
    SELECT ST_Centroid(ST_Collect(geom)) AS c, count(*) AS n FROM incidents GROUP BY ST_SnapToGrid(geom, 0.02) ORDER BY n DESC LIMIT 1) q`);
  return [rows[0]!.x, rows[0]!.y];
}

/**
 * A place to look at each layer: a feature of it (of a layer with a time the newest, which the
 * police's opening 30 days show) and a zoom at which it is drawn unclustered.
 */
async function sampleOf(layer: (typeof TILED)[number]): Promise<{ id: number; at: [number, number]; zoom: number }> {
  const { rows } = await w.db.query<{ id: number; x: number; y: number }>(
    `SELECT id::int AS id, ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM ${layer.table}
      WHERE deleted_at IS NULL ORDER BY ${layer.temporal ? `${layer.temporal} DESC, ` : ''}id LIMIT 1) s`);
  const zoom = Math.max(layer.tiles!.minzoom, layer.tiles!.cluster?.belowZoom ?? 0, 14) + 0.5;
  return { id: rows[0]!.id, at: [rows[0]!.x, rows[0]!.y], zoom: Math.min(zoom, layer.tiles!.maxzoom) };
}

describe('every role', () => {
  it.each(['public', 'community', 'officer', 'planner', 'admin'] as const)('%s: loads with no console error, nothing off the machine, its own layers listed', async (as) => {
    const p = await w.open('/', as);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    const listed = await p.page.$$eval('.layer-list .layer-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.layer));
    const expected = await layersOfRole(as);
    // One switch per readable tiled layer, plus the incidents' heat map where incidents are readable.
    expect(listed.filter((id) => !id!.endsWith('-heat'))).toEqual(expected);
    expect(listed.includes('incidents-heat')).toBe(expected.includes('incidents'));
    // Sensitive layers never reach the public's tiles or style.
    if (as === 'public' || as === 'community') {
      expect(p.requests.filter((u) => /key-places|incidents|drone-surveys|visits/.test(u))).toEqual([]);
    }
    // The header is one line at 1,000 pixels: what does not fit (a planner's or admin's pages) folds into ☰, off the page no more.
    const header = await p.page.evaluate(() => {
      const el = document.querySelector('.app-header')!;
      return { compact: el.classList.contains('compact'), overflow: el.scrollWidth > el.clientWidth + 1, page: document.documentElement.scrollWidth };
    });
    expect(header.overflow).toBe(false);
    expect(header.page).toBeLessThanOrEqual(1000);
    expect(header.compact).toBe(as === 'planner' || as === 'admin');
    await p.context.close();
  });
});

describe('signing in', () => {
  it('refuses a wrong password with a reason, and a right one reloads the map for the role', async () => {
    // Wide enough for a planner's pages and name on the header's line (narrower, they fold into ☰).
    const p = await w.open('/', 'public', { width: 1280, height: 800 });
    await p.page.click('button.login');
    await p.page.fill('.login-dialog input[name=username]', 'planner');
    await p.page.fill('.login-dialog input[name=password]', 'not-the-password');
    await p.page.click('.login-dialog button[type=submit]');
    await p.page.locator('.login-dialog .form-error', { hasText: '帳號或密碼錯誤' }).waitFor();
    await p.page.fill('.login-dialog input[name=password]', DEMO_PASSWORD);
    await Promise.all([p.page.waitForNavigation(), p.page.click('.login-dialog button[type=submit]')]);
    await p.page.waitForSelector('body[data-ready="true"]');
    await p.page.locator('.account .who', { hasText: '桃園分局' }).waitFor();
    expect(await p.page.locator('.account .who').innerText()).toBe('分局承辦人・桃園分局');
    expect(await p.page.locator('.layer-row[data-layer="key-places"]').count()).toBe(1);
    await p.context.close();
  });
});

describe('layers, legend and switches (admin)', () => {
  // One page for the block; each test leaves its switches as it found them.
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'admin'); });
  afterAll(async () => { await p?.context.close(); });

  it.each(TILED.map((l) => l.id))('%s draws its features', async (id) => {
    const layer = TILED.find((l) => l.id === id)!;
    const sample = await sampleOf(layer);
    await jumpTo(p.page, sample.at, sample.zoom);
    const drawn = await rendered(p.page, await styleLayersOf(p.page, id));
    expect(drawn.some((f) => f.id === sample.id), `feature ${sample.id} of ${id} at z${sample.zoom}`).toBe(true);
    expect(p.errors).toEqual([]);
  });

  it('draws clusters with their counts below the cluster zoom', async () => {
    await jumpTo(p.page, await busiest(), 12);
    const clusters = await rendered(p.page, ['incidents-clusters']);
    expect(clusters.length).toBeGreaterThan(0);
    expect(clusters.every((c) => Number(c.properties.point_count) > 1)).toBe(true);
    // Clusters of different layers at one place are drawn side by side, their counts apart.
    const offsets = await p.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      return map.getStyle().layers.filter((l) => l.id.endsWith('-clusters'))
        .map((l) => [l.id, map.getPaintProperty(l.id, 'circle-translate'), map.getPaintProperty(l.id.replace(/-clusters$/, '-cluster-counts'), 'text-translate')] as const);
    }) as (readonly [string, [number, number], [number, number]])[];
    expect(offsets.map(([id]) => id).sort()).toEqual(['cameras-clusters', 'incidents-clusters', 'key-places-clusters']);
    for (const [, circle, count] of offsets) expect(count).toEqual(circle);
    // Every count is drawn over every layer's cluster circles.
    const order = await p.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getStyle().layers.map((l) => l.id));
    const lastCircle = Math.max(...order.map((id, i) => (id.endsWith('-clusters') ? i : -1)));
    const firstCount = Math.min(...order.map((id, i) => (id.endsWith('-cluster-counts') ? i : Infinity)));
    expect(firstCount).toBeGreaterThan(lastCircle);
    for (let i = 0; i < offsets.length; i++) {
      for (let j = i + 1; j < offsets.length; j++) {
        const [a, b] = [offsets[i]![1], offsets[j]![1]];
        expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeGreaterThan(20);
      }
    }
  });

  it('shows in the legend the colours the map draws with', async () => {
    for (const [layer, styleLayer, paint] of [['cameras', 'cameras', 'circle-color'], ['incidents', 'incidents', 'circle-color'],
      ['watch-blocks', 'watch-blocks-fill', 'fill-color']] as const) {
      const painted = await p.page.evaluate(([l, prop]) => (window as unknown as { emap: { map: import('maplibre-gl').Map } })
        .emap.map.getPaintProperty(l, prop) as unknown[], [styleLayer, paint] as const);
      // Values told by shape too (a camera 離線 drawn hollow) wrap the colours in a case.
      const expression = painted[0] === 'case' ? painted[painted.length - 1] as unknown[] : painted;
      const styleColours = new Map<string, string>();
      for (let i = 2; i < expression.length - 1; i += 2) styleColours.set(String(expression[i]), String(expression[i + 1]));
      // A hollow swatch carries its colour in its ring, as the map does.
      const legend = await p.page.$$eval(`.layer-row[data-layer="${layer}"] .legend:first-of-type li`, (items) => items.map((li) => {
        const swatch = li.querySelector('.swatch')!;
        const css = getComputedStyle(swatch);
        return { value: (li as HTMLElement).dataset.value, colour: swatch.classList.contains('hollow') ? css.borderTopColor : css.backgroundColor };
      }));
      expect(legend.length, layer).toBe(styleColours.size);
      for (const { value, colour } of legend) {
        const hex = styleColours.get(value!)!;
        const rgb = `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
        expect(colour, `${layer} ${value}`).toBe(rgb);
      }
    }
  });

  it('tells a camera 故障 by a ✕ and 離線 by a hollow ring, on the map and in the legend', async () => {
    const legend = p.page.locator('.layer-row[data-layer="cameras"] .legend:first-of-type');
    expect(await legend.locator('li[data-value="broken"] .swatch.cross').innerText()).toBe('✕');
    expect(await legend.locator('li[data-value="offline"] .swatch.hollow').count()).toBe(1);
    expect(await legend.locator('li[data-value="working"] .swatch.cross, li[data-value="working"] .swatch.hollow').count()).toBe(0);
    for (const [status, layer] of [['broken', 'cameras-cross'], ['offline', 'cameras-hollow']] as const) {
      const { rows: [cam] } = await w.db.query<{ id: number; x: number; y: number }>(
        `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE status = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`, [status]);
      await jumpTo(p.page, [cam!.x, cam!.y], 17);
      const marked = await rendered(p.page, [layer]);
      expect(marked.some((f) => f.id === cam!.id), `${status} camera ${cam!.id} in ${layer}`).toBe(true);
      expect(marked.every((f) => f.properties.status === status)).toBe(true);
    }
  });

  it('switches a layer off and on, and the heat map on', async () => {
    const camera = await sampleOf(TILED.find((l) => l.id === 'cameras')!);
    await jumpTo(p.page, camera.at, 16);
    expect((await rendered(p.page, ['cameras'])).length).toBeGreaterThan(0);
    await p.page.click('.layer-row[data-layer="cameras"] input[type=checkbox]');
    await mapIdle(p.page);
    expect(await rendered(p.page, ['cameras'])).toEqual([]);
    await p.page.click('.layer-row[data-layer="cameras"] input[type=checkbox]');
    await mapIdle(p.page);
    expect((await rendered(p.page, ['cameras'])).length).toBeGreaterThan(0);

    // The heat map is drawn into the canvas: the picture changes when it is switched on.
    await jumpTo(p.page, await busiest(), 12);
    const before = await p.page.locator('.map canvas').screenshot();
    await p.page.click('.layer-row[data-layer="incidents-heat"] input[type=checkbox]');
    await mapIdle(p.page);
    const after = await p.page.locator('.map canvas').screenshot();
    expect(after.equals(before)).toBe(false);
    expect(await p.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getLayoutProperty('incidents-heat', 'visibility'))).toBe('visible');
    await p.page.click('.layer-row[data-layer="incidents-heat"] input[type=checkbox]');
    expect(p.errors).toEqual([]);
  });
});

describe('filters and search (admin)', () => {
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'admin'); });
  afterAll(async () => { await p?.context.close(); });

  it('filters incidents by type on the server: the tiles asked for carry the filter, and only that type is drawn', async () => {
    const { rows } = await w.db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM incidents WHERE type = 'drugs' ORDER BY id LIMIT 1`);
    await jumpTo(p.page, [rows[0]!.x, rows[0]!.y], 16);
    const before = await rendered(p.page, ['incidents']);
    expect(new Set(before.map((f) => f.properties.type)).size).toBeGreaterThan(1);
    await p.page.click('.filter-group[data-layer="incidents"] summary');
    await p.page.check('.filter-group[data-layer="incidents"] fieldset[data-property="type"] input[value="drugs"]');
    await p.page.waitForRequest((r) => r.url().includes('incidents.type=drugs'));
    await mapIdle(p.page);
    const after = await rendered(p.page, ['incidents']);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((f) => f.properties.type === 'drugs')).toBe(true);
    // Unticked again, every type is back.
    await p.page.uncheck('.filter-group[data-layer="incidents"] fieldset[data-property="type"] input[value="drugs"]');
    await p.page.waitForRequest((r) => r.url().includes('/tiles/') && !r.url().includes('incidents.type'));
    await mapIdle(p.page);
    expect(new Set((await rendered(p.page, ['incidents'])).map((f) => f.properties.type)).size).toBeGreaterThan(1);
  });

  it('filters by hour of day across midnight: every incident drawn happened between 22:00 and 02:59 Taiwan time', async () => {
    const { rows } = await w.db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM incidents
      WHERE EXTRACT(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei') = 23 ORDER BY id LIMIT 1`);
    await jumpTo(p.page, [rows[0]!.x, rows[0]!.y], 16);
    await p.page.selectOption('.filter-group[data-layer="incidents"] select[name=fromHour]', '22');
    await p.page.selectOption('.filter-group[data-layer="incidents"] select[name=toHour]', '2');
    await p.page.waitForRequest((r) => r.url().includes('incidents.hour=22-2'));
    await mapIdle(p.page);
    const drawn = await rendered(p.page, ['incidents']);
    expect(drawn.length).toBeGreaterThan(0);
    // Tiles write times in Taiwan time with their offset, e.g. 2026-03-01T23:10:00+08.
    expect(drawn.every((f) => String(f.properties.occurred_at).endsWith('+08'))).toBe(true);
    const hours = drawn.map((f) => Number(String(f.properties.occurred_at).slice(11, 13)));
    expect(hours.every((h) => [22, 23, 0, 1, 2].includes(h)), hours.join(',')).toBe(true);
  });

  it('finds a beat by its code and moves the map to it', async () => {
    const { rows } = await w.db.query<{ code: string; x: number; y: number }>(
      `SELECT code, ST_X(ST_Centroid(geom)) x, ST_Y(ST_Centroid(geom)) y FROM beats ORDER BY code DESC LIMIT 1`);
    const beat = rows[0]!;
    await p.page.fill('.search-box input', beat.code);
    await p.page.click(`.search-results button:has-text("${beat.code}")`);
    await p.page.waitForTimeout(900);
    await mapIdle(p.page);
    const centre = await p.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getCenter().toArray());
    // The beat's box is a few hundred metres across: the map is centred on it.
    expect(Math.abs(centre[0]! - beat.x)).toBeLessThan(0.01);
    expect(Math.abs(centre[1]! - beat.y)).toBeLessThan(0.01);
    expect(p.errors).toEqual([]);
  });
});

describe('popups', () => {

  it('opens a popup with the details the role may read: a public camera shows no contact', async () => {
    const { rows } = await w.db.query<{ id: number; name: string; x: number; y: number }>(
      `SELECT id::int AS id, name, ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE is_public AND contact IS NOT NULL ORDER BY id LIMIT 1`);
    const cam = rows[0]!;
    for (const [as, seesContact] of [['public', false], ['admin', true]] as const) {
      const p = await w.open('/', as);
      // Only cameras stay switched on, so the click lands on the camera.
      await showOnly(p.page, ['cameras', 'beats']);
      await jumpTo(p.page, [cam.x, cam.y], 18);
      const at = await pixelOf(p.page, [cam.x, cam.y]);
      await p.page.mouse.click(at.x, at.y);
      const popup = p.page.locator('.feature-popup');
      await popup.locator('table').waitFor();
      expect(await popup.locator('h3').textContent()).toContain(cam.name);
      expect(await popup.locator('th', { hasText: '聯絡人' }).count()).toBe(seesContact ? 1 : 0);
      expect(p.errors).toEqual([]);
      await p.context.close();
    }
  });
});

describe('on a phone', () => {
  it('keeps the controls apart and opens the layer panel as a sheet', async () => {
    const p = await w.open('/', 'planner', { width: 390, height: 844 });
    const box = async (sel: string) => (await p.page.locator(sel).first().boundingBox())!;
    const boxes = {
      header: await box('.app-header'), zoom: await box('.maplibregl-ctrl-top-right'), toggle: await box('.panel-toggle'),
      scale: await box('.maplibregl-ctrl-scale'),
    };
    const overlap = (a: typeof boxes.header, b: typeof boxes.header) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const names = Object.keys(boxes) as (keyof typeof boxes)[];
    for (const a of names) for (const b of names) if (a < b) expect(overlap(boxes[a], boxes[b]), `${a} and ${b}`).toBe(false);
    for (const b of Object.values(boxes)) expect(b.x + b.width).toBeLessThanOrEqual(390);
    // The panel is closed at first, and opens within the screen.
    expect((await box('.side-panel')).y).toBeGreaterThanOrEqual(844);
    await p.page.click('.panel-toggle');
    await p.page.waitForTimeout(400);
    const panel = await box('.side-panel');
    expect(panel.y).toBeLessThan(844);
    expect(panel.y + panel.height).toBeLessThanOrEqual(845);
    expect(await p.page.locator('.layer-list .layer-row').count()).toBeGreaterThan(3);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
