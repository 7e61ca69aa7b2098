import { destination } from '@turf/turf';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { DEMO_OFFICER_BEAT } from '../server/demo/city/generate.js';
import { pointToken } from '../server/patrol/qr.js';
import { jumpTo, mapIdle, openWebWorld, pixelOf, showOnly, styleLayersOf, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The phone (issue 15), first the officer's before patrol: the map opens on their beat, outlined, with the
 * last 30 days of incidents and the key places on top in a shape of their own; a camera's status
 * and a key place's visit are recorded one-handed, with the form and the outcome on screen; units
 * are named, never coded; the header is one line with a menu; MapLibre speaks Chinese. Then a
 * planner turning a camera close in, who must not be stranded.
 */
const PHONE = { width: 390, height: 844 };
let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(); });
afterAll(async () => { await w?.close(); });

/** Whether an element is on screen and not covered: the topmost element at its centre is it or inside it. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) return false;
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return top !== null && (el === top || el.contains(top));
  });
}

/** Leaves only these layers on, through the phone's sheet, and closes it again. */
async function phoneShowOnly(p: WebPage, keep: string[]): Promise<void> {
  await p.page.locator('.panel-toggle').tap();
  await showOnly(p.page, keep);
  await p.page.locator('.sheet-close').tap();
  await p.page.waitForTimeout(300);
}

/** Taps a point of the map (after the sheet has settled). */
async function tapAt(p: WebPage, lonLat: [number, number]): Promise<void> {
  const at = await pixelOf(p.page, lonLat);
  await p.page.touchscreen.tap(at.x, at.y);
}

const beatBox = async () => (await w.db.query<{ w: number; s: number; e: number; n: number }>(
  `SELECT ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n FROM beats WHERE code = $1`, [DEMO_OFFICER_BEAT])).rows[0]!;

