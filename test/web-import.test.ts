import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText } from './support/files.js';
import { mapIdle, openWebWorld, rendered, type WebWorld } from './support/browser.js';

/**
 * The office pages, on one seeded city: the upload page (/import) and the accounts page (/admin).
 *
 * The upload page in Chromium: a planner's register of key places, built here with
 * Chinese headers and TWD97 X/Y, with a row of an unknown category and a row far off Taiwan.
 * The dry run reports them and writes nothing; the import without 「只匯入正確的列」 is refused
 * and says why; a column mapped by hand in the editor is honoured; with validOnly exactly the
 * good rows are written. Officers and the public have no such page.
 */
let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(); });
afterAll(async () => { await w?.close(); });

const SOURCE = '網頁匯入測試';
const keyPlaces = async () => (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM key_places')).rows[0]!.n;
const counts = (page: Page) => page.$$eval('.import-summary .count', (els) =>
  Object.fromEntries(els.map((e) => [e.querySelector('span')!.textContent, Number(e.querySelector('b')!.textContent!.replace(/,/g, ''))])));
const outcome = (page: Page) => page.locator('.import-outcome').innerText();
/** Runs the dry run or the import and waits for its answer. */
async function press(page: Page, action: 'dry-run' | 'import'): Promise<void> {
  await page.click(`button[data-action="${action}"]`);
  await page.locator('.import-outcome > *').waitFor();
  await page.locator('.import-progress').waitFor({ state: 'hidden' });
}

describe('the import page', () => {
  it('a planner dry-runs a CSV, sees its rows and errors on a table and a map, is refused all-or-nothing, and imports the good rows', async () => {
    // Two places inside the planner's precinct, as TWD97 TM2 metres (what registers hold).
    const { rows: at } = await w.db.query<{ x: number; y: number }>(`SELECT round(ST_X(p)::numeric, 1)::float8 x, round(ST_Y(p)::numeric, 1)::float8 y
      FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 3826) p FROM beats
             WHERE precinct_code = (SELECT precinct_code FROM users WHERE username = 'planner') ORDER BY code LIMIT 2) s`);
    const csv = csvText([
      ['名稱', '地址', '類別', 'X', 'Y', '附註事項'],
      ['網頁匯入一號KTV', '臺南市測試路1號', '視聽歌唱業', at[0]!.x, at[0]!.y, '夜間營業'],
      ['網頁匯入二號', '臺南市測試路2號', '不明類別', at[0]!.x + 30, at[0]!.y + 30, ''],
      ['網頁匯入三號空屋', '臺南市測試路3號', '空屋', at[1]!.x, at[1]!.y, '已封閉'],
      ['網頁匯入海上', '外海', '空屋', 250000, 1000000, ''],
    ]);
    const before = await keyPlaces();

    const p = await w.open('/import', 'planner', { width: 1280, height: 800 });
    const { page } = p;
    expect(await page.locator('nav.pages a[aria-current="page"]').innerText()).toBe('匯入資料');
    const layers = await page.$$eval('select[name="layer"] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(layers).toContain('key-places');
    expect(layers).not.toContain('beats');
    await page.selectOption('select[name="layer"]', 'key-places');
    await page.locator('select[name="crs"] option[value="EPSG:3826"]').waitFor({ state: 'attached' });
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(true);
    await page.setInputFiles('input[type="file"]', { name: '重點處所.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.fill('input[name="source"]', SOURCE);

    // The dry run: counts, reasons errors first, nothing written.
    await press(page, 'dry-run');
    expect(await counts(page)).toMatchObject({ 總列數: 4, 新增: 2, 錯誤: 2 });
    const table = await page.$$eval('.row-table tbody tr', (trs) => trs.map((tr) => ({
      row: Number((tr as HTMLElement).dataset.row), status: tr.querySelector('.status-mark')!.textContent, reason: tr.querySelector('.reasons')!.textContent,
    })));
    expect(table.map((r) => [r.row, r.status])).toEqual([[3, '錯誤'], [5, '錯誤'], [2, '正常'], [4, '正常']]);
    // Each reason says in Chinese what is wrong and where, then the server's exact sentence.
    // The server's sentence names the column, so the heading does not repeat it.
    expect(table[0]!.reason).toMatch(/^數值無法判讀\s*欄位「類別」的「不明類別」/);
    expect(table[1]!.reason).toMatch(/^位置或形狀不正確（位置） .*不是臺灣的 TM2 公尺坐標/);
    expect(await page.locator('.import-summary').innerText()).toMatch(/TWD97/);
    expect(await keyPlaces()).toBe(before);

    // The preview map draws the rows by status, and a row of the table flies to it.
    await mapIdle(page);
    const drawn = await rendered(page, ['import-preview-points']);
    expect(drawn.filter((f) => f.properties.import_status === 'ok').map((f) => f.properties.import_row).sort()).toEqual([2, 4]);
    // Row 5 never had a place; row 3 did, and a click on it flies there.
    expect(await page.locator('.row-table tbody tr[data-row="5"]').getAttribute('class')).toMatch(/unlocated/);
    await page.click('.row-table tbody tr[data-row="3"]');
    await page.waitForFunction(() => {
      const map = (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map;
      if (map.isMoving() || map.getZoom() < 16.5) return false;
      const c = map.project(map.getCenter());
      return map.queryRenderedFeatures([[c.x - 8, c.y - 8], [c.x + 8, c.y + 8]], { layers: ['import-preview-points'] })
        .some((f) => f.properties.import_row === 3 && f.properties.import_status === 'error');
    });
    expect(await page.locator('.row-table tbody tr.picked').getAttribute('data-row')).toBe('3');

    // The columns as matched, and the one nothing matched mapped by hand.
    expect(await page.locator('.mapping-table select[data-column="X"]').inputValue()).toBe('x');
    expect(await page.locator('.mapping-table select[data-column="附註事項"]').inputValue()).toBe('__skip__');

    // All or nothing: the import is refused, says why, and shows the bad rows.
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(false);
    await press(page, 'import');
    expect(await outcome(page)).toMatch(/整份檔案未匯入：2 列有錯誤/);
    expect(await page.$$eval('.row-table tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.row))).toEqual(['3', '5']);
    expect(await keyPlaces()).toBe(before);

    // Valid rows only, with 附註事項 as the notes: another dry run first, then the import.
    await page.check('input[name="validOnly"]');
    expect(await page.locator('.import-summary').innerText()).toMatch(/未匯入的欄位：附註事項/);
    await page.click('button[data-action="edit-mapping"]');
    await page.selectOption('.mapping-table select[data-column="附註事項"]', 'notes');
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(true);
    await press(page, 'dry-run');
    expect(await outcome(page)).toMatch(/匯入時會略過這 2 列/);
    await press(page, 'import');
    expect(await outcome(page)).toMatch(/已匯入：新增 2[^]*略過 2 列/);
    expect(await page.locator('.import-outcome a[href="/"]').count()).toBe(1);
    expect(await keyPlaces()).toBe(before + 2);
    const { rows: written } = await w.db.query<{ name: string; category: string; notes: string | null; precinct_code: string }>(
      `SELECT name, category, notes, precinct_code FROM key_places WHERE name LIKE '網頁匯入%' ORDER BY name`);
    expect(written).toEqual([
      { name: '網頁匯入一號KTV', category: 'ktv', notes: '夜間營業', precinct_code: expect.any(String) },
      { name: '網頁匯入三號空屋', category: 'vacant_house', notes: '已封閉', precinct_code: expect.any(String) },
    ]);
    // The source's settings are saved and shown when it is named again.
    expect(await page.locator('.saved-source').innerText()).toMatch(/附註事項 → 備註/);
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(true);

    // The same places again from another register: likely duplicates, left out unless asked.
    await page.fill('input[name="source"]', '另一份清冊');
    expect(await page.locator('label.duplicates').isVisible()).toBe(false);
    await press(page, 'dry-run');
    expect(await counts(page)).toMatchObject({ 新增: 0, '略過（可能重複）': 2 });
    expect(await outcome(page)).toMatch(/匯入時會略過 2 列可能與既有資料重複的列/);
    expect(await page.locator('label.duplicates').innerText()).toMatch(/^仍匯入 2 列可能與既有資料重複的列/);
    expect(await page.$$eval('.row-table tbody tr[data-row="2"] td', (tds) => tds.map((td) => td.textContent))).toContain('略過（可能重複）');
    // Nothing would be written: 匯入 stays off and the outcome says so.
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(true);
    expect(await page.locator('.nothing-to-import').innerText()).toMatch(/「匯入」按鈕已停用/);
    expect(await keyPlaces()).toBe(before + 2);

    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });

  it('keeps 匯入 off when a trial would write nothing, and takes a default for a field the file lacks', async () => {
    const { rows: at } = await w.db.query<{ x: number; y: number }>(`SELECT round(ST_X(p)::numeric, 1)::float8 x, round(ST_Y(p)::numeric, 1)::float8 y
      FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 3826) p FROM beats
             WHERE precinct_code = (SELECT precinct_code FROM users WHERE username = 'planner') ORDER BY code LIMIT 1) s`);
    const p = await w.open('/import', 'planner', { width: 1280, height: 800 });
    const { page } = p;
    await page.selectOption('select[name="layer"]', 'key-places');
    await page.locator('select[name="defaultTarget"] option[value="category"]').waitFor({ state: 'attached' });
    // Every row wrong: the trial says nothing would be written, and 匯入 stays off even with 只匯入正確的列.
    await page.check('input[name="validOnly"]');
    const bad = csvText([['名稱', '類別', 'X', 'Y'], ['甲', '不明類別', at[0]!.x, at[0]!.y], ['乙', '另一個不明類別', at[0]!.x + 20, at[0]!.y]]);
    await page.setInputFiles('input[type="file"]', { name: '錯誤.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await press(page, 'dry-run');
    expect(await counts(page)).toMatchObject({ 總列數: 2, 錯誤: 2 });
    expect(await page.locator('.nothing-to-import').innerText()).toMatch(/「匯入」按鈕已停用/);
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(true);
    // No 類別 column at all: refused as missing until a default is given in the advanced options.
    const before = await keyPlaces();
    const noCategory = csvText([['名稱', 'X', 'Y'], ['預設值KTV甲', at[0]!.x + 40, at[0]!.y], ['預設值KTV乙', at[0]!.x + 60, at[0]!.y]]);
    await page.setInputFiles('input[type="file"]', { name: '無類別.csv', mimeType: 'text/csv', buffer: Buffer.from(noCategory) });
    await press(page, 'dry-run');
    expect(await outcome(page)).toMatch(/類別/);
    // The refusal opened the advanced options at the column mapping; the defaults are below it.
    expect(await page.locator('details.advanced').getAttribute('open')).not.toBeNull();
    await page.selectOption('select[name="defaultTarget"]', 'category');
    await page.fill('input[name="defaultValue"]', 'ktv');
    await page.click('button[data-action="add-default"]');
    expect(await page.locator('.default-list li').innerText()).toMatch(/category.*「ktv」/);
    await press(page, 'dry-run');
    expect(await counts(page)).toMatchObject({ 總列數: 2, 新增: 2, 錯誤: 0 });
    expect(await page.locator('button[data-action="import"]').isDisabled()).toBe(false);
    await press(page, 'import');
    const { rows } = await w.db.query<{ category: string }>(`SELECT category FROM key_places WHERE name LIKE '預設值KTV%' ORDER BY name`);
    expect(rows).toEqual([{ category: 'ktv' }, { category: 'ktv' }]);
    expect(await keyPlaces()).toBe(before + 2);
    await p.context.close();
  });

  it.each([['officer', '沒有使用這一頁的權限'], ['public', '請先登入']] as const)('%s has no import page: no link, and /import says why and what to do', async (as, heading) => {
    const p = await w.open('/import', as);
    expect(await p.page.$$eval('nav.pages a', (as) => as.map((a) => a.textContent))).not.toContain('匯入資料');
    expect(await p.page.locator('.denied-page h1').innerText()).toBe(heading);
    expect(await p.page.locator('.denied-page').innerText()).toContain('「匯入資料」僅供分局承辦人與警察局使用');
    expect(await p.page.locator('.denied-page button', { hasText: '登入' }).count()).toBe(as === 'public' ? 1 : 0);
    expect(await p.page.locator('.denied-page a[href="/"]').count()).toBe(1);
    expect(await p.page.locator('main.map-layout').count()).toBe(0);
    expect(p.requests.some((u) => u.includes('/api/import'))).toBe(false);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });
});

/**
 * 帳號管理 (/admin): the bureau's admin adds an officer for a beat chosen by its name, is told why
 * a weak password is refused (nothing written), and the officer signs in; on a phone the accounts
 * are cards and disabling one (after a confirmation) signs it out. Planners have no such page.
 */
describe('the accounts page', () => {
  const accountRow = (username: string) => w.db.query<{ role: string; beat_code: string | null; disabled: boolean }>(
    'SELECT role, beat_code, disabled FROM users WHERE username = $1', [username]).then((r) => r.rows[0]);
  const signIn = (password: string) => fetch(`${w.baseUrl}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'wang.xm', password }),
  });
  const PASSWORD = '巡邏箱就在廟口那棵榕樹的右邊';

  it('an admin adds an officer for a beat picked by name; a weak password is refused in words and nothing is written', async () => {
    const { rows: [beat] } = await w.db.query<{ code: string; name: string }>(
      `SELECT b.code, s.name || b.name AS name FROM beats b JOIN stations s ON s.code = b.station_code ORDER BY b.code LIMIT 1`);
    const p = await w.open('/admin', 'admin', { width: 1280, height: 800 });
    const { page } = p;
    expect(await page.locator('nav.pages a[aria-current="page"]').innerText()).toBe('帳號管理');
    expect(await page.locator('tr[data-account="officer"] td.where').innerText()).toMatch(/派出所第\d+警勤區$/);
    await page.click('[data-action="add-account"]');
    await page.fill('.account-dialog input[name="username"]', 'wang.xm');
    await page.fill('.account-dialog input[name="displayName"]', '王小明');
    await page.fill('.account-dialog input[name="unit"]', beat!.name);
    await page.fill('.account-dialog input[name="password"]', 'Password2026!');
    await page.click('.account-dialog button[type="submit"]');
    await expect.poll(() => page.locator('.account-dialog .form-error').innerText()).toMatch(/常見密碼.*沒有變更/);
    expect(await accountRow('wang.xm')).toBeUndefined();
    await page.fill('.account-dialog input[name="password"]', PASSWORD);
    await page.click('.account-dialog button[type="submit"]');
    await page.locator('tr[data-account="wang.xm"]').waitFor();
    expect(await page.locator('.admin-accounts .notice').innerText()).toBe('已新增警勤區員警帳號「wang.xm」。');
    expect(await page.locator('tr[data-account="wang.xm"] td.where').innerText()).toBe(beat!.name);
    expect(await accountRow('wang.xm')).toEqual({ role: 'officer', beat_code: beat!.code, disabled: false });
    expect((await signIn(PASSWORD)).status).toBe(200);
    expect(p.errors.filter((e) => !/400 \(Bad Request\)/.test(e))).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });

  it('on a phone the accounts are cards; disabling one asks first, then signs it out for good', async () => {
    const token = ((await (await signIn(PASSWORD)).json()) as { token: string }).token;
    const p = await w.open('/admin', 'admin', { width: 390, height: 844 });
    const { page } = p;
    const card = page.locator('tr[data-account="wang.xm"]');
    expect(await page.locator('table.accounts thead').isVisible()).toBe(false);
    expect(await card.locator('td[data-label="轄區"]').isVisible()).toBe(true);
    const box = (await card.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); void d.accept(); });
    await card.locator('[data-action="toggle"]').tap();
    await expect.poll(() => card.locator('td[data-label="狀態"]').innerText()).toContain('已停用');
    expect(asked).toMatch(/停用帳號「wang.xm」/);
    expect(await accountRow('wang.xm')).toMatchObject({ disabled: true });
    expect((await fetch(`${w.baseUrl}/api/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await signIn(PASSWORD)).status).toBe(401);
    expect(p.errors).toEqual([]);
    await p.context.close();
  });

  it('planners have no accounts page and are told whose it is', async () => {
    const p = await w.open('/admin', 'planner');
    expect(await p.page.$$eval('nav.pages a', (as) => as.map((a) => a.textContent))).not.toContain('帳號管理');
    expect(await p.page.locator('.denied-page').innerText()).toContain('「帳號管理」僅供警察局管理者使用');
    expect(p.requests.some((u) => u.includes('/api/admin'))).toBe(false);
    await p.context.close();
  });
});
