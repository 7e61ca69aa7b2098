import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebWorld, type WebPage, type WebWorld } from './support/browser.js';

/**
 * The printable 彙整 page in the browser: one row per unit with the figures the database
 * gives when counted here independently, a 合計 row, charts, the overdue list, the level
 * changed through the form, the CSV download, the print layout; and no page for the public.
 */
let w: WebWorld;
let p: WebPage;
beforeAll(async () => {
  w = await openWebWorld(0.1);
  p = await w.open('/rollups?by=station', 'planner', { width: 1100, height: 1400 });
});
afterAll(async () => { await w?.close(); });

interface Row { unit: string; cells: string[] }
/** The first day of the page's default period, the current half year (Taiwan time). */
const halfYearStart = (page: WebPage) => page.page.evaluate(() => {
  const t = new Date(Date.now() + 8 * 3600_000);
  return `${t.getUTCFullYear()}-${t.getUTCMonth() < 6 ? '01' : '07'}-01`;
});
const tableRows = (page: WebPage) => page.page.$$eval('.rollup-units table.figures tr[data-unit]', (trs) =>
  trs.map((tr) => ({ unit: (tr as HTMLElement).dataset.unit!, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()) })));
const heads = (page: WebPage) => page.page.$$eval('.rollup-units thead tr:last-child th', (ths) => ths.map((th) => th.textContent!.trim()));
const num = (s: string) => Number(s.replace(/[,%]/g, ''));