describe('the officer opens the map on a phone', () => {
  let p: WebPage;
  beforeAll(async () => { p = await w.open('/', 'officer', PHONE); });
  afterAll(async () => { await p?.context.close(); });

  it('on their beat, outlined, without first drawing the whole city', async () => {
    const box = await beatBox();
    const view = await p.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      const c = map.getCenter();
      return { lon: c.lng, lat: c.lat, zoom: map.getZoom(), outline: !!map.getLayer('my-area-outline') };
    });
    expect(view.lon).toBeGreaterThan(box.w);
    expect(view.lon).toBeLessThan(box.e);
    expect(view.lat).toBeGreaterThan(box.s);
    expect(view.lat).toBeLessThan(box.n);
    expect(view.outline).toBe(true);
    // No tile of the city's extent was asked for: the first view is the beat's.
    const zooms = p.requests.filter((u) => /\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt/.test(u)).map((u) => Number(/\/(\d+)\/\d+\/\d+\.mvt/.exec(u)![1]));
    expect(zooms.length).toBeGreaterThan(0);
    expect(Math.min(...zooms)).toBeGreaterThanOrEqual(Math.floor(view.zoom) - 1);
    expect(await onScreen(p.page, '.home-control .my-unit')).toBe(true);
    expect(await p.page.locator('.home-control .my-unit').innerText()).toBe('我的警勤區');
  });

  it('shows the incidents of the last 30 days, as the filter panel says', async () => {
    const since = new Date(Date.now() - 30 * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Taipei' });
    const tiles = p.requests.filter((u) => u.includes('.mvt'));
    expect(tiles.length).toBeGreaterThan(0);
    for (const u of tiles) expect(new URL(u).searchParams.get('incidents.datetime')).toBe(`${since}/..`);
    expect(await p.page.locator('.filter-group[data-layer="incidents"] input[name=from]').inputValue()).toBe(since);
    expect(await p.page.locator('.filter-group[data-layer="incidents"] .badge').innerText()).toBe('1');
    // What is drawn agrees: no incident older than the 30 days (the demo has years of them).
    const box = await beatBox();
    const { rows } = await w.db.query<{ older: number; recent: number }>(
      `SELECT count(*) FILTER (WHERE occurred_at < $5::date)::int AS older, count(*) FILTER (WHERE occurred_at >= $5::date)::int AS recent
         FROM incidents WHERE deleted_at IS NULL AND geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`, [box.w, box.s, box.e, box.n, since]);
    expect(rows[0]!.older).toBeGreaterThan(rows[0]!.recent);
    await jumpTo(p.page, [(box.w + box.e) / 2, (box.s + box.n) / 2], 15);
    const times = await p.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      return map.querySourceFeatures('emap', { sourceLayer: 'incidents' }).map((f) => f.properties.occurred_at as string | undefined);
    });
    expect(times.length).toBeGreaterThan(0);
    const cutoff = Date.parse(`${since}T00:00:00+08:00`);
    // PostgreSQL writes the offset as +08; Date.parse wants +08:00.
    const at = times.map((t) => Date.parse(String(t).replace(/([+-]\d\d)$/, '$1:00')));
    expect(at.every(Number.isFinite)).toBe(true);
    expect(at.filter((t) => t < cutoff)).toEqual([]);
  });

  it('draws key places above every other point, as squares (every other point is a disc)', async () => {
    const order = await p.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getLayersOrder());
    const keyPlaces = await styleLayersOf(p.page, 'key-places', 'points');
    const others = [...await styleLayersOf(p.page, 'incidents', 'points'), ...await styleLayersOf(p.page, 'cameras', 'points')];
    expect(keyPlaces.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(Math.min(...keyPlaces.map((id) => order.indexOf(id)))).toBeGreaterThan(Math.max(...others.map((id) => order.indexOf(id))));
    // The symbol (the legend draws the map's own): its corners are filled, as a disc's are not.
    const corners = await p.page.locator('.layer-row[data-layer="key-places"] img.swatch.icon').first().evaluate(async (img) => {
      const i = img as HTMLImageElement;
      await i.decode();
      const c = document.createElement('canvas');
      c.width = i.naturalWidth;
      c.height = i.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(i, 0, 0);
      const at = Math.round(i.naturalWidth * 0.12);
      return [g.getImageData(at, at, 1, 1).data[3], g.getImageData(c.width - at, c.height - at, 1, 1).data[3]];
    });
    expect(corners.every((alpha) => alpha! > 200)).toBe(true);
  });

  it('has a one-line header whose menu holds the pages, and controls a thumb can hit', async () => {
    const header = (await p.page.locator('.app-header').boundingBox())!;
    expect(header.height).toBeLessThanOrEqual(64);
    expect(await p.page.locator('nav.pages').isVisible()).toBe(false);
    await p.page.locator('.menu-toggle').tap();
    await p.page.locator('nav.pages a', { hasText: '勤前簡報' }).waitFor();
    for (const a of await p.page.locator('nav.pages a').all()) expect((await a.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await p.page.locator('.menu-toggle').tap();
    expect(await p.page.locator('nav.pages').isVisible()).toBe(false);
    for (const sel of ['.maplibregl-ctrl-zoom-in', '.maplibregl-ctrl-geolocate', '.menu-toggle', '.panel-toggle', '.home-control .my-unit']) {
      const b = (await p.page.locator(sel).boundingBox())!;
      expect(Math.min(b.width, b.height), sel).toBeGreaterThanOrEqual(44);
    }
  });

  it('keeps the map clear: the credits start folded behind their ⓘ, which opens them', async () => {
    const credits = p.page.locator('.maplibregl-ctrl-attrib');
    expect(await credits.evaluate((el) => el.classList.contains('maplibregl-compact-show'))).toBe(false);
    await p.page.locator('.maplibregl-ctrl-attrib-button').tap();
    expect(await credits.evaluate((el) => el.classList.contains('maplibregl-compact-show'))).toBe(true);
    expect(await credits.innerText()).toContain('內政部國土測繪中心');
  });

  it('offers the officer the analyses in plain words, the method\'s settings and back-test being the planners\'', async () => {
    const panel = p.page.locator('.panel-section.analysis');
    expect(await panel.locator('[data-analysis="hotspots"]').innerText()).toBe('熱點');
    expect(await panel.locator('[data-analysis="density"]').innerText()).toBe('案件密度');
    expect(await panel.locator('select[name=grid], input[name=cellSize], input[name=fdr], [data-analysis="backtest"]').count()).toBe(0);
    expect(await panel.innerText()).not.toMatch(/Gi\*|核密度|FDR|PAI/);
  });

  it('names MapLibre’s buttons in Chinese', async () => {
    expect(await p.page.locator('.maplibregl-ctrl-zoom-in').getAttribute('title')).toBe('放大');
    expect(await p.page.locator('.maplibregl-ctrl-geolocate').getAttribute('title')).toBe('我的位置');
    expect(p.errors).toEqual([]);
  });
});

