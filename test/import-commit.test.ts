import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileAt } from '../server/tiles/coords.js';
import { csvText } from './support/files.js';
import { postImport, rowOf, type RowReport } from './support/imports.js';
import { binary, decodeTile } from './support/mvt.js';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * What an import writes and when: a dry run nothing; a commit all rows or none (unless
 * validOnly); the same file twice nothing new (no versions, no history); every change through
 * the feature API's rules and history, by the importing user; nothing at all when the client
 * goes away or the CLI is killed before the commit. World: P1 = beats B1, B2 (120.20–120.22°E),
 * P2 = B3 (120.22–120.23°E), lat 22.99–23.00; the planner is P1's, the officer P1/S1/B1's.
 */
let w: World;
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  w = await openWorld();
  server = createServer(w.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await w?.close();
});

const HEADER = ['編號', '名稱', '方向', '視角', '距離', '設置單位', '狀態', '經度', '緯度'];
/** A camera row; lon 120.20–120.22 lies in P1, 120.22–120.23 in P2. */
const cam = (id: string, lon: number, extra: { azimuth?: number | string; status?: string; name?: string } = {}) =>
  [id, extra.name ?? `路口${id}`, extra.azimuth ?? 90, 60, 40, '警察機關', extra.status ?? '正常', lon, 22.995];
const file = (...rows: (string | number)[][]) => csvText([HEADER, ...rows]);

const historyOf = async (source: string) => (await w.db.query<{ action: string; actor: string; version: number }>(
  `SELECT h.action, h.actor, h.version FROM feature_history h JOIN feature_sources s ON s.layer_table = h.layer_table AND s.feature_id = h.feature_id
    WHERE s.source = $1 ORDER BY h.id`, [source])).rows;
