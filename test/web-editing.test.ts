import { area, destination, polygon } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, jumpTo, mapIdle, openWebWorld, pixelOf, rendered, showOnly, type WebPage, type WebWorld } from './support/browser.js';

/**
 * A planner's edits in the browser: drawing a watch block and finding it after a reload, a shape
 * the server refuses (with the reason shown by the shape), a stale edit (412) explained with an
 * offer to reload, deleting, and turning a camera by dragging its direction handle.
 */
let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(); });
afterAll(async () => { await w?.close(); });

type LonLat = [number, number];
const square = (c: LonLat, d: number): LonLat[] => [[c[0] - d, c[1] - d], [c[0] + d, c[1] - d], [c[0] + d, c[1] + d], [c[0] - d, c[1] + d]];

/** A spot deep inside the planner's precinct (P01) with no watch block within 150 m. */
async function freeSpot(seed: number): Promise<LonLat> {
  const { rows } = await w.db.query<{ x: number; y: number }>(
    `SELECT ST_X(c.p) AS x, ST_Y(c.p) AS y
       FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(geom::geography, -200)::geometry, 60, $1))).geom AS p FROM precincts WHERE code = 'P01') c
      WHERE NOT EXISTS (SELECT 1 FROM watch_blocks b WHERE b.deleted_at IS NULL AND ST_DWithin(b.geom::geography, c.p::geography, 150))
      LIMIT 1`, [seed]);
  return [rows[0]!.x, rows[0]!.y];
}

/** Leaves only these layers switched on, so a click lands where the test means it to. */
const only = (p: WebPage, keep: string[]) => showOnly(p.page, keep);

/**
 * Waits for an edit panel's element; if it never comes, fails with what the page asked for and
 * what went wrong, so a run that cannot be repeated by hand still says why.
 */
async function panelOrExplain(p: WebPage, selector: string): Promise<void> {
  try {
    await p.page.locator(selector).waitFor({ timeout: 60_000 });
  } catch (err) {
    const session = await p.page.locator('.edit-session').evaluate((el) => `${(el as HTMLElement).hidden ? 'hidden' : 'shown'}: ${el.innerHTML.slice(0, 200)}`);
    throw new Error(`${selector} did not appear (${String(err)}); session ${session}; errors ${JSON.stringify(p.errors)}; last requests ${JSON.stringify(p.requests.slice(-8))}`);
  }
}

/** Clicks the corners of a polygon on the map, then the first again to close it, once the panel says to. */
async function drawPolygon(p: WebPage, corners: LonLat[]): Promise<void> {
  await p.page.locator('.edit-session .hint', { hasText: '逐點點選' }).waitFor();
  for (const c of [...corners, corners[0]!]) {
    const at = await pixelOf(p.page, c);
    await p.page.mouse.click(at.x, at.y);
    await p.page.waitForTimeout(120);
  }
}

async function fill(p: WebPage, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const field = p.page.locator(`.edit-session [name="${name}"]`);
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
}

const blockNamed = async (name: string) => (await w.db.query<{ id: number; m2: number; created_by: string; version: number }>(
  `SELECT id::int AS id, ST_Area(ST_Transform(geom, 3826)) AS m2, created_by, version FROM watch_blocks WHERE name = $1`, [name])).rows;