describe('the officer works on a phone', () => {
  it('reports a camera out of order: the form opens on screen, and so does the outcome', async () => {
    const { rows: [cam] } = await w.db.query<{ id: number; x: number; y: number }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE beat_code = $1 AND status = 'working' AND deleted_at IS NULL
        ORDER BY id LIMIT 1`, [DEMO_OFFICER_BEAT]);
    const p = await w.open('/', 'officer', PHONE);
    await phoneShowOnly(p, ['cameras']);
    await jumpTo(p.page, [cam!.x, cam!.y], 18);
    await tapAt(p, [cam!.x, cam!.y]);
    await p.page.locator('.feature-popup button[data-action="edit"]', { hasText: '回報狀態' }).tap();
    await p.page.locator('.edit-session select[name=status]').waitFor();
    // The sheet slides up to its half state: the form is on screen once it has settled.
    await expect.poll(() => onScreen(p.page, '.edit-session select[name=status]'), { timeout: 10_000 }).toBe(true);
    expect(await onScreen(p.page, '.edit-session button.primary')).toBe(true);
    await p.page.selectOption('.edit-session select[name=status]', 'broken');
    await p.page.locator('.edit-session button.primary').tap();
    await p.page.locator('.map-notice', { hasText: '已儲存' }).waitFor();
    expect(await onScreen(p.page, '.map-notice')).toBe(true);
    const { rows } = await w.db.query<{ status: string; updated_by: string }>('SELECT status, updated_by FROM cameras WHERE id = $1', [cam!.id]);
    expect(rows[0]).toEqual({ status: 'broken', updated_by: 'officer' });
    // The sheet went back to how the officer left it: closed, the map whole.
    expect(await p.page.locator('.map-layout').getAttribute('data-sheet')).toBe('closed');
    expect(p.errors).toEqual([]);
    await p.context.close();
  });

  it('records a visit of a key place named by its beat and station, not their codes', async () => {
    const { rows: [place] } = await w.db.query<{ id: number; x: number; y: number; name: string; beat: string; station: string }>(
      `SELECT k.id::int AS id, ST_X(k.geom) x, ST_Y(k.geom) y, k.name, s.name || b.name AS beat, s.name AS station
         FROM key_places k JOIN beats b ON b.code = k.beat_code JOIN stations s ON s.code = k.station_code
        WHERE k.beat_code = $1 AND k.deleted_at IS NULL ORDER BY k.id LIMIT 1`, [DEMO_OFFICER_BEAT]);
    const before = (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM visits WHERE place_id = $1', [place!.id])).rows[0]!.n;
    const p = await w.open('/', 'officer', PHONE);
    await phoneShowOnly(p, ['key-places']);
    await jumpTo(p.page, [place!.x, place!.y], 17);
    await tapAt(p, [place!.x, place!.y]);
    const popup = p.page.locator('.feature-popup');
    await popup.locator('table').waitFor();
    expect(await popup.locator('h3').innerText()).toContain(place!.name);
    const row = (label: string) => popup.locator('tr', { has: p.page.locator('th', { hasText: new RegExp(`^${label}$`) }) }).locator('td').innerText();
    expect(await row('警勤區')).toBe(place!.beat);
    expect(await row('派出所')).toBe(place!.station);
    expect(await row('分局')).toBe('桃園分局');
    expect(await popup.innerText()).not.toMatch(/P\d{2}(S\d{2})?|[a-z]+_[a-z]+/);
    await popup.locator('button[data-action="visit"]').tap();
    // Between cells the save does not get through: the dialog says so and stays, nothing is written.
    await p.page.route('**/api/layers/visits/features', (r) => r.abort('internetdisconnected'), { times: 1 });
    await p.page.locator('.visit-dialog button[type=submit]').tap();
    await p.page.locator('.visit-dialog .form-error', { hasText: '無法連上伺服器，請確認網路連線後再試一次。' }).waitFor();
    expect((await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM visits WHERE place_id = $1', [place!.id])).rows[0]!.n).toBe(before);
    await p.page.locator('.visit-dialog button[type=submit]').tap();
    await p.page.locator('.map-notice', { hasText: '已紀錄查訪' }).waitFor();
    expect(await onScreen(p.page, '.map-notice')).toBe(true);
    const after = (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM visits WHERE place_id = $1', [place!.id])).rows[0]!.n;
    expect(after).toBe(before + 1);
    // The only error is the browser's own line for the request cut off on purpose.
    expect(p.errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
    await p.context.close();
  });

  it('signs in at a patrol point of the beat from its popup by the phone\'s position, is told why when too far, and by a QR code', async () => {
    const { rows: points } = await w.db.query<{ id: number; x: number; y: number; name: string }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y, name FROM patrol_points WHERE beat_code = $1 AND deleted_at IS NULL ORDER BY id`, [DEMO_OFFICER_BEAT]);
    expect(points.length).toBeGreaterThanOrEqual(3);
    const [first, second, third] = points as [typeof points[0], typeof points[0], typeof points[0]];
    const p = await w.open('/', 'officer', PHONE);
    await p.context.grantPermissions(['geolocation']);
    const standAt = async (pt: { x: number; y: number }, metresNorth: number) => {
      const [lon, lat] = destination([pt.x, pt.y], metresNorth / 1000, 0).geometry.coordinates as [number, number];
      await p.context.setGeolocation({ longitude: lon, latitude: lat, accuracy: 6 });
    };
    await phoneShowOnly(p, ['patrol-points']);
    await standAt(first, 15);
    await jumpTo(p.page, [first.x, first.y], 17);
    await tapAt(p, [first.x, first.y]);
    await p.page.locator('.feature-popup button[data-action="sign-in"]').tap();
    await p.page.locator('.map-notice:not(.refused)', { hasText: `已在「${first.name}」簽到（距離 15 公尺）。` }).waitFor();
    expect(await onScreen(p.page, '.map-notice')).toBe(true);
    const { rows: [row] } = await w.db.query<{ method: string; distance_m: number; officer: string }>(
      `SELECT method, distance_m, officer FROM patrol_signins WHERE point_id = $1 ORDER BY id DESC LIMIT 1`, [first.id]);
    expect(row).toMatchObject({ method: 'position', officer: 'officer' });
    expect(Math.abs(row!.distance_m - 15)).toBeLessThan(0.5);

    // 300 m away: refused, with how far, and nothing written.
    const mine = async (id: number) => (await w.db.query<{ method: string }>(
      `SELECT method FROM patrol_signins WHERE point_id = $1 AND officer = 'officer' ORDER BY id`, [id])).rows;
    await standAt(second, 300);
    await jumpTo(p.page, [second.x, second.y], 17);
    await tapAt(p, [second.x, second.y]);
    await p.page.locator('.feature-popup h3', { hasText: second.name }).waitFor();
    await p.page.locator('.feature-popup button[data-action="sign-in"]').tap();
    await p.page.locator('.map-notice.refused', { hasText: /^距離簽到點 (299|300|301) 公尺，請靠近後再簽（須在 50 公尺內）/ }).waitFor();
    expect(await mine(second.id)).toEqual([]);

    // The third point's QR code, scanned with the phone's camera, opens the map and signs in.
    const token = await pointToken(w.db, third.id, 1);
    await standAt(third, 40);
    await p.page.goto(`${w.baseUrl}/?signin=${encodeURIComponent(token)}`);
    await p.page.locator('.map-notice:not(.refused)', { hasText: `已在「${third.name}」簽到（QR code）。` }).waitFor();
    expect(new URL(p.page.url()).searchParams.has('signin')).toBe(false);
    expect(await mine(third.id)).toEqual([{ method: 'qr' }]);
    // The only error is the browser's own line for the refused sign-in's 422.
    expect(p.errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await p.context.close();
  });

  it('prints the precinct\'s patrol points as QR codes for planners, each the link that signs in there', async () => {
    const p = await w.open('/patrol-codes', 'planner', { width: 1100, height: 900 });
    const { rows } = await w.db.query<{ id: number }>(`SELECT id::int AS id FROM patrol_points WHERE precinct_code = 'P01' AND deleted_at IS NULL`);
    await p.page.locator('.code-card').first().waitFor();
    const cards = await p.page.$$eval('.code-card', (els) => els.map((e) => ({ id: Number((e as HTMLElement).dataset.point), link: (e as HTMLElement).dataset.link!,
      modules: e.querySelector('svg path:last-of-type')?.getAttribute('d') ?? '' })));
    expect(cards.map((c) => c.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
    // Each code is the QR code of the link with the point's token, drawn as the library draws it.
    const c = cards[0]!;
    expect(c.link).toBe(`${w.baseUrl}/?signin=${encodeURIComponent(await pointToken(w.db, c.id, 1))}`);
    const expected = /<path[^>]* d="([^"]+)"[^>]*\/><\/svg>/.exec(await QRCode.toString(c.link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }))![1];
    expect(c.modules).toBe(expected);
    expect(await p.page.locator('nav.pages a', { hasText: '巡簽 QR code' }).count()).toBe(1);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });

  it('says who is signed in by the beat’s name on a desktop', async () => {
    const p = await w.open('/', 'officer');
    const { rows: [b] } = await w.db.query<{ name: string }>(
      'SELECT s.name || b.name AS name FROM beats b JOIN stations s ON s.code = b.station_code WHERE b.code = $1', [DEMO_OFFICER_BEAT]);
    await p.page.locator('.account .who', { hasText: b!.name }).waitFor();
    expect(await p.page.locator('.account .who').innerText()).toBe(`警勤區員警・${b!.name}`);
    await mapIdle(p.page);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

describe('the planner on a phone', () => {
  it('turns a camera at z19 with its handle and form on screen; saving it unchanged writes nothing', async () => {
    const { rows: [cam] } = await w.db.query<{ id: number; x: number; y: number; version: number; azimuth: number; range_m: number }>(
      `SELECT id::int AS id, ST_X(geom) x, ST_Y(geom) y, version, azimuth, range_m FROM cameras
        WHERE precinct_code = 'P01' AND range_m >= 40 AND deleted_at IS NULL ORDER BY id LIMIT 1`);
    const p = await w.open('/', 'planner', PHONE);
    await phoneShowOnly(p, ['cameras']);
    await jumpTo(p.page, [cam!.x, cam!.y], 19);
    await tapAt(p, [cam!.x, cam!.y]);
    await p.page.locator('.feature-popup button[data-action="aim"]').tap();
    await p.page.locator('.edit-session input[name=azimuth]').waitFor();
    await p.page.waitForTimeout(800);
    await mapIdle(p.page);
    // The handle is drawn above the sheet, inside the screen.
    const tip = destination([cam!.x, cam!.y], cam!.range_m / 1000, cam!.azimuth).geometry.coordinates as [number, number];
    const handle = await pixelOf(p.page, tip);
    const sheetTop = (await p.page.locator('.side-panel').boundingBox())!.y;
    expect(handle.x).toBeGreaterThan(0);
    expect(handle.x).toBeLessThan(PHONE.width);
    expect(handle.y).toBeGreaterThan(56);
    expect(handle.y).toBeLessThan(sheetTop);
    expect(await onScreen(p.page, '.edit-session input[name=azimuth]')).toBe(true);
    expect(await onScreen(p.page, '.edit-session button.primary')).toBe(true);
    await p.page.locator('.edit-session button.primary').tap();
    await p.page.locator('.map-notice', { hasText: '沒有變更' }).waitFor();
    const { rows: [after] } = await w.db.query<{ version: number; azimuth: number }>('SELECT version, azimuth FROM cameras WHERE id = $1', [cam!.id]);
    expect(after).toEqual({ version: cam!.version, azimuth: cam!.azimuth });
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