describe('the roll-up page', () => {
  it('has a row per station of the planner\'s precinct with figures counted from the database, and a 合計 row', async () => {
    const { rows: stations } = await w.db.query<{ code: string }>(
      `SELECT code FROM stations WHERE precinct_code = 'P01' AND deleted_at IS NULL ORDER BY code`);
    const { rows: places } = await w.db.query<{ station_code: string; n: number }>(
      `SELECT station_code, count(*)::int AS n FROM key_places
        WHERE precinct_code = 'P01' AND deleted_at IS NULL AND listing_status = 'listed' GROUP BY station_code`);
    const { rows: cameras } = await w.db.query<{ station_code: string; total: number; working: number }>(
      `SELECT station_code, count(*)::int AS total, count(*) FILTER (WHERE status = 'working')::int AS working
         FROM cameras WHERE precinct_code = 'P01' AND deleted_at IS NULL GROUP BY station_code`);
    // 妥善率 of the current half year so far, from the cameras' history (the rules are checked
    // row by row in rollups.test.ts; here the page shows what the database gives).
    const { rows: served } = await w.db.query<{ station_code: string; ratio: number }>(
      `SELECT t.station_code, sum(a.working_s) / sum(a.in_service_s) AS ratio
         FROM camera_availability($1::date::timestamptz, now()) a JOIN cameras t ON t.id = a.camera_id
        WHERE t.precinct_code = 'P01' GROUP BY t.station_code`, [await halfYearStart(p)]);
    const shown = await tableRows(p);
    expect(shown.map((r) => r.unit)).toEqual([...stations.map((s) => s.code), 'total']);
    const columns = await heads(p);
    const cell = (r: Row, head: string, nth = 0) => r.cells[columns.map((c, i) => [c, i] as const).filter(([c]) => c === head)[nth]![1]]!;
    let [listedSum, camSum, workingSum] = [0, 0, 0];
    for (const s of stations) {
      const r = shown.find((x) => x.unit === s.code)!;
      const listed = places.find((x) => x.station_code === s.code)?.n ?? 0;
      const cam = cameras.find((x) => x.station_code === s.code) ?? { total: 0, working: 0 };
      expect(num(cell(r, '列管'))).toBe(listed);
      expect(num(cell(r, '總數'))).toBe(cam.total);
      // The page's figure is of its own moment (the page opened minutes before this query, and the
      // broken cameras' time has grown since): within one step of its rounding to 0.1 %.
      const ratio = served.find((x) => x.station_code === s.code)?.ratio;
      if (ratio === undefined) expect(cell(r, '妥善率')).toBe('—');
      else expect(Math.abs(num(cell(r, '妥善率')) - ratio * 100)).toBeLessThanOrEqual(0.1);
      [listedSum, camSum, workingSum] = [listedSum + listed, camSum + cam.total, workingSum + cam.working];
    }
    const total = shown.at(-1)!;
    expect(num(cell(total, '列管'))).toBe(listedSum);
    expect(num(cell(total, '總數'))).toBe(camSum);
    expect(await p.page.innerText('.kpis')).toContain(`${workingSum.toLocaleString('en-US')}／${camSum.toLocaleString('en-US')} 支正常`);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
  });

  it('draws its charts with a bar per unit and per camera status, and lists the overdue places', async () => {
    const bars = await p.page.$$eval('.rollup-chart', (figs) => figs.map((f) => ({
      title: f.querySelector('figcaption')!.textContent, bars: f.querySelectorAll('.bar-row').length })));
    const stations = (await tableRows(p)).length - 1;
    expect(bars).toContainEqual({ title: '各派出所監視器妥善率（本期）', bars: stations });
    // The cameras that pull 妥善率 down: the demo's broken ones, longest down first.
    const down = await p.page.$$eval('.rollup-cameras-down tbody tr td:last-child', (tds) => tds.map((td) => Number(td.textContent!.replace(/[^\d]/g, ''))));
    expect(down.length).toBeGreaterThan(3);
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(bars).toContainEqual({ title: '監視器狀態', bars: 3 });
    // The overdue list: listed places due before today (and before the period's end) with no visit since.
    const { rows } = await w.db.query<{ id: number }>(
      `SELECT k.id::int AS id FROM key_places k
        WHERE k.precinct_code = 'P01' AND k.deleted_at IS NULL AND k.listing_status = 'listed'
          AND k.next_visit_due < (now() AT TIME ZONE 'Asia/Taipei')::date
          AND k.next_visit_due <= $1::date
          AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.place_id = k.id AND v.deleted_at IS NULL
                            AND (v.visited_at AT TIME ZONE 'Asia/Taipei')::date BETWEEN $2::date AND $1::date)
        ORDER BY k.next_visit_due, k.id`,
      await p.page.evaluate(() => {
        const t = new Date(Date.now() + 8 * 3600_000);
        const [y, m] = [t.getUTCFullYear(), t.getUTCMonth() + 1];
        return m <= 6 ? [`${y}-06-30`, `${y}-01-01`] : [`${y}-12-31`, `${y}-07-01`];
      }));
    // The demo city has overdue places in every precinct, so an empty list would be a fault.
    expect(rows.length).toBeGreaterThan(0);
    const shown = await p.page.$$eval('.rollup-overdue tbody tr', (trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.id)));
    expect(shown).toEqual(rows.map((r) => r.id));
    expect(await p.page.innerText('.rollup-overdue h2')).toBe(`逾期未查訪處所（${rows.length} 處）`);
  });

  it('downloads the same table as CSV for Excel', async () => {
    const download = p.page.waitForEvent('download');
    await p.page.click('.rollup-toolbar a:has-text("下載 CSV")');
    const file = await download;
    const bytes = await readFile(await file.path());
    // UTF-8 with a byte-order mark, so that Excel reads the Chinese headings.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + (await tableRows(p)).length);
    expect(lines.at(-1)).toContain('合計');
  });

  it('prints the sheet alone: the toolbar and the header stay off paper', async () => {
    await p.page.emulateMedia({ media: 'print' });
    const hidden = await p.page.$$eval('.rollup-toolbar, .app-header', (els) => els.map((e) => getComputedStyle(e).display));
    expect(hidden).toEqual(['none', 'none']);
    // The figures themselves are on paper.
    const shownInPrint = await p.page.$$eval('.rollup-sheet .kpis, .rollup-units, .rollup-overdue', (els) => els.map((e) => getComputedStyle(e).display));
    expect(shownInPrint).toHaveLength(3);
    expect(shownInPrint).not.toContain('none');
    // Every page is A4 portrait (595 × 842 pt), whatever the print dialog would default to.
    const pdf = (await p.page.pdf({ printBackground: true, preferCSSPageSize: true })).toString('latin1');
    const pages = pdf.match(/\/Type\s*\/Page[^s]/g) ?? [];
    const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(pages.length).toBeGreaterThan(0);
    expect(boxes).toEqual(pages.map(() => [595, 842]));
    await p.page.emulateMedia({ media: 'screen' });
  });

  it('changes level through its form, and the address keeps what is shown', async () => {
    await p.page.selectOption('.rollup-toolbar select[name=by]', 'beat');
    // The scope names the planner's precinct, not its code.
    expect(await p.page.locator('.rollup-toolbar select[name=unit] option').first().innerText()).toBe('本分局（桃園分局）');
    await p.page.selectOption('.rollup-toolbar select[name=unit]', 'P01S02');
    await Promise.all([p.page.waitForURL(/by=beat/), p.page.click('.rollup-toolbar button[type=submit]')]);
    await p.page.waitForSelector('body[data-ready="true"]');
    const { rows } = await w.db.query<{ code: string }>(
      `SELECT code FROM beats WHERE station_code = 'P01S02' AND deleted_at IS NULL ORDER BY code`);
    expect((await tableRows(p)).map((r) => r.unit)).toEqual([...rows.map((r) => r.code), 'total']);
    expect(new URL(p.page.url()).searchParams.get('unit')).toBe('P01S02');
    expect(p.errors).toEqual([]);
  });

  it('is not offered to the public, and its address shows the public the map', async () => {
    const pub = await w.open('/rollups', 'public', { width: 600, height: 500 });
    expect(await pub.page.locator('nav.pages a').allInnerTexts()).not.toContain('彙整報表');
    expect(await pub.page.locator('.rollup-sheet').count()).toBe(0);
    expect(await pub.page.locator('.denied-page h1').innerText()).toBe('請先登入');
    expect(pub.requests.some((u) => u.includes('/api/rollups'))).toBe(false);
    await pub.context.close();
  });
});