// Turning a camera comes first. In full PGlite runs its panel sometimes did not open within 30 s
// (also once when it already came first, with other browser tests beside it): the cause is not
// known, so the test waits longer and, if the panel never comes, says what the page saw.
describe('turning a camera', () => {
  // A longer limit than the default: under load in full PGlite runs the panel has been slow (see above).
  it('follows the dragged handle with its sector and saves the new azimuth', { timeout: 120_000 }, async () => {
    const { rows } = await w.db.query<{ id: number; x: number; y: number; azimuth: number; range_m: number; fov: number }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y, azimuth, range_m, fov FROM cameras
        WHERE precinct_code = 'P01' AND adjustable AND fov < 180 AND range_m >= 30 ORDER BY id LIMIT 1`);
    const cam = rows[0]!;
    const at: LonLat = [cam.x, cam.y];
    const p = await w.open('/', 'planner');
    await only(p, ['cameras']);
    await jumpTo(p.page, at, 18);
    const px = await pixelOf(p.page, at);
    await p.page.mouse.click(px.x, px.y);
    await p.page.locator('.feature-popup .feature-details').waitFor();
    await p.page.locator('.feature-popup button[data-action="aim"]').click();
    await panelOrExplain(p, '.edit-session input[name="azimuth"]');
    await p.page.waitForTimeout(600);
    await mapIdle(p.page);
    expect((await rendered(p.page, ['camera-aim-sector'])).length).toBeGreaterThan(0);

    const target = (cam.azimuth + 90) % 360;
    const tip = destination(at, cam.range_m / 1000, cam.azimuth).geometry.coordinates as LonLat;
    const to = destination(at, cam.range_m / 1000, target).geometry.coordinates as LonLat;
    const from = await pixelOf(p.page, tip);
    const end = await pixelOf(p.page, to);
    await p.page.mouse.move(from.x, from.y);
    await p.page.mouse.down();
    // Round the arc, as a hand would.
    for (let i = 1; i <= 12; i++) {
      const step = destination(at, cam.range_m / 1000, cam.azimuth + (90 * i) / 12).geometry.coordinates as LonLat;
      const q = i === 12 ? end : await pixelOf(p.page, step);
      await p.page.mouse.move(q.x, q.y);
    }
    await p.page.mouse.up();
    const shown = Number(await p.page.inputValue('.edit-session input[name="azimuth"]'));
    const diff = (a: number, b: number) => Math.abs(((a - b + 540) % 360) - 180);
    expect(diff(shown, target)).toBeLessThan(2);
    // The handle and the sector moved with the pointer: drawn now at the new bearing, not the old.
    await mapIdle(p.page);
    const drawnAt = (q: { x: number; y: number }, layer: string) => p.page.evaluate(([x, y, l]) => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      const r = map.getCanvas().getBoundingClientRect();
      return map.queryRenderedFeatures([(x as number) - r.left, (y as number) - r.top], { layers: [l as string] }).length;
    }, [q.x, q.y, layer] as const);
    expect(await drawnAt(end, 'camera-aim-handle')).toBeGreaterThan(0);
    expect(await drawnAt(from, 'camera-aim-handle')).toBe(0);
    const midNew = await pixelOf(p.page, destination(at, cam.range_m / 2000, target).geometry.coordinates as LonLat);
    const midOld = await pixelOf(p.page, destination(at, cam.range_m / 2000, cam.azimuth).geometry.coordinates as LonLat);
    expect(await drawnAt(midNew, 'camera-aim-sector')).toBeGreaterThan(0);
    expect(await drawnAt(midOld, 'camera-aim-sector')).toBe(0);
    await p.page.click('.edit-session button.primary');
    await p.page.locator('.notice', { hasText: '方位角改為' }).waitFor();
    const saved = (await w.db.query<{ azimuth: number; version: number }>('SELECT azimuth, version FROM cameras WHERE id = $1', [cam.id])).rows[0]!;
    expect(diff(saved.azimuth, target)).toBeLessThan(2);
    expect(saved.azimuth).toBe(shown);
    expect(saved.version).toBe(2);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('drawing a watch block', () => {
  // One planner's page for the block: each test ends with its drawing saved or cancelled.
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'planner'); });
  afterAll(async () => { await p?.context.close(); });

  it('draws, checks, saves, and shows the block after a reload', async () => {
    const centre = await freeSpot(1);
    const corners = square(centre, 0.0004);
    const expectedM2 = area(polygon([[...corners, corners[0]!]]));
    await jumpTo(p.page, centre, 17);
    await p.page.click('button[data-create="watch-blocks"]');
    // A corner tapped by mistake: 刪除上一點 takes it back, 重做 puts it again, 刪除上一點 once more.
    const stray = await pixelOf(p.page, [centre[0] + 0.0009, centre[1] + 0.0009]);
    const count = p.page.locator('.edit-session [aria-live]');
    await count.filter({ hasText: '已點 0 點' }).waitFor();
    for (const c of corners) {
      const at = await pixelOf(p.page, c);
      await p.page.mouse.click(at.x, at.y);
    }
    await p.page.mouse.click(stray.x, stray.y);
    await count.filter({ hasText: '已點 5 點' }).waitFor();
    await p.page.click('[data-draw="undo"]');
    await count.filter({ hasText: '已點 4 點' }).waitFor();
    await p.page.click('[data-draw="redo"]');
    await count.filter({ hasText: '已點 5 點' }).waitFor();
    await p.page.click('[data-draw="undo"]');
    expect(await p.page.locator('[data-draw="redo"]').isEnabled()).toBe(true);
    await p.page.click('[data-draw="finish"]');
    await p.page.locator('.edit-session .feature-form').waitFor();
    // The checks before saving: its area, no overlap, and all of it inside the precinct.
    const shownArea = async () => Number(/面積 ([\d,]+) 平方公尺/.exec(await p.page.locator('.shape-checks', { hasText: '面積' }).innerText())![1]!.replace(/,/g, ''));
    expect(Math.abs(await shownArea() - expectedM2) / expectedM2).toBeLessThan(0.01);
    // Dragging a corner out grows the block; 復原 puts the drawn shape back, 重做 the dragged one.
    const from = await pixelOf(p.page, corners[2]!);
    await p.page.mouse.move(from.x, from.y);
    await p.page.mouse.down();
    await p.page.mouse.move(from.x + 40, from.y - 40, { steps: 8 });
    await p.page.mouse.up();
    await expect.poll(shownArea, { timeout: 10_000 }).toBeGreaterThan(expectedM2 * 1.1);
    const grown = await shownArea();
    await p.page.click('[data-draw="undo"]');
    await expect.poll(shownArea, { timeout: 10_000 }).toBeLessThan(expectedM2 * 1.01);
    await p.page.click('[data-draw="redo"]');
    await expect.poll(shownArea, { timeout: 10_000 }).toBe(grown);
    await p.page.click('[data-draw="undo"]');
    await expect.poll(shownArea, { timeout: 10_000 }).toBeLessThan(expectedM2 * 1.01);
    const checks = await p.page.locator('.shape-checks', { hasText: '面積' }).innerText();
    expect(checks).toContain('未與其他治安區塊重疊');
    expect(checks).toContain('全部位於你的分局轄區內');
    // Each field says its limit, as the registry (and the server) has it.
    expect(await p.page.locator('.edit-session .field[data-property="patrol_hours"] .field-limit').innerText()).toBe('上限 120 字');
    await fill(p, { name: '測試繪製區塊', adopter: '測試國小', adopter_kind: 'school', patrol_hours: '19:00-22:00' });
    await p.page.click('.edit-session button.primary');
    await p.page.locator('.notice', { hasText: '已儲存治安區塊「測試繪製區塊」' }).waitFor();

    const [saved] = await blockNamed('測試繪製區塊');
    expect(saved).toBeDefined();
    // The stored shape is the one drawn, measured in TWD97 by the database.
    expect(Math.abs(saved!.m2 - expectedM2) / expectedM2).toBeLessThan(0.02);
    expect(saved!.created_by).toBe('planner');

    await p.page.reload();
    await p.page.waitForSelector('body[data-ready="true"]');
    await jumpTo(p.page, centre, 17);
    const drawn = await rendered(p.page, ['watch-blocks-fill']);
    expect(drawn.map((f) => f.id)).toContain(saved!.id);
    expect(p.errors).toEqual([]);
  });

  it('shows how much a new shape overlaps a neighbouring block, in square metres, and where', async () => {
    const centre = await freeSpot(5);
    const d = 0.0003;
    const ring = (c: LonLat) => [...square(c, d), square(c, d)[0]!];
    const res = await p.context.request.post(`${w.baseUrl}/api/layers/watch-blocks/features`, {
      data: { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring(centre)] }, properties: { name: '鄰近區塊', adopter: '商店', adopter_kind: 'shop' } },
    });
    expect(res.status()).toBe(201);
    // A square shifted east by half its width: they share a d × 2d strip.
    const shifted: LonLat = [centre[0] + d, centre[1]];
    const shared = area(polygon([[[centre[0], centre[1] - d], [centre[0] + d, centre[1] - d], [centre[0] + d, centre[1] + d], [centre[0], centre[1] + d], [centre[0], centre[1] - d]]]));
    await jumpTo(p.page, centre, 17);
    await p.page.click('button[data-create="watch-blocks"]');
    await drawPolygon(p, square(shifted, d));
    await p.page.locator('.edit-session .feature-form').waitFor();
    const warning = await p.page.locator('.shape-checks .warning', { hasText: '重疊' }).innerText();
    expect(warning).toContain('與 1 個治安區塊重疊');
    const shownM2 = Number(/「鄰近區塊」([\d,]+) 平方公尺/.exec(warning)![1]!.replace(/,/g, ''));
    expect(Math.abs(shownM2 - shared) / shared).toBeLessThan(0.02);
    // The overlap is drawn on the map, over the shared strip.
    await mapIdle(p.page);
    const strip = await pixelOf(p.page, [centre[0] + d / 2, centre[1]]);
    const hit = await p.page.evaluate(([x, y]) => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      const r = map.getCanvas().getBoundingClientRect();
      return map.queryRenderedFeatures([(x as number) - r.left, (y as number) - r.top], { layers: ['edit-checks-fill'] }).length;
    }, [strip.x, strip.y] as const);
    expect(hit).toBeGreaterThan(0);
    await p.page.click('.edit-session [data-draw="cancel"]');
  });

  it('shows the part outside the precinct, and the server refusal next to the shape', async () => {
    const { rows } = await w.db.query<{ x: number; y: number }>(
      `SELECT ST_X(pt) x, ST_Y(pt) y FROM (SELECT ST_PointOnSurface(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) pt
         FROM precincts a, precincts b WHERE a.code = 'P01' AND b.code <> 'P01' AND ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) > 0
        ORDER BY b.code LIMIT 1) s`);
    const edge: LonLat = [rows[0]!.x, rows[0]!.y];
    await jumpTo(p.page, edge, 17);
    await p.page.click('button[data-create="watch-blocks"]');
    await drawPolygon(p, square(edge, 0.0005));
    await p.page.locator('.edit-session .feature-form').waitFor();
    const outside = await p.page.locator('.shape-checks .warning.outside').innerText();
    expect(outside).toMatch(/有 [\d,]+ 平方公尺超出你的分局轄區/);
    await fill(p, { name: '越區區塊', adopter: '某公司', adopter_kind: 'company' });
    await p.page.click('.edit-session button.primary');
    // The server's reason, in the panel and on the map by the shape.
    const refusal = p.page.locator('.edit-session p.form-error');
    await refusal.waitFor({ state: 'visible' });
    const message = await refusal.innerText();
    expect(message).toMatch(/圖形有 [\d,]+ 平方公尺超出你的分局（P01）轄區；請把圖形畫在轄區內。/);
    expect(await p.page.locator('.shape-error').innerText()).toContain(message);
    expect(await blockNamed('越區區塊')).toEqual([]);
    await p.page.click('.edit-session [data-draw="cancel"]');
    expect(p.errors.filter((e) => !/403/.test(e))).toEqual([]);
  });
});

describe('editing and deleting a block', () => {
  // Three blocks made through the API before the planner's page opens, which then edits them in turn.
  let p: WebPage;
  const blocks: Record<string, { id: number; centre: LonLat }> = {};
  beforeAll(async () => {
    const context = await w.browser.newContext();
    await context.request.post(`${w.baseUrl}/api/login`, { data: { username: 'planner', password: DEMO_PASSWORD } });
    for (const [name, seed] of [['衝突測試區塊', 2], ['拖曳頂點區塊', 3], ['待刪除區塊', 4]] as const) {
      const centre = await freeSpot(seed);
      const ring = [...square(centre, 0.0003), square(centre, 0.0003)[0]!];
      const res = await context.request.post(`${w.baseUrl}/api/layers/watch-blocks/features`, {
        data: { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { name, adopter: '里辦公處', adopter_kind: 'community' } },
      });
      expect(res.status()).toBe(201);
      blocks[name] = { id: ((await res.json()) as { id: number }).id, centre };
    }
    await context.close();
    p = await w.open('/', 'planner');
    await only(p, ['watch-blocks']);
  });
  afterAll(async () => { await p?.context.close(); });

  async function openFromMap(centre: LonLat, action: string): Promise<void> {
    await jumpTo(p.page, centre, 17);
    const at = await pixelOf(p.page, centre);
    await p.page.mouse.click(at.x, at.y);
    await p.page.locator(`.feature-popup button[data-action="${action}"]`).click();
  }

  it('explains a stale edit (412) and reloads the current version', async () => {
    const { id, centre } = blocks['衝突測試區塊']!;
    await openFromMap(centre, 'edit-shape');
    await p.page.locator('.edit-session .feature-form').waitFor();
    // Someone else renames it meanwhile.
    const current = await p.context.request.get(`${w.baseUrl}/api/layers/watch-blocks/features/${id}`);
    await p.context.request.patch(`${w.baseUrl}/api/layers/watch-blocks/features/${id}`, {
      headers: { 'If-Match': current.headers().etag! }, data: { properties: { name: '他人改名區塊' } },
    });
    await fill(p, { patrol_hours: '全天' });
    await p.page.click('.edit-session button.primary');
    const dialog = p.page.locator('.conflict-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/已被其他人修改（你讀到的是第 1 版，目前是第 2 版）/);
    const { rows } = await w.db.query<{ patrol_hours: string | null; version: number }>('SELECT patrol_hours, version FROM watch_blocks WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ patrol_hours: null, version: 2 });
    await dialog.locator('button.primary').click();
    // The form comes back with the current version's values.
    await p.page.waitForFunction(() => (document.querySelector('.edit-session input[name="name"]') as HTMLInputElement | null)?.value === '他人改名區塊');
    // Applied again on the current version, it saves.
    await fill(p, { patrol_hours: '全天' });
    await p.page.click('.edit-session button.primary');
    await p.page.locator('.notice', { hasText: '已儲存治安區塊「他人改名區塊」' }).waitFor();
    const after = await w.db.query<{ patrol_hours: string; version: number }>('SELECT patrol_hours, version FROM watch_blocks WHERE id = $1', [id]);
    expect(after.rows[0]).toEqual({ patrol_hours: '全天', version: 3 });
  });

  it('reshapes a block by dragging a corner', async () => {
    const { id, centre } = blocks['拖曳頂點區塊']!;
    const before = (await w.db.query<{ m2: number }>('SELECT ST_Area(ST_Transform(geom, 3826)) m2 FROM watch_blocks WHERE id = $1', [id])).rows[0]!.m2;
    await openFromMap(centre, 'edit-shape');
    await p.page.locator('.edit-session .feature-form').waitFor();
    await mapIdle(p.page);
    // Drag the north-east corner further out: the block grows.
    const corner = await pixelOf(p.page, [centre[0] + 0.0003, centre[1] + 0.0003]);
    const target = await pixelOf(p.page, [centre[0] + 0.0006, centre[1] + 0.0006]);
    await p.page.mouse.move(corner.x, corner.y);
    await p.page.mouse.down();
    for (let i = 1; i <= 8; i++) await p.page.mouse.move(corner.x + ((target.x - corner.x) * i) / 8, corner.y + ((target.y - corner.y) * i) / 8);
    await p.page.mouse.up();
    await p.page.click('.edit-session button.primary');
    await p.page.locator('.notice', { hasText: '已儲存治安區塊「拖曳頂點區塊」' }).waitFor();
    const after = (await w.db.query<{ m2: number; version: number }>('SELECT ST_Area(ST_Transform(geom, 3826)) m2, version FROM watch_blocks WHERE id = $1', [id])).rows[0]!;
    expect(after.version).toBe(2);
    // A corner moved out by as much again adds two triangles of a quarter of the square each.
    expect(after.m2 / before).toBeGreaterThan(1.3);
    expect(after.m2 / before).toBeLessThan(1.7);
  });

  it('deletes a block after asking, keeping its history', async () => {
    const { id, centre } = blocks['待刪除區塊']!;
    p.page.once('dialog', (d) => void d.accept());
    await openFromMap(centre, 'delete');
    await p.page.locator('.notice', { hasText: '已刪除「待刪除區塊」' }).waitFor();
    const { rows } = await w.db.query<{ deleted_by: string; actions: string[] }>(
      `SELECT deleted_by, (SELECT array_agg(action ORDER BY id) FROM feature_history WHERE layer_table = 'watch_blocks' AND feature_id = $1) AS actions
         FROM watch_blocks WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ deleted_by: 'planner', actions: ['create', 'delete'] });
    expect(p.errors.filter((e) => !/412/.test(e))).toEqual([]);
  });
});