const audits = async (action: string) => (await w.db.query<{ actor: string; detail: Record<string, unknown> }>(
  'SELECT actor, detail FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;

describe('dry run, commit, all or nothing', () => {
  it('a dry run reports what the commit then does, and writes nothing itself', async () => {
    const csv = file(cam('D1', 120.201), cam('D2', 120.211), cam('D3', 120.221));
    const before = await writeCounts(w.db, 'cameras');
    const dry = await postImport(w, 'admin', 'cameras', csv, { dryRun: true, source: '乾跑' }).expect(200);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    expect(dry.body).toMatchObject({ dryRun: true, committed: false, counts: { rows: 3, create: 3, error: 0 } });
    expect(dry.body.message).toBe('試算完成，沒有寫入任何資料：3 列中有 3 列可以匯入（新增 3）。');
    const real = await postImport(w, 'admin', 'cameras', csv, { source: '乾跑' }).expect(200);
    expect(real.body.committed).toBe(true);
    const strip = (rows: RowReport[]) => rows.map(({ id: _id, ...r }) => r);
    expect(strip(real.body.rows)).toEqual(strip(dry.body.rows));
    expect(real.body.rows.map((r: RowReport) => r.beat)).toEqual(['B1', 'B2', 'B3']);
    expect(await writeCounts(w.db, 'cameras')).toEqual({ rows: before.rows + 3, history: before.history + 3 });
    // The import derives units in its own statement (013_units_given.sql): the same the trigger would.
    const { rows } = await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cameras c, LATERAL locate_beat(c.geom) l
      WHERE (c.beat_code, c.station_code, c.precinct_code) IS DISTINCT FROM (l.beat_code, l.station_code, l.precinct_code)`);
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses the whole file when one row is bad (422, audited), and writes the good rows only with validOnly', async () => {
    const csv = file(cam('A1', 120.202), cam('A2', 120.203, { azimuth: 400 }), cam('A3', 120.204));
    const before = await writeCounts(w.db, 'cameras');
    const refused = await postImport(w, 'admin', 'cameras', csv, { source: '全有全無' }).expect(422);
    expect(refused.body).toMatchObject({ committed: false, counts: { ok: 2, error: 1 } });
    expect(refused.body.message).toBe('未匯入，沒有寫入任何資料：1 列有錯誤。請修正後重新匯入，或以 validOnly=true 只匯入其餘 2 列。');
    expect(rowOf(refused.body, 3).errors![0]).toMatchObject({ field: 'properties.azimuth', code: 'property_invalid', message: expect.stringMatching(/（azimuth）必須不小於 0、小於 360/) });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    expect((await audits('import-refused')).at(-1)).toMatchObject({ actor: 'admin', detail: { layer: 'cameras', counts: { error: 1 } } });
    const some = await postImport(w, 'admin', 'cameras', csv, { source: '全有全無', validOnly: true }).expect(200);
    expect(some.body).toMatchObject({ committed: true, counts: { create: 2, error: 1 } });
    expect(some.body.message).toBe('已匯入：新增 2；略過 1 列有錯誤的列。');
    expect(await writeCounts(w.db, 'cameras')).toEqual({ rows: before.rows + 2, history: before.history + 2 });
  });
});

describe('the same file twice', () => {
  it('changes nothing the second time and says so: no version, no history; one changed cell is one update', async () => {
    const rows = [cam('R1', 120.205), cam('R2', 120.206), cam('R3', 120.207)];
    await postImport(w, 'admin', 'cameras', file(...rows), { source: '重匯' }).expect(200);
    const before = await writeCounts(w.db, 'cameras');
    const again = await postImport(w, 'admin', 'cameras', file(...rows), { source: '重匯' }).expect(200);
    expect(again.body.message).toBe('沒有任何變更：圖層已有檔案中的資料（3 列不變）。');
    expect(again.body.rows.map((r: RowReport) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    const edited = [rows[0]!, cam('R2', 120.206, { status: '故障' }), rows[2]!];
    const once = await postImport(w, 'planner', 'cameras', file(...edited), { source: '重匯' }).expect(200);
    expect(once.body.counts).toMatchObject({ update: 1, unchanged: 2, create: 0 });
    expect(await historyOf('重匯')).toEqual([
      { action: 'create', actor: 'admin', version: 1 }, { action: 'create', actor: 'admin', version: 1 }, { action: 'create', actor: 'admin', version: 1 },
      { action: 'update', actor: 'planner', version: 2 },
    ]);
    const { rows: stored } = await w.db.query<{ status: string; updated_by: string; version: number }>(
      `SELECT c.status, c.updated_by, c.version FROM cameras c JOIN feature_sources s ON s.feature_id = c.id WHERE s.source = '重匯' AND s.external_id = 'R2'`);
    expect(stored[0]).toEqual({ status: 'broken', updated_by: 'planner', version: 2 });
  });

  it('refuses a file that names the same row twice, and warns of a likely duplicate of a feature that exists', async () => {
    const res = await postImport(w, 'admin', 'cameras', file(cam('W1', 120.2081), cam('W1', 120.2082)), { dryRun: true, source: '雙胞' }).expect(200);
    expect(rowOf(res.body, 3).errors![0]!).toEqual({ code: 'duplicate', field: 'id', message: '與第 2 列重複：兩列都是來源「雙胞」的原系統編號「W1」。' });
    const twin = await postImport(w, 'admin', 'cameras', file(cam('X9', 120.20501, { name: '路口R1' })), { dryRun: true, source: '他源' }).expect(200);
    expect(rowOf(twin.body, 2).warnings![0]!).toMatchObject({ code: 'possible_duplicate', field: 'geometry',
      message: expect.stringMatching(/^可能與既有的資料（編號 \d+）重複：「名稱」相同，相距 1 公尺。$/) });
  });

  it('leaves a likely duplicate out unless told to import it anyway, and says so', async () => {
    // A register without ids of its own: nothing but the name and place tells a row apart.
    const keyless = csvText([HEADER.slice(1), cam('', 120.20502, { name: '路口R1' }).slice(1), cam('', 120.2085, { name: '新設路口' }).slice(1)]);
    const named = async (name: string) => (await w.db.query<{ n: number }>(`SELECT count(*)::int n FROM cameras WHERE name = $1 AND deleted_at IS NULL`, [name])).rows[0]!.n;
    const before = await named('路口R1');
    const trial = await postImport(w, 'admin', 'cameras', keyless, { dryRun: true }).expect(200);
    expect(trial.body.message).toBe('試算完成，沒有寫入任何資料：2 列中有 1 列可以匯入（新增 1、略過可能重複 1）。');
    // The skipped row is on the preview map as the file has it, with its reason.
    const drawn = trial.body.preview.features.find((f: { properties: { import_row: number } }) => f.properties.import_row === 2);
    expect(drawn.properties).toMatchObject({ import_action: 'skip', import_status: 'warning', import_message: expect.stringMatching(/^可能與既有的資料/) });
    expect(trial.body.preview.truncated).toBe(false);
    const skipped = await postImport(w, 'admin', 'cameras', keyless).expect(200);
    expect(rowOf(skipped.body, 2)).toMatchObject({ status: 'warning', action: 'skip' });
    expect(rowOf(skipped.body, 2).id).toBeUndefined();
    expect(rowOf(skipped.body, 3)).toMatchObject({ status: 'ok', action: 'create' });
    expect(skipped.body.counts).toMatchObject({ create: 1, skip: 1 });
    expect(skipped.body.message).toBe('已匯入：新增 1、略過可能重複 1。');
    expect(await named('路口R1')).toBe(before);
    // Asked to, it is written, with the warning kept in the report.
    const forced = await postImport(w, 'admin', 'cameras', csvText([HEADER.slice(1), cam('', 120.20502, { name: '路口R1' }).slice(1)]), { duplicates: 'import' }).expect(200);
    expect(rowOf(forced.body, 2)).toMatchObject({ status: 'warning', action: 'create' });
    expect(forced.body.counts).toMatchObject({ create: 1, skip: 0 });
    expect(await named('路口R1')).toBe(before + 1);
    const bad = await postImport(w, 'admin', 'cameras', keyless, { duplicates: 'yes' }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'import_duplicates', field: 'duplicates' });
  });

  it('writes a row with its register\'s id even when it looks like another, and replace keeps what skipped rows repeat', async () => {
    await postImport(w, 'admin', 'cameras', file(cam('K1', 120.2091, { name: '換號路口' }), cam('K2', 120.2093, { name: '換號二路口' })), { source: '換號' }).expect(200);
    const live = async () => (await w.db.query<{ n: number }>(`SELECT count(*)::int n FROM cameras WHERE name IN ('換號路口', '換號二路口') AND deleted_at IS NULL`)).rows[0]!.n;
    // The register renumbered them: rows with ids of their own are written (warned), the old ones replaced.
    const renumbered = await postImport(w, 'admin', 'cameras', file(cam('M1', 120.2091, { name: '換號路口' }), cam('M2', 120.2093, { name: '換號二路口' })),
      { source: '換號', replace: true }).expect(200);
    expect(renumbered.body.counts).toMatchObject({ create: 2, skip: 0, delete: 2 });
    expect(rowOf(renumbered.body, 2).warnings![0]!.code).toBe('possible_duplicate');
    expect(await live()).toBe(2);
    // Without ids (match=none) the same rows are skipped, and replace deletes none of what they repeat.
    const keyless = await postImport(w, 'admin', 'cameras', file(cam('X', 120.2091, { name: '換號路口' }), cam('Y', 120.2093, { name: '換號二路口' })),
      { source: '換號', replace: true, match: 'none' }).expect(200);
    expect(keyless.body.counts).toMatchObject({ create: 0, skip: 2, delete: 0 });
    expect(keyless.body.message).toBe('沒有寫入任何資料：2 列都可能與既有資料重複，已略過；確定不是同一筆時，請以 duplicates=import 匯入。');
    expect(await live()).toBe(2);
  });
});

describe('roles, as the feature API has them', () => {
  it('keeps a planner\'s rows inside its precinct: others are refused with the reason', async () => {
    const res = await postImport(w, 'planner', 'cameras', file(cam('P1a', 120.212), cam('P2a', 120.225)), { source: '分局', validOnly: true }).expect(200);
    expect(rowOf(res.body, 2)).toMatchObject({ status: 'ok', action: 'create', beat: 'B2' });
    expect(rowOf(res.body, 3).errors![0]!).toMatchObject({ code: 'outside_precinct', message: '這筆資料不在你的分局（P1）轄區內：你只能寫入轄區內的資料。' });
    const blocks = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[120.218, 22.991], [120.222, 22.991], [120.222, 22.993], [120.218, 22.993], [120.218, 22.991]]] }, properties: { name: '跨界', adopter: '某校', adopter_kind: 'school' } }] };
    const out = await postImport(w, 'planner', 'watch-blocks', JSON.stringify(blocks), {}, 'application/geo+json').expect(422);
    // 0.002° × 0.002° beyond 120.22°E: about 205 m × 221 m.
    expect(rowOf(out.body, 1).errors![0]!.message).toMatch(/^圖形有 4[4-6],\d{3} 平方公尺超出你的分局（P1）轄區；請把圖形畫在轄區內。$/);
  });

  it('lets an officer change camera status by id, and nothing else', async () => {
    const { rows } = await w.db.query<{ id: number }>(`SELECT id::int FROM cameras WHERE beat_code = 'B1' AND deleted_at IS NULL ORDER BY id LIMIT 1`);
    const id = rows[0]!.id;
    // A list made by hand carries no instance: match=id says its ids are this service's.
    const ok = await postImport(w, 'officer', 'cameras', csvText([['id', '狀態'], [id, '離線']]), { match: 'id' }).expect(200);
    expect(ok.body.counts).toMatchObject({ update: 1 });
    expect((await w.db.query<{ status: string }>('SELECT status FROM cameras WHERE id = $1', [id])).rows[0]!.status).toBe('offline');
    const more = await postImport(w, 'officer', 'cameras', csvText([['id', '狀態', '名稱'], [id, '正常', '改名']]), { match: 'id' }).expect(422);
    expect(rowOf(more.body, 2).errors![0]!).toMatchObject({
      code: 'property_not_writable', message: '你的角色在錄影監視系統只能修改「狀態」（status），不能修改「名稱」（name）。',
    });
    const create = await postImport(w, 'officer', 'cameras', file(cam('O1', 120.201)), { source: '員警' }).expect(422);
    expect(rowOf(create.body, 2).errors![0]!).toMatchObject({ code: 'role_may_not_write', message: '你的帳號不能新增錄影監視系統；需要時請洽分局承辦人。' });
  });

  it('answers the public 401, the community 403 for cameras and 404 for key places, as the feature API does', async () => {
    const csv = file(cam('Z1', 120.201));
    expect((await postImport(w, 'public', 'cameras', csv).expect(401)).body.error.code).toBe('sign_in_required');
    await postImport(w, 'community', 'cameras', csv).expect(403);
    const hidden = await postImport(w, 'community', 'key-places', csv).expect(404);
    const missing = await postImport(w, 'community', 'no-such-layer', csv).expect(404);
    expect(hidden.body.error.message.replace('key-places', 'X')).toBe(missing.body.error.message.replace('no-such-layer', 'X'));
    await w.as('community').get('/api/import/key-places').expect(404);
  });
});

describe('replace', () => {
  it('deletes the features of the source that its new file no longer lists, keeping their history', async () => {
    await postImport(w, 'planner', 'cameras', file(cam('Q1', 120.213), cam('Q2', 120.214), cam('Q3', 120.215)), { source: '汰換' }).expect(200);
    const res = await postImport(w, 'planner', 'cameras', file(cam('Q1', 120.213), cam('Q3', 120.215)), { source: '汰換', replace: true }).expect(200);
    expect(res.body.counts).toMatchObject({ unchanged: 2, delete: 1 });
    expect(res.body.deleted).toEqual([{ id: expect.any(Number), label: '路口Q2' }]);
    expect((await historyOf('汰換')).map((h) => h.action)).toEqual(['create', 'create', 'create', 'delete']);
    const needs = await postImport(w, 'planner', 'cameras', file(cam('Q1', 120.213)), { replace: true }).expect(400);
    expect(needs.body.error).toMatchObject({ code: 'import_source_required', field: 'source', message: expect.stringMatching(/^欄位「編號」是原系統的編號（external_id）：請以 source=… 指明資料來自哪個系統/) });
    const withoutIds = csvText([HEADER.slice(1), cam('Q1', 120.213).slice(1)]);
    const unnamed = await postImport(w, 'planner', 'cameras', withoutIds, { replace: true }).expect(400);
    expect(unnamed.body.error).toMatchObject({ code: 'import_replace_needs_source', field: 'source', message: expect.stringMatching(/^replace=true 會刪除同一來源中、新檔案已經沒有的資料，因此必須以 source=… 指明來源/) });
  });
});

describe('HTTP', () => {
  it('has a size limit of its own, named in its 413, while JSON edits keep theirs', async () => {
    const small = w.instance({ importLimitBytes: 1000 });
    const res = await small.as('admin').post('/api/import/cameras').set('Content-Type', 'text/csv').send(file(...Array.from({ length: 40 }, (_, i) => cam(`L${i}`, 120.201)))).expect(413);
    expect(res.body.error).toMatchObject({ code: 'file_too_large', field: 'file', details: { limit: 'IMPORT_BODY_LIMIT', max: 1000 } });
    expect(res.body.error.message).toMatch(/^檔案大小超過匯入上限 1 KB（IMPORT_BODY_LIMIT），沒有寫入任何資料。/);
    // The 256 kB JSON body limit of the world does not apply to imports.
    const big = file(...Array.from({ length: 6000 }, (_, i) => cam(`B${i}`, 120.2001 + (i % 90) * 0.0002)));
    expect(Buffer.byteLength(big)).toBeGreaterThan(256 * 1024);
    await postImport(w, 'admin', 'cameras', big, { dryRun: true, source: '大檔' }).expect(200);
  });

  it('takes a browser form (multipart) with its fields as parameters', async () => {
    const res = await w.as('admin').post('/api/import/cameras').field('dryRun', 'true').field('source', '表單')
      .attach('file', Buffer.from(file(cam('F1', 120.201))), '監視器.csv').expect(200);
    expect(res.body).toMatchObject({ dryRun: true, file: { name: '監視器.csv', format: 'csv' }, counts: { create: 1 } });
  });

  it.each([
    [{ dryRun: 'maybe' }, 'dryRun', 'import_flag', /^「dryRun」必須是 true 或 false（也可寫 1、0、yes、no）。$/],
    [{ preview: 'all' }, 'preview', 'import_number_range', /^「preview」必須是 0 到 20000 之間的數字。$/],
    [{ mapping: '["名稱"]' }, 'mapping', 'import_json_object', /^「mapping」必須是 JSON 物件，例如 \{"編號": "external_id", "備考": null\}。$/],
    [{ mapping: { 名稱: 1 } }, 'mapping', 'import_mapping_target', /^mapping 中「名稱」的對應必須是欄位名稱（文字），或 null 表示略過這個欄位。$/],
    [{ source: ' ' }, 'source', 'import_source_invalid', /^source 必須以 1 到 100 個字寫出資料來源的系統名稱/],
    [{ format: 'xls' }, 'format', 'import_format', /^「format」必須是 csv、.* 其中之一（或省略，由系統自動判斷），不能是「xls」。$/],
    [{ crs: 'EPSG:3857' }, 'crs', 'crs_unknown', /^不支援坐標系統「EPSG:3857」；請用 EPSG:3824（TWD97 經緯度）、.*、EPSG:4326（WGS84 經緯度）（也可直接寫 TWD97、TWD67、WGS84）。$/],
    [{ encoding: 'latin1' }, 'encoding', 'encoding_unknown', /^不認得文字編碼「latin1」；請用 utf-8 或 big5（cp950）/],
    [{ colour: 'red' }, 'colour', 'unknown_parameter', /^不認得參數「colour」。可用的參數：dryRun、/],
    [{ defaults: { colour: 'red' } }, 'defaults', 'defaults_unknown', /^defaults 中的「colour」不是錄影監視系統可以設定的欄位/],
    [{ defaults: { fov: 'wide' } }, 'defaults', 'defaults_invalid', /^defaults 中「水平視角（度）」（fov）的「wide」不是數字；請寫十進位數字，例如 12\.5（可帶單位，例如 30 公尺）；請修正 defaults。$/],
  ] as const)('refuses the parameters %j naming %s, writing nothing', async (params, field, code, message) => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await postImport(w, 'admin', 'cameras', file(cam('P1', 120.201)), params).expect(400);
    expect(res.body.error).toMatchObject({ field, code });
    expect(res.body.error.message).toMatch(message);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('refuses a form without a file, and a multipart body it cannot read', async () => {
    const noFile = await w.as('admin').post('/api/import/cameras').field('dryRun', 'true').expect(400);
    expect(noFile.body.error).toEqual({ code: 'upload_no_file', field: 'file', message: '表單中沒有檔案：請以檔案欄位上傳（例如 <input type="file" name="file">）。' });
    const noBoundary = await w.as('admin').post('/api/import/cameras').set('Content-Type', 'multipart/form-data').send('x').expect(400);
    expect(noBoundary.body.error).toMatchObject({ code: 'multipart_unreadable', field: 'file', message: expect.stringMatching(/^無法讀取上傳的表單（multipart\/form-data）（.+），沒有寫入任何資料；請重新上傳。$/) });
  });

  it('streams progress lines to a client that asks for NDJSON, ending with the report or the error', async () => {
    const res = await postImport(w, 'admin', 'cameras', file(cam('N1', 120.201), cam('N2', 120.202)), { dryRun: true, source: '串流' })
      .set('Accept', 'application/x-ndjson').expect(200).expect('Content-Type', /application\/x-ndjson/);
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(lines.slice(0, -1).map((l) => `${l.type}:${l.phase}`))).toEqual(new Set(['progress:read', 'progress:transform', 'progress:validate', 'progress:write', 'progress:check']));
    expect(lines.at(-1)).toMatchObject({ type: 'report', status: 200, report: { counts: { create: 2 } } });
    const bad = await postImport(w, 'admin', 'cameras', '名稱\r\n甲\r\n').set('Accept', 'application/x-ndjson').expect(200);
    expect(JSON.parse(bad.text.trim().split('\n').at(-1)!)).toMatchObject({ type: 'error', status: 400, error: { code: 'missing_columns' } });
  });

  it('drops cached tiles the import changed, on commit', async () => {
    const t = tileAt(120.2095, 22.9955, 16);
    const get = () => w.as('admin').get(`/tiles/cameras/${t.z}/${t.x}/${t.y}.mvt`).buffer(true).parse(binary);
    const names = async () => ((await get()).status === 204 ? [] : decodeTile((await get()).body as Buffer).cameras!.map((f) => f.properties.name));
    expect(await names()).not.toContain('路口T1');
    await postImport(w, 'admin', 'cameras', file([...cam('T1', 120.2095)]), { source: '圖磚' }).expect(200);
    expect(await names()).toContain('路口T1');
  });

  it('runs the same import on two instances at once without adding its rows twice', async () => {
    const other = w.instance({});
    const csv = file(cam('C1', 120.2011), cam('C2', 120.2012));
    const [a, b] = await Promise.all([
      postImport(w, 'admin', 'cameras', csv, { source: '並行' }),
      other.as('admin').post('/api/import/cameras?source=%E4%B8%A6%E8%A1%8C').set('Content-Type', 'text/csv').send(csv),
    ]);
    expect([a.body.counts.create, b.body.counts.create].sort()).toEqual([0, 2]);
    expect((await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_sources WHERE source = '並行'`)).rows[0]!.n).toBe(2);
  });
});

