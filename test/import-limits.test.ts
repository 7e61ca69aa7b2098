import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.js';
import type { HttpError } from '../server/http/errors.js';
import { fileReader } from '../server/import/file-reader.js';
import { DEFAULT_IMPORT_LIMITS, importLimitsFrom } from '../server/import/limits.js';
import { deflatedRepeat, ring, zipOf } from './hostile/files.js';
import { csvText, kmlDoc } from './support/files.js';
import { postImport } from './support/imports.js';
import { binary } from './support/mvt.js';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * The limits of an import and of a shape (README "Limits and hardening"): each read from its
 * variable, each holding exactly at its value (the value passes, one more is refused with a 413
 * naming it in Chinese), and the worker that reads a file ended by its heap limit or its
 * deadline while the server goes on serving. The hostile corpus (test/hostile) holds the
 * defaults against the attacks of issue 14.
 */
let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

const MiB = 2 ** 20;
/** A CSV of cameras in B1, `n` rows. */
const cameras = (n: number) => csvText([['名稱', '方向', '視角', '距離', '設置單位', '經度', '緯度'],
  ...Array.from({ length: n }, (_, i) => [`路口${i}`, 90, 60, 40, '警察機關', 120.201 + (i % 80) * 0.0001, 22.995])]);

describe('a bomb', () => {
  // First in the file, so the process's peak memory before it is the test world's alone.
  it('of three 1 GiB entries is refused by its directory and costs the server almost nothing', async () => {
    const zeros = await deflatedRepeat('zeros', Buffer.alloc(MiB), 2 ** 30);
    const bomb = zipOf(['a.shp', 'a.shx', 'a.dbf'].map((name) => ({ ...zeros, name })));
    const lying = zipOf(['a.shp', 'a.shx', 'a.dbf'].map((name) => ({ ...zeros, name, size: 1024 })));
    const peak = process.resourceUsage().maxRSS;
    const honest = await postImport(w, 'officer', 'cameras', bomb, { dryRun: true }).expect(413);
    expect(honest.body.error).toMatchObject({ code: 'archive_too_large', details: { limit: 'IMPORT_MAX_EXPANDED', max: 256 * MiB } });
    const liar = await postImport(w, 'officer', 'cameras', lying, { dryRun: true }).expect(400);
    expect(liar.body.error.message).toBe('壓縮檔已損壞或不完整：解壓縮後的大小與目錄記載不符（a.shp），沒有寫入任何資料。請重新壓縮，或重新下載完整的檔案後再上傳。');
    // maxRSS is in KiB: expanding one entry would add 1 GiB.
    expect((process.resourceUsage().maxRSS - peak) * 1024).toBeLessThan(128 * MiB);
  });
});

describe('limits from the environment', () => {
  it('reads each variable, keeps the defaults for the rest, and stops the start on a bad value', () => {
    const limits = importLimitsFrom(loadConfig({ IMPORT_MAX_ROWS: '5', IMPORT_MAX_EXPANDED: '10mb', MAX_FEATURE_VERTICES: '300', IMPORT_READ_TIMEOUT: '5' }));
    expect(limits).toEqual({ ...DEFAULT_IMPORT_LIMITS, maxRows: 5, maxExpandedBytes: 10 * MiB, maxFeatureVertices: 300, readTimeoutSeconds: 5 });
    expect(importLimitsFrom(loadConfig({}))).toEqual(DEFAULT_IMPORT_LIMITS);
    expect(() => loadConfig({ IMPORT_MAX_ROWS: '0' })).toThrow(/IMPORT_MAX_ROWS: IMPORT_MAX_ROWS must be at least 1/);
    expect(() => loadConfig({ IMPORT_MAX_COLUMNS: 'many' })).toThrow(/IMPORT_MAX_COLUMNS must be a whole number/);
    expect(() => loadConfig({ IMPORT_MAX_LINE: 'long' })).toThrow(/IMPORT_MAX_LINE must be a size such as 64mb/);
  });
});