describe('an officer on the map', () => {
  it('reports a camera out of order from its popup, and may change nothing else', async () => {
    const { rows } = await w.db.query<{ id: number; x: number; y: number }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE precinct_code = 'P01' AND status = 'working' ORDER BY id DESC LIMIT 1`);
    const cam = rows[0]!;
    const p = await w.open('/', 'officer');
    await only(p, ['cameras']);
    await jumpTo(p.page, [cam.x, cam.y], 18);
    const px = await pixelOf(p.page, [cam.x, cam.y]);
    await p.page.mouse.click(px.x, px.y);
    // The officer's only action on a camera is its status: no turning, no other field.
    expect(await p.page.locator('.feature-popup button[data-action="aim"]').count()).toBe(0);
    await p.page.locator('.feature-popup button[data-action="edit"]', { hasText: '回報狀態' }).click();
    // The form is built once the camera has been read.
    await p.page.locator('.edit-session .field').first().waitFor();
    const fields = await p.page.$$eval('.edit-session .field', (fs) => fs.map((f) => (f as HTMLElement).dataset.property));
    expect(fields).toEqual(['status']);
    await p.page.selectOption('.edit-session select[name=status]', 'broken');
    await p.page.click('.edit-session button.primary');
    await p.page.locator('.notice', { hasText: '已儲存' }).waitFor();
    const { rows: after } = await w.db.query<{ status: string; updated_by: string }>('SELECT status, updated_by FROM cameras WHERE id = $1', [cam.id]);
    expect(after[0]).toEqual({ status: 'broken', updated_by: 'officer' });
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('the history of a feature', () => {
  it('says who changed what and when, and a planner steps back from one change alone, as a new version', async () => {
    const { rows: [cam] } = await w.db.query<{ id: number; x: number; y: number; name: string; version: number }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y, name, version FROM cameras
        WHERE precinct_code = 'P01' AND status = 'working' AND deleted_at IS NULL ORDER BY id DESC OFFSET 5 LIMIT 1`);
    const p = await w.open('/', 'planner');
    // Two changes by the planner (through the API, as the page would): a new name, then a status.
    const patch = (version: number, properties: object) => p.page.evaluate(async ([id, v, props]) => (await fetch(`/api/layers/cameras/features/${id}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json', 'If-Match': `"${v}"` }, body: JSON.stringify({ properties: props }),
    })).status, [cam!.id, version, properties] as const);
    expect(await patch(cam!.version, { name: '改名測試監視器' })).toBe(200);
    expect(await patch(cam!.version + 1, { status: 'broken' })).toBe(200);
    await only(p, ['cameras']);
    await jumpTo(p.page, [cam!.x, cam!.y], 18);
    const at = await pixelOf(p.page, [cam!.x, cam!.y]);
    await p.page.mouse.click(at.x, at.y);
    await p.page.locator('.feature-popup button[data-action="history"]').click();
    const entry = (version: number) => p.page.locator(`.edit-session .history-entry[data-version="${version}"]`);
    await entry(cam!.version + 2).waitFor();
    // Newest first, each with who and what.
    expect(await p.page.locator('.edit-session .history-entry').first().getAttribute('data-version')).toBe(String(cam!.version + 2));
    expect(await entry(cam!.version + 2).innerText()).toContain('狀態：正常 → 故障');
    const renamed = await entry(cam!.version + 1).innerText();
    expect(renamed).toContain(`第 ${cam!.version + 1} 版・修改`);
    expect(renamed).toContain('planner');
    expect(renamed).toContain(`名稱：${cam!.name} → 改名測試監視器`);
    // Stepping back from the rename undoes the rename only: the later status stays.
    await entry(cam!.version + 1).locator('[data-restore]').click();
    await p.page.locator('.notice', { hasText: `還原為第 ${cam!.version + 1} 版修改前的內容` }).waitFor();
    const { rows: [after] } = await w.db.query<{ name: string; status: string; version: number; updated_by: string }>(
      'SELECT name, status, version, updated_by FROM cameras WHERE id = $1', [cam!.id]);
    expect(after).toEqual({ name: cam!.name, status: 'broken', version: cam!.version + 3, updated_by: 'planner' });
    const { rows: kept } = await w.db.query<{ action: string }>(
      `SELECT action FROM feature_history WHERE layer_table = 'cameras' AND feature_id = $1 AND action = 'update' ORDER BY id`, [cam!.id]);
    expect(kept.length).toBe(3);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
