import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapIdle, openWebWorld, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The officer's 勤前簡報 in the browser, checked against the database: the beat it opens on, the
 * key places in visiting order, cameras out of order, the last 30 days' incidents and their hot
 * hours, the watch blocks with contacts, recording a visit, one A4 page in print, and a PNG.
 */
let w: WebWorld;
let beat: string;
beforeAll(async () => {
  w = await openWebWorld(0.25);
  // The officer's precinct's beat with the most key places, so every list has something in it.
  const { rows } = await w.db.query<{ beat_code: string }>(
    `SELECT beat_code FROM key_places WHERE precinct_code = 'P01' AND deleted_at IS NULL
      GROUP BY beat_code ORDER BY count(*) DESC, beat_code LIMIT 1`);
  beat = rows[0]!.beat_code;
});
afterAll(async () => { await w?.close(); });

const openBriefing = (code?: string) => w.open(code ? `/briefing?beat=${code}` : '/briefing', 'officer', { width: 1100, height: 1400 });
const heading = async (p: WebPage, section: string) => p.page.locator(`.sheet .${section} h2`).first().innerText();

describe('the briefing sheet', () => {
  let p: WebPage;
  beforeAll(async () => { p = await openBriefing(beat); });
  afterAll(async () => { await p?.context.close(); });

  it('opens on the officer\'s own beat by default, with the map fitted to it', async () => {
    const own = await openBriefing();
    expect(await own.page.inputValue('select[name=beat]')).toBe('P01S01B01');
    const { rows } = await w.db.query<{ w: number; s: number; e: number; n: number }>(
      `SELECT ST_XMin(geom) w, ST_YMin(geom) s, ST_XMax(geom) e, ST_YMax(geom) n FROM beats WHERE code = 'P01S01B01'`);
    const b = rows[0]!;
    const view = await own.page.evaluate(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getBounds().toArray());
    // The whole beat is in view, and it fills most of it.
    expect(view[0]![0]).toBeLessThanOrEqual(b.w);
    expect(view[0]![1]).toBeLessThanOrEqual(b.s);
    expect(view[1]![0]).toBeGreaterThanOrEqual(b.e);
    expect(view[1]![1]).toBeGreaterThanOrEqual(b.n);
    expect((b.e - b.w) / (view[1]![0] - view[0]![0]) > 0.5 || (b.n - b.s) / (view[1]![1] - view[0]![1]) > 0.5).toBe(true);
    // Named, not coded: the heading and the picker, whose other beats come grouped by station.
    const { rows: [named] } = await w.db.query<{ station: string; beat: string; stations: number }>(
      `SELECT s.name AS station, b.name AS beat,
              (SELECT count(DISTINCT station_code)::int FROM beats WHERE precinct_code = 'P01' AND deleted_at IS NULL) AS stations
         FROM beats b JOIN stations s ON s.code = b.station_code WHERE b.code = 'P01S01B01'`);
    expect(await own.page.locator('.sheet-head h1').innerText()).toBe(`勤前簡報　${named!.station}${named!.beat}`);
    await own.page.waitForFunction((n) => document.querySelectorAll('select[name=beat] optgroup').length === n, named!.stations);
    const groups = await own.page.$$eval('select[name=beat] optgroup', (gs) => gs.map((g) => (g as HTMLOptGroupElement).label));
    expect(groups).toContain(named!.station);
    expect(groups.join('')).not.toMatch(/P\d{2}S\d{2}/);
    expect(await own.page.inputValue('select[name=beat]')).toBe('P01S01B01');
    expect(own.errors).toEqual([]);
    expect(own.offMachine()).toEqual([]);
    await own.context.close();
  });

  it('lists the key places overdue first, then by days since their last visit, never-visited first', async () => {
    // The same order, computed by the database.
    const { rows } = await w.db.query<{ id: number }>(
      `SELECT id::int AS id FROM (SELECT id, next_visit_due, last_visited_at,
                 coalesce(next_visit_due < (now() AT TIME ZONE 'Asia/Taipei')::date
                          AND (last_visited_at IS NULL OR (last_visited_at AT TIME ZONE 'Asia/Taipei')::date < next_visit_due), false) AS overdue
            FROM key_places WHERE beat_code = $1 AND deleted_at IS NULL) k
        ORDER BY overdue DESC, CASE WHEN overdue THEN next_visit_due END, last_visited_at IS NOT NULL,
                 floor(extract(epoch FROM now() - last_visited_at) / 86400) DESC, id`, [beat]);
    const shown = await p.page.$$eval('.sheet .places tbody tr', (trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.id)));
    expect(shown).toEqual(rows.slice(0, shown.length).map((r) => r.id));
    expect(await heading(p, 'places')).toBe(`治安重點處所（${rows.length} 處）`);
    const overdue = await p.page.locator('.sheet .places tr.overdue').count();
    const { rows: due } = await w.db.query<{ n: number }>(
      `SELECT count(*)::int n FROM key_places WHERE beat_code = $1 AND deleted_at IS NULL AND next_visit_due < (now() AT TIME ZONE 'Asia/Taipei')::date
          AND (last_visited_at IS NULL OR (last_visited_at AT TIME ZONE 'Asia/Taipei')::date < next_visit_due)`, [beat]);
    expect(overdue).toBe(Math.min(due[0]!.n, shown.length));
  });

  it('counts the cameras out of order and the last 30 days\' incidents, with their hot hours', async () => {
    const { rows: cams } = await w.db.query<{ n: number }>(
      `SELECT count(*)::int n FROM cameras WHERE beat_code = $1 AND status IN ('broken', 'offline') AND deleted_at IS NULL`, [beat]);
    expect(await heading(p, 'cameras')).toBe(`故障・離線監視器（${cams[0]!.n} 支）`);
    const { rows: cells } = await w.db.query<{ d: number; h: number; n: number }>(
      `SELECT EXTRACT(isodow FROM occurred_at AT TIME ZONE 'Asia/Taipei')::int d, EXTRACT(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei')::int h, count(*)::int n
         FROM incidents WHERE beat_code = $1 AND deleted_at IS NULL
          AND occurred_at >= ((now() AT TIME ZONE 'Asia/Taipei')::date - 30)::timestamp AT TIME ZONE 'Asia/Taipei'
        GROUP BY 1, 2`, [beat]);
    const total = cells.reduce((s, c) => s + c.n, 0);
    expect(total).toBeGreaterThan(0);
    expect(await heading(p, 'incidents')).toBe(`近 30 日案件（${total} 件）與熱時`);
    // Each cell of the 7 × 24 chart holds the database's count for that weekday and hour.
    const chart = await p.page.$$eval('.hour-week rect', (rects) => rects.map((r) => ({
      d: Number(r.getAttribute('data-weekday')), h: Number(r.getAttribute('data-hour')), n: Number(r.getAttribute('data-count')),
    })));
    expect(chart).toHaveLength(7 * 24);
    for (const c of chart) expect(c.n, `weekday ${c.d} hour ${c.h}`).toBe(cells.find((x) => x.d === c.d && x.h === c.h)?.n ?? 0);
  });

  it('lists the watch blocks with their adopters and contacts', async () => {
    const { rows } = await w.db.query<{ name: string; contact: string }>(
      `SELECT name, contact FROM watch_blocks WHERE beat_code = $1 AND deleted_at IS NULL ORDER BY id`, [beat]);
    const text = await p.page.locator('.sheet .blocks').innerText();
    expect(await heading(p, 'blocks')).toBe(`守望相助治安區塊（${rows.length} 處）`);
    for (const r of rows.slice(0, 5)) {
      expect(text).toContain(r.name);
      if (r.contact) expect(text).toContain(r.contact);
    }
  });

  it('names in its legend the blocks and hot cells its map draws', async () => {
    // A beat of the officer's precinct that has watch blocks.
    const { rows: [withBlocks] } = await w.db.query<{ beat: string; kinds: number }>(
      `SELECT beat_code AS beat, count(DISTINCT adopter_kind)::int AS kinds FROM watch_blocks
        WHERE precinct_code = 'P01' AND deleted_at IS NULL GROUP BY beat_code ORDER BY count(*) DESC, beat_code LIMIT 1`);
    const other = await openBriefing(withBlocks!.beat);
    const legend = await other.page.locator('.sheet-legend').innerText();
    expect((legend.match(/治安區塊（/g) ?? []).length).toBe(withBlocks!.kinds);
    // Hot cells are in the legend exactly when the map draws some.
    const drawnHot = await other.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      return map.getLayer('briefing-hot-cells') ? map.querySourceFeatures('briefing-hot-cells').length : 0;
    });
    expect(legend.includes('預測熱點（未來 7 天最可能有案件的網格）')).toBe(drawnHot > 0);
    // The forecast was asked for and answered (a failed one would leave both sides of that false).
    const asked = other.requests.filter((u) => u.includes('/api/analysis/forecast'));
    expect(asked).toHaveLength(1);
    const forecast = await other.context.request.get(asked[0]!);
    expect(forecast.status()).toBe(200);
    expect((await forecast.json()).analysis).toMatchObject({ cellSize: 100, horizonDays: 7, share: 0.05 });
    expect(other.errors).toEqual([]);
    await other.context.close();
  });

  it('records a visit, and the place moves down the list', async () => {
    const first = Number(await p.page.locator('.sheet .places tbody tr').first().getAttribute('data-id'));
    await p.page.locator('.sheet .places tbody tr').first().locator('button[data-action=visit]').click();
    const dialog = p.page.locator('.visit-dialog');
    await dialog.locator('select[name=outcome]').selectOption('anomaly');
    await dialog.locator('textarea[name=findings]').fill('門窗緊閉，疑似有人居住');
    await dialog.locator('button[type=submit]').click();
    await dialog.waitFor({ state: 'detached' });
    await p.page.waitForFunction((id) => {
      const row = document.querySelector(`.sheet .places tr[data-id="${id}"]`);
      return !row || row.textContent!.includes('0 天前');
    }, first);
    const { rows } = await w.db.query<{ outcome: string; created_by: string; last: string | null }>(
      `SELECT v.outcome, v.created_by, k.last_visited_at::text AS last FROM visits v JOIN key_places k ON k.id = v.place_id
        WHERE v.place_id = $1 ORDER BY v.id DESC LIMIT 1`, [first]);
    expect(rows[0]).toMatchObject({ outcome: 'anomaly', created_by: 'officer' });
    expect(rows[0]!.last).not.toBeNull();
    // Visited today, it is no longer first (unless it is the only place).
    const order = await p.page.$$eval('.sheet .places tbody tr', (trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.id)));
    if (order.length > 1) expect(order[0]).not.toBe(first);
  });

  it('prints on one A4 page, map included', async () => {
    await mapIdle(p.page);
    await p.page.waitForFunction(() => (document.querySelector('.map-snapshot') as HTMLImageElement | null)?.src.startsWith('data:image/png'));
    await p.page.emulateMedia({ media: 'print' });
    // No paper size given here: the page's own CSS must make it A4 (595 × 842 pt).
    const pdf = await p.page.pdf({ printBackground: true, preferCSSPageSize: true });
    await p.page.emulateMedia({ media: 'screen' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages).toHaveLength(1);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect([Math.round(Number(box?.[1])), Math.round(Number(box?.[2]))]).toEqual([595, 842]);
    // The map went to paper as an image.
    expect(pdf.toString('latin1')).toMatch(/\/Subtype\s*\/Image/);
  });

  it('saves the sheet as a PNG', async () => {
    const download = p.page.waitForEvent('download');
    await p.page.click('.sheet-toolbar button:has-text("另存 PNG")');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(new RegExp(`^勤前簡報-${beat}-\\d{4}-\\d{2}-\\d{2}\\.png$`));
    const chunks: Buffer[] = [];
    for await (const c of (await file.createReadStream())) chunks.push(c as Buffer);
    const png = Buffer.concat(chunks);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const sheetWidth = await p.page.locator('.sheet').evaluate((el) => el.getBoundingClientRect().width);
    // Twice the sheet's CSS width (pixel ratio 2), from the PNG header.
    expect(Math.abs(png.readUInt32BE(16) - Math.round(sheetWidth * 2))).toBeLessThanOrEqual(2);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
  });
});