describe('nothing half-imported', () => {
  /** A file large enough that writing it takes several batches: 12,000 cameras across B1 and B2. */
  const large = () => file(...Array.from({ length: 12_000 }, (_, i) => cam(`H${i}`, 120.2001 + (i % 190) * 0.0001)));
  const until = async (test: () => Promise<boolean>) => { while (!(await test())) await new Promise((r) => setTimeout(r, 100)); };
  const abortedImports = async () => (await audits('import-aborted')).length;

  it('rolls back when the client goes away in the middle of the write', async () => {
    const before = await writeCounts(w.db, 'cameras');
    const aborted = await abortedImports();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${baseUrl}/api/import/cameras?source=${encodeURIComponent('中斷')}`, {
        method: 'POST', headers: { Authorization: `Bearer ${w.tokens.admin}`, 'Content-Type': 'text/csv', Accept: 'application/x-ndjson' },
      }, (res) => {
        res.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('"phase":"write"')) {
            req.destroy();
            resolve();
          }
        });
        res.on('end', () => reject(new Error('the import finished before it could be interrupted')));
      });
      req.on('error', () => undefined);
      req.end(large());
    });
    await until(async () => (await abortedImports()) > aborted);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('rolls back when the CLI is killed in the middle of the write, and the CLI reports an import otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emap-import-'));
    try {
      const path = join(dir, '監視器.csv');
      await writeFile(path, file(cam('K1', 120.201), cam('K2', 120.202, { azimuth: 'ZZ' })));
      // node itself with tsx as its loader (not tsx's launcher, which would outlive a SIGKILL in a child).
      const cli = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args],
        { env: { ...process.env, EMAP_TOKEN: w.tokens.admin, EMAP_URL: baseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
      const run = (args: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = cli(args);
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        child.on('exit', (code) => resolve({ code, out }));
      });
      const dry = await run(['cameras', path, '--dry-run', '--source', 'CLI']);
      expect(dry.code).toBe(1);
      expect(dry.out).toMatch(/試算完成，沒有寫入任何資料：2 列中有 1 列可以匯入（新增 1），1 列有錯誤。/);
      expect(dry.out).toMatch(/row 3: error: 欄位「方向」的「ZZ」不是方位角；請寫度數/);
      const valid = await run(['cameras', path, '--valid-only', '--source', 'CLI']);
      expect(valid.code).toBe(0);
      expect(valid.out).toMatch(/已匯入：新增 1；略過 1 列有錯誤的列。/);

      await writeFile(path, large());
      const before = await writeCounts(w.db, 'cameras');
      const aborted = await abortedImports();
      const child = cli(['cameras', path, '--source', 'CLI大檔']);
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => { if (/^write /m.test(d.toString())) { child.kill('SIGKILL'); resolve(); } });
        child.on('exit', () => reject(new Error('the CLI finished before it could be killed')));
      });
      await until(async () => (await abortedImports()) > aborted);
      expect(await writeCounts(w.db, 'cameras')).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('describes what an upload page may offer for a layer', async () => {
    const res = await request(w.app).get('/api/import/cameras').set('Authorization', `Bearer ${w.tokens.planner}`).expect(200);
    expect(res.body).toMatchObject({ layer: 'cameras', formats: ['csv', 'json', 'geojson', 'shapefile', 'kml', 'kmz'], encodings: ['utf-8', 'big5'] });
    expect(res.body.crs.map((c: { crs: string }) => c.crs)).toEqual(['EPSG:3824', 'EPSG:3825', 'EPSG:3826', 'EPSG:3828', 'EPSG:4326']);
    expect(res.body.targets.find((t: { target: string }) => t.target === 'azimuth')).toMatchObject({ label: '方位角（度）', required: true, words: expect.arrayContaining(['方向']) });
  });
});