describe('each limit at its value', () => {
  it('rows: the limit passes, one more is refused whole with the variable and what to do', async () => {
    const app = w.instance({ importLimits: { maxRows: 3 } });
    const agent = { ...w, as: app.as };
    await postImport(agent, 'admin', 'cameras', cameras(3), { dryRun: true }).expect(200);
    const before = await writeCounts(w.db, 'cameras');
    const res = await postImport(agent, 'admin', 'cameras', cameras(4)).expect(413);
    expect(res.body.error).toEqual({ code: 'too_many_rows', field: 'file', details: { limit: 'IMPORT_MAX_ROWS', max: 3 },
      message: '檔案超過 3 列（筆）的匯入上限（IMPORT_MAX_ROWS），沒有寫入任何資料。請分成幾個檔案分批匯入，或請系統管理者調高 IMPORT_MAX_ROWS。' });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('columns, cells and line length, in CSV', async () => {
    const app = w.instance({ importLimits: { maxColumns: 7, maxCells: 14, maxLineChars: 200 } });
    const agent = { ...w, as: app.as };
    await postImport(agent, 'admin', 'cameras', cameras(2), { dryRun: true }).expect(200);
    const wide = csvText([['名稱', '方向', '視角', '距離', '設置單位', '經度', '緯度', '備註'], ['甲', 90, 60, 40, '警察機關', 120.201, 22.995, '']]);
    expect((await postImport(agent, 'admin', 'cameras', wide, { dryRun: true }).expect(413)).body.error.details).toEqual({ limit: 'IMPORT_MAX_COLUMNS', max: 7 });
    expect((await postImport(agent, 'admin', 'cameras', cameras(3), { dryRun: true }).expect(413)).body.error.details).toEqual({ limit: 'IMPORT_MAX_CELLS', max: 14 });
    const long = csvText([['名稱', '方向', '視角', '距離', '設置單位', '經度', '緯度'], ['甲'.repeat(250), 90, 60, 40, '警察機關', 120.201, 22.995]]);
    const res = await postImport(agent, 'admin', 'cameras', long, { dryRun: true }).expect(413);
    expect(res.body.error).toMatchObject({ code: 'line_too_long', details: { limit: 'IMPORT_MAX_LINE', max: 200 } });
    expect(res.body.error.message).toMatch(/^第 2 行超過 200 個字元的上限（IMPORT_MAX_LINE）/);
  });

  it('vertices of a shape, through the import and the feature API alike, and of a file', async () => {
    const app = w.instance({ importLimits: { maxFeatureVertices: 50, maxFileVertices: 120 } });
    const agent = { ...w, as: app.as };
    const block = (n: number) => ({ type: 'Feature', properties: { name: `區塊${n}`, adopter: '府前里', adopter_kind: 'community' },
      geometry: { type: 'Polygon', coordinates: [ring(n, 120.205, 22.995, 0.002)] } });
    const file = (...ns: number[]) => JSON.stringify({ type: 'FeatureCollection', features: ns.map(block) });
    await postImport(agent, 'admin', 'watch-blocks', file(50), { dryRun: true }).expect(200);
    const one = await postImport(agent, 'admin', 'watch-blocks', file(40, 51), { dryRun: true }).expect(413);
    expect(one.body.error).toMatchObject({ code: 'feature_too_many_vertices', details: { limit: 'MAX_FEATURE_VERTICES', max: 50 } });
    expect(one.body.error.message).toMatch(/^第 2 筆的圖形超過 50 個頂點的上限（MAX_FEATURE_VERTICES）/);
    const all = await postImport(agent, 'admin', 'watch-blocks', file(50, 50, 21), { dryRun: true }).expect(413);
    expect(all.body.error.details).toEqual({ limit: 'IMPORT_MAX_VERTICES', max: 120 });

    const before = await writeCounts(w.db, 'watch_blocks');
    await app.as('admin').post('/api/layers/watch-blocks/features').send(block(50)).expect(201);
    const refused = await app.as('admin').post('/api/layers/watch-blocks/features').send(block(51)).expect(413);
    expect(refused.body.error).toMatchObject({ code: 'feature_too_many_vertices', field: 'geometry', details: { limit: 'MAX_FEATURE_VERTICES', max: 50 } });
    const id = (await w.db.query<{ id: number }>(`SELECT id::int FROM watch_blocks WHERE name = '區塊50'`)).rows[0]!.id;
    await app.as('admin').patch(`/api/layers/watch-blocks/features/${id}`).set('If-Match', '*').send({ geometry: block(51).geometry }).expect(413);
    expect(await writeCounts(w.db, 'watch_blocks')).toEqual({ rows: before.rows + 1, history: before.history + 1 });
  });

  it('files in a zip and the size of a KML', async () => {
    const app = w.instance({ importLimits: { maxEntries: 3, maxKmlBytes: 1000 } });
    const agent = { ...w, as: app.as };
    const entries = await Promise.all(['a.shp', 'a.shx', 'a.dbf', 'a.prj'].map((name) => deflatedRepeat(name, Buffer.from('x'), 10)));
    const res = await postImport(agent, 'admin', 'cameras', zipOf(entries), { dryRun: true }).expect(413);
    expect(res.body.error.message).toMatch(/^壓縮檔內有 4 個檔案，超過 3 個的上限（IMPORT_MAX_ENTRIES）/);
    const kml = kmlDoc(Array.from({ length: 10 }, (_, i) => ({ name: `路口${i}`, point: [120.201 + i * 0.0001, 22.995] as [number, number] })));
    expect((await postImport(agent, 'admin', 'cameras', kml, { dryRun: true }).expect(413)).body.error).toMatchObject({ code: 'kml_too_large', details: { limit: 'IMPORT_MAX_KML' } });
  });
});

describe('the worker that reads a file', () => {
  /** A KML of `n` placemarks: reading it as a document is heavy (about 100 × its size). */
  const heavyKml = (n: number) => kmlDoc(Array.from({ length: n }, (_, i) => ({ name: `路口${i}`, point: [120.201 + (i % 90) * 0.0001, 22.995] as [number, number],
    data: { 編號: `K${i}`, 方向: '北' } })));

  it('is ended when the file needs more than its heap, and the server serves on', async () => {
    const app = w.instance({ importLimits: { workerHeapMb: 32 } });
    const agent = { ...w, as: app.as };
    const before = await writeCounts(w.db, 'cameras');
    const res = await postImport(agent, 'admin', 'cameras', heavyKml(20_000), { dryRun: true }).expect(413);
    expect(res.body.error).toEqual({ code: 'import_out_of_memory', field: 'file', details: { limit: 'IMPORT_WORKER_HEAP_MB', max: 32 },
      message: '讀取這個檔案所需的記憶體超過匯入上限 32 MB（IMPORT_WORKER_HEAP_MB），已停止讀取，沒有寫入任何資料。請分成幾個較小的檔案匯入，或請系統管理者調高 IMPORT_WORKER_HEAP_MB。' });
    await app.as('public').get('/api/health').expect(200);
    await postImport(agent, 'admin', 'cameras', cameras(2), { dryRun: true }).expect(200);
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('is ended at its deadline, and the server serves on', async () => {
    const app = w.instance({ importLimits: { readTimeoutSeconds: 1 } });
    const agent = { ...w, as: app.as };
    const res = await postImport(agent, 'admin', 'cameras', heavyKml(15_000), { dryRun: true }).expect(413);
    expect(res.body.error).toMatchObject({ code: 'import_timeout', details: { limit: 'IMPORT_READ_TIMEOUT', max: 1 } });
    expect(res.body.error.message).toMatch(/^讀取這個檔案超過 1 秒的上限（IMPORT_READ_TIMEOUT），已停止讀取/);
    await app.as('public').get('/api/health').expect(200);
  });

  it('reads at most IMPORT_WORKERS files at once, queues four per worker, and turns more away with 503 and Retry-After', async () => {
    const reader = fileReader({ ...DEFAULT_IMPORT_LIMITS, workers: 1 });
    const file = Buffer.from(cameras(2));
    // Six reads asked for in one go: one runs, four wait, the sixth finds the queue full.
    const reads = Array.from({ length: 6 }, () => reader.read(file, { format: 'csv' }, new AbortController().signal).then((t) => t.records.length, (e: HttpError) => e));
    const results = await Promise.all(reads);
    expect(results.slice(0, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(results[5]).toMatchObject({ status: 503, code: 'service_busy', headers: { 'Retry-After': '10' } });
  });

  it('ends with the NDJSON stream\'s last line when the client asked for progress', async () => {
    const app = w.instance({ importLimits: { maxRows: 1 } });
    const res = await app.as('admin').post('/api/import/cameras?dryRun=true').set('Accept', 'application/x-ndjson').set('Content-Type', 'text/csv').send(cameras(2)).buffer(true).parse(binary).expect(200);
    const lines = (res.body as Buffer).toString().trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: number; error?: { code: string } });
    expect(lines.at(-1)).toMatchObject({ type: 'error', status: 413, error: { code: 'too_many_rows' } });
  });
});