/**
 * 熱時熱點 patrol plans (issue 16, part 3) in the browser: the planner drafts this week's plan for
 * the officer's station on /patrol-plans, drops a day, approves it; the officer reads it on a
 * phone, and the briefing lists today's places of it, printed still on one page.
 */
describe('the patrol plan', () => {
  const STATION = 'P01S01';
  let monday = '';
  let today = 0;
  beforeAll(async () => {
    // Twelve scooter thefts at 21:10 at one spot of the station in the last eight weeks: its hottest place.
    await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
      INSERT INTO incidents (type, occurred_at, geom)
        SELECT 'scooter_theft', ((date_trunc('week', now() AT TIME ZONE 'Asia/Taipei')::date - 3 - k * 4) || ' 21:10')::timestamp AT TIME ZONE 'Asia/Taipei',
               (SELECT ST_PointOnSurface(geom) FROM beats WHERE code = 'P01S01B01')
          FROM generate_series(0, 11) k;
      UPDATE patrol_plans SET deleted_at = now(), deleted_by = 'fixture' WHERE station_code = '${STATION}';
      SELECT set_config('app.actor', '', false);`);
    const { rows } = await w.db.query<{ monday: string; today: number }>(
      `SELECT to_char(date_trunc('week', now() AT TIME ZONE 'Asia/Taipei'), 'YYYY-MM-DD') AS monday,
              extract(isodow FROM now() AT TIME ZONE 'Asia/Taipei')::int AS today`);
    ({ monday, today } = rows[0]!);
  });

  it('the planner drafts this week\'s plan, drops a day that is not today, saves and approves it', async () => {
    const p = await w.open('/patrol-plans', 'planner', { width: 1280, height: 900 });
    const { page } = p;
    await page.selectOption('select[name="station"]', STATION);
    await page.selectOption('select[name="week"]', monday);
    await page.click('[data-action="draft"]');
    const card = page.locator('.plan-card').first();
    await card.waitFor();
    expect(await page.locator('.patrol-plans .notice').innerText()).toMatch(/已產生 .* 起一週的巡邏計畫草案/);
    expect(await card.locator('.plan-state').innerText()).toBe('草案');
    expect(await card.locator('.hint').innerText()).toMatch(/回測|無法回測/);
    // The place of the twelve thefts at 21:10 is one of the places (the demo's own hot spots may rank above it), its window 20–22 or 21–23.
    const { rows: [drafted] } = await w.db.query<{ items: { from: number; inWindow: number }[] }>(
      `SELECT items FROM patrol_plans WHERE station_code = $1 AND week_start = $2 AND deleted_at IS NULL`, [STATION, monday]);
    const ours = drafted!.items.findIndex((i) => (i.from === 20 || i.from === 21) && i.inWindow >= 12);
    expect(ours).toBeGreaterThanOrEqual(0);
    const first = card.locator('tbody tr').nth(ours);
    expect(await first.locator('td').nth(5).innerText()).toMatch(/件，\d+ 件在原時段$/);
    const dropped = today === 7 ? 1 : 7;
    await first.locator(`td.weekdays input[value="${dropped}"]`).uncheck();
    await card.locator('[data-action="save"]').click();
    await expect.poll(() => page.locator('.patrol-plans .notice').innerText()).toMatch(/已儲存/);
    await page.locator('.plan-card [data-action="approve"]').first().click();
    await expect.poll(() => page.locator('.plan-card .plan-state').first().innerText()).toMatch(/^已核定/);
    const { rows } = await w.db.query<{ status: string; weekdays: number[]; version: number }>(
      `SELECT status, items->$3::int->'weekdays' AS weekdays, version FROM patrol_plans WHERE station_code = $1 AND week_start = $2 AND deleted_at IS NULL`, [STATION, monday, ours]);
    expect(rows).toEqual([{ status: 'approved', weekdays: [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== dropped), version: 3 }]);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });

  it('the officer reads it on a phone, and the briefing lists today\'s places on its one page', async () => {
    const phone = await w.open('/patrol-plans', 'officer', { width: 390, height: 844 });
    const card = phone.page.locator('.plan-card').first();
    await card.waitFor();
    expect(await card.locator('.plan-state').innerText()).toMatch(/^已核定/);
    expect(await card.locator('[data-action="save"]').count()).toBe(0);
    const box = (await card.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
    const { rows: [plan] } = await w.db.query<{ items: { place: string; weekdays: number[] }[] }>(
      `SELECT items FROM patrol_plans WHERE station_code = $1 AND week_start = $2 AND deleted_at IS NULL`, [STATION, monday]);
    const todays = plan!.items.filter((i) => i.weekdays.includes(today));
    expect(todays.length).toBeGreaterThan(0);
    const sheet = await openBriefing('P01S01B01');
    const lines = await sheet.page.locator('.todays-plan li').allInnerTexts();
    expect(lines.map((l) => l.split(' ')[0])).toEqual(todays.map((i) => i.place));
    // The places are outlined on the sheet's map, and the legend says what the dashes are.
    expect(await sheet.page.locator('.sheet-legend').innerText()).toContain('今日巡邏計畫地點');
    const outlined = await sheet.page.evaluate(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      const source = map.getSource('briefing-plan-places') as unknown as { serialize(): { data: { features: unknown[] } } } | undefined;
      return source ? source.serialize().data.features.length : -1;
    });
    expect(outlined).toBe(todays.length);
    await mapIdle(sheet.page);
    await sheet.page.waitForFunction(() => (document.querySelector('.map-snapshot') as HTMLImageElement | null)?.src.startsWith('data:image/png'));
    await sheet.page.emulateMedia({ media: 'print' });
    const pdf = await sheet.page.pdf({ printBackground: true, preferCSSPageSize: true });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).toHaveLength(1);
    await sheet.context.close();
  });
});
