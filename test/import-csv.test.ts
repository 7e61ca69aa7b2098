import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraNameHints } from '../server/import/camera-names.js';
import { directionInName, parseDirection } from '../server/import/direction.js';
import { big5, csvText } from './support/files.js';
import { postImport, rowOf } from './support/imports.js';
import { hasSharedData, SHARED_DATA } from './support/shared-data.js';
import { openWorld, writeCounts, type World } from './support/world.js';

/**
 * Registers as CSV (and JSON tables): text encodings found or checked, Chinese and English
 * headers matched to the registry's properties, cells read as registers write them, camera
 * directions in words, and files that are broken in each way refused with a reason and no write.
 * World (support/world.ts): beats B1 [120.20,120.21], B2, B3 east of it, lat 22.99–23.00.
 */
let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w?.close(); });

const PLACE_HEADER = ['處所編號', '名稱', '地址', '類別', '列管日期', '下次查訪期限', '經度', '緯度'];
const place = (n: number, extra: Partial<Record<'category' | 'listed' | 'due', string>> = {}) =>
  [`K${n}`, `處所${n}`, `臺南市中西區府前路${n}號`, extra.category ?? '空屋', extra.listed ?? '113/05/01', extra.due ?? '2026-06-30', 120.2 + n * 0.001, 22.995];

/** Nothing written: rows and history of the layer are as they were. */
async function unchanged<T>(table: string, fn: () => Promise<T>): Promise<T> {
  const before = await writeCounts(w.db, table);
  const result = await fn();
  expect(await writeCounts(w.db, table)).toEqual(before);
  return result;
}

describe('text encodings', () => {
  const rows = [PLACE_HEADER, place(1), place(2)];

  it('reads UTF-8 with and without a byte-order mark, and Big5 as Excel saves it, and says which', async () => {
    const utf8 = csvText(rows);
    const cases: [Buffer, { name: string; how: string }][] = [
      [Buffer.from(utf8), { name: 'utf-8', how: 'detected' }],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)]), { name: 'utf-8', how: 'bom' }],
      [big5(utf8), { name: 'big5', how: 'detected' }],
    ];
    for (const [bytes, encoding] of cases) {
      const res = await postImport(w, 'admin', 'key-places', bytes, { dryRun: true, source: '處所清冊' }).expect(200);
      expect(res.body.file.encoding).toEqual(encoding);
      expect(res.body.preview.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(['處所1', '處所2']);
    }
    const told = await postImport(w, 'admin', 'key-places', big5(utf8), { dryRun: true, encoding: 'big5', source: '處所清冊' }).expect(200);
    expect(told.body.file.encoding).toEqual({ name: 'big5', how: 'parameter' });
  });

  it('reads Excel\'s "Unicode text": UTF-16 with a byte-order mark, tab-separated', async () => {
    const tsv = rows.map((r) => r.join('\t')).join('\r\n');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv, 'utf16le')]);
    const res = await postImport(w, 'admin', 'key-places', bytes, { dryRun: true, source: '處所清冊' }).expect(200);
    expect(res.body.file.encoding).toEqual({ name: 'utf-16le', how: 'bom' });
    expect(res.body.counts).toMatchObject({ rows: 2, error: 0 });
  });

  it('refuses a wrong encoding with the line where it goes wrong and what to send, writing nothing', async () => {
    const text = csvText(rows);
    await unchanged('key_places', async () => {
      const asUtf8 = await postImport(w, 'admin', 'key-places', big5(text), { encoding: 'utf-8' }).expect(400);
      expect(asUtf8.body.error).toMatchObject({ code: 'wrong_encoding', field: 'encoding' });
      expect(asUtf8.body.error.message).toMatch(/^檔案不是有效的 UTF-8（第 1 行的位元組 0x[0-9a-f]+），沒有寫入任何資料。它可以用 Big5 讀取：請加上 encoding=big5/);
      const asBig5 = await postImport(w, 'admin', 'key-places', Buffer.from(text), { encoding: 'big5' }).expect(400);
      expect(asBig5.body.error).toMatchObject({ code: 'wrong_encoding', message: expect.stringMatching(/^檔案在第 1 行不是有效的 Big5，沒有寫入任何資料。它是有效的 UTF-8：請改用 encoding=utf-8/) });
      // GB18030 bytes (the mainland's encoding) are neither UTF-8 nor Big5.
      const gb = Buffer.concat([big5('名稱,經度,緯度\r\n'), Buffer.from([0x81, 0x30, 0x81, 0x30]), Buffer.from(',120.2,22.99\r\n')]);
      const neither = await postImport(w, 'admin', 'key-places', gb).expect(400);
      expect(neither.body.error).toMatchObject({ code: 'wrong_encoding', message: expect.stringMatching(/^檔案既不是 UTF-8，也不是 Big5（950 字碼頁）：從第 2 行起無法解讀/) });
    });
  });
});

describe('columns', () => {
  it('matches Chinese labels, register words and English names, and says what each column feeds', async () => {
    const file = csvText([['Name', 'ADDRESS', '種類', 'listed_on', 'Next Visit Due', 'lng', 'LAT', '備考', '分局'],
      ['出租套房', '府前路1號', '改裝套房分租之透天住宅', '2024-05-01', '2026-06-30', 120.203, 22.995, '後門', '第一分局']]);
    const res = await postImport(w, 'admin', 'key-places', file, { dryRun: true }).expect(200);
    const plan = Object.fromEntries(res.body.columns.map((c: { column: string; target: string | null }) => [c.column, c.target]));
    expect(plan).toEqual({ Name: 'name', ADDRESS: 'address', 種類: 'category', listed_on: 'listed_on', 'Next Visit Due': 'next_visit_due', lng: 'lon', LAT: 'lat', 備考: null, 分局: null });
    const note = (column: string) => res.body.columns.find((c: { column: string }) => c.column === column).note;
    expect(note('分局')).toBe('「分局」（precinct_code）由系統依位置或紀錄自動產生，這個欄位不匯入。');
    expect(note('備考')).toBe('對不到任何欄位；要匯入它，請以 mapping={"備考": "<欄位代碼>"} 指定。');
    expect(res.body.preview.features[0].properties).toMatchObject({ category: 'subdivided_house', listed_on: '2024-05-01', beat_code: 'B1' });
  });

  it('follows a mapping, refuses one naming a column the file lacks or a target the layer lacks', async () => {
    const file = csvText([['甲', '乙', '丙', '丁', '戊'], ['民宅', '空屋', '備考文字', 120.203, 22.995]]);
    const mapping = { 甲: 'name', 乙: 'category', 丙: 'notes', 丁: 'lon', 戊: 'lat' };
    const res = await postImport(w, 'admin', 'key-places', file, { dryRun: true, mapping }).expect(200);
    expect(res.body.columns.every((c: { how: string }) => c.how === 'mapping')).toBe(true);
    expect(res.body.preview.features[0].properties).toMatchObject({ name: '民宅', category: 'vacant_house', notes: '備考文字' });
    const missing = await postImport(w, 'admin', 'key-places', file, { mapping: { ...mapping, 己: 'address' } }).expect(400);
    expect(missing.body.error).toEqual({ code: 'import_mapping_column_unknown', field: 'mapping',
      message: 'mapping 中的欄位「己」不在檔案中；檔案的欄位：甲、乙、丙、丁、戊。請改用檔案中的欄位名稱。' });
    const wrong = await postImport(w, 'admin', 'key-places', file, { mapping: { ...mapping, 丙: 'azimuth' } }).expect(400);
    expect(wrong.body.error).toMatchObject({ code: 'import_mapping_target_unknown', field: 'mapping',
      message: expect.stringMatching(/^mapping 把欄位「丙」對應到「azimuth」，但治安重點處所沒有這個欄位；請改用下列其中之一：name、.*，或寫 null 略過這個欄位。$/) });
  });

  it('refuses a file without a required column or coordinates, listing its columns and the targets for a mapping', async () => {
    await unchanged('key_places', async () => {
      const noCategory = await postImport(w, 'admin', 'key-places', csvText([['名稱', '經度', '緯度'], ['甲', 120.203, 22.995]])).expect(400);
      expect(noCategory.body.error).toMatchObject({ code: 'missing_columns', field: 'mapping' });
      expect(noCategory.body.error.message).toMatch(/^檔案缺少必填欄位：「類別」（category）（檔案的欄位：名稱、經度、緯度），沒有寫入任何資料。請以 mapping=\{"<欄位>": "category"\}/);
      expect(noCategory.body.error.details.targets.map((t: { target: string }) => t.target)).toContain('category');
      const noPosition = await postImport(w, 'admin', 'key-places', csvText([['名稱', '類別', '地址'], ['甲', '空屋', '府前路1號']])).expect(400);
      expect(noPosition.body.error).toMatchObject({ code: 'missing_columns', field: 'mapping', message: expect.stringMatching(/^檔案沒有坐標：欄位（名稱、類別、地址）中沒有 X\/Y（TWD97）、經度\/緯度或 WKT/) });
    });
  });

  it('remembers the mapping of a source and uses it for its next file', async () => {
    const mapping = { 場所: 'name', 型態: 'category', 東經: 'lon', 北緯: 'lat', 序: 'external_id' };
    const file = (n: number) => csvText([['序', '場所', '型態', '東經', '北緯'], [`A${n}`, `場所${n}`, '工寮', 120.203 + n * 0.001, 22.995]]);
    await postImport(w, 'planner', 'key-places', file(1), { mapping, source: '工寮清冊' }).expect(200);
    const next = await postImport(w, 'planner', 'key-places', file(2), { source: '工寮清冊' }).expect(200);
    expect(next.body.columns.map((c: { how: string }) => c.how)).toEqual(['saved', 'saved', 'saved', 'saved', 'saved']);
    expect(next.body.counts).toMatchObject({ create: 1, error: 0 });
    const sources = await w.as('planner').get('/api/import/key-places/sources').expect(200);
    expect(sources.body.sources).toEqual([expect.objectContaining({ source: '工寮清冊', mapping, encoding: 'utf-8', crs: 'EPSG:4326', updatedBy: 'planner', features: 2 })]);
  });
});

describe('cells', () => {
  it('reads ROC dates, ROC years, yes/no in Chinese, choices by label and numbers with units', async () => {
    const file = csvText([
      ['名稱', '方位角', '視角', '距離', '設置單位', '狀態', '車牌辨識', '公開', '建置年度', 'X', 'Y'],
      ['府前路口', '135', '60度', '40公尺', '警察局', '故障', '是', '否', '民國105年', 120.203, 22.995],
    ]);
    const res = await postImport(w, 'admin', 'cameras', file, { dryRun: true }).expect(200);
    expect(res.body.preview.features[0].properties).toMatchObject({
      azimuth: 135, fov: 60, range_m: 40, owner_kind: 'police', status: 'broken', lpr: true, is_public: false, install_year: 2016,
    });
    const dates = csvText([PLACE_HEADER, place(1, { listed: '民國113年5月1日', due: '1150630' }), place(2, { listed: '2024/5/1', due: '115.06.30' })]);
    const d = await postImport(w, 'admin', 'key-places', dates, { dryRun: true, source: '處所清冊' }).expect(200);
    for (const f of d.body.preview.features) expect(f.properties).toMatchObject({ listed_on: '2024-05-01', next_visit_due: '2026-06-30' });
  });

  it('names the column and what it expected when a cell cannot be read, and refuses impossible dates', async () => {
    const file = csvText([PLACE_HEADER, place(1, { category: '夜店' }), place(2, { listed: '113/02/30' }), place(3, { due: '下週' })]);
    const res = await unchanged('key_places', async () => (await postImport(w, 'admin', 'key-places', file, { source: '處所清冊' }).expect(422)).body);
    expect(rowOf(res, 2).errors![0]).toMatchObject({ code: 'invalid_value', column: '類別', field: 'properties.category' });
    expect(rowOf(res, 2).errors![0]!.message).toMatch(/^欄位「類別」的「夜店」不是可用的選項；請寫下列其中之一：舞廳（dance_hall）、/);
    expect(rowOf(res, 3).errors![0]).toMatchObject({ code: 'datetime_format', field: 'properties.listed_on', message: expect.stringMatching(/「2024-02-30」不是 ISO 8601/) });
    expect(rowOf(res, 4).errors![0]).toMatchObject({ code: 'invalid_value', column: '下次查訪期限', field: 'properties.next_visit_due',
      message: '欄位「下次查訪期限」的「下週」不是日期；請寫成例如 2024-05-01 或民國 113/05/01。' });
  });
});

describe('camera directions in words', () => {
  it('reads compass points with the words registers put around them, and degrees', () => {
    const cases: [string, number | null][] = [
      ['朝北', 0], ['往東南', 135], ['向西', 270], ['西北方', 315], ['面向北北東', 22.5], ['南側', 180], ['東北向', 45],
      ['北偏東30度', 30], ['南偏西15°', 195], ['西偏北10', 280], ['N', 0], ['NE', 45], ['ssw', 202.5], ['north-west', 315],
      ['135', 135], ['135°', 135], ['９０度', 90], ['朝中正路', null], ['往南寮', null], ['北偏南10度', null],
    ];
    for (const [text, bearing] of cases) expect(parseDirection(text), text).toBe(bearing);
  });

  it('finds the direction at the end of a name, as the 新竹市 list writes it, and not in place names', () => {
    const cases: [string, number | null][] = [
      ['105-1(擴)_009_中華路三段2號前朝南', 180],
      ['109重要-NO.5經國路與磐石路口往北-車牌', 0],
      ['110重要-NO.16中華路三段與林森路口朝林森路往北', 0],
      ['104-重_123_經國路公道五路口往南寮-內車道車牌', null],
      ['108重要擴充2-No.48北新竹車站前站停車場朝北新竹車站', null],
      ['105-重_138_西濱路海埔路口照南下(內)-車牌', null],
      ['105鄰里-No.007大同路建興街口朝中正路', null],
    ];
    for (const [name, bearing] of cases) expect(directionInName(name)?.bearing ?? null, name).toBe(bearing);
    expect(cameraNameHints('107重要-No.014世界街與府後街口-魚眼').values).toEqual({ fov: 360, azimuth: 0 });
    expect(cameraNameHints('109重要-NO.5經國路與磐石路口往北-車牌').values).toEqual({ azimuth: 0, lpr: true });
  });

  it.skipIf(!hasSharedData)('reads the real 新竹市 CCTV list: every row refused for want of coordinates, nothing written', async () => {
    const file = readFileSync(`${SHARED_DATA}hsinchu-city-police-cctv/HsinchuMonitorData.json`);
    const res = await unchanged('cameras', async () =>
      (await postImport(w, 'admin', 'cameras', file, { source: '新竹市監視器', defaults: { fov: 60, range_m: 30, owner_kind: 'police' } }).expect(422)).body);
    expect(res.file.format).toBe('json');
    expect(Object.fromEntries(res.columns.map((c: { column: string; target: string }) => [c.column, c.target]))).toEqual({ 編號: 'external_id', 分局: null, 攝影機名稱: 'name' });
    expect(res.counts).toMatchObject({ rows: 5119, error: 5119, ok: 0 });
    expect(new Set(res.rows.flatMap((r: { errors: { code: string }[] }) => r.errors.map((e) => e.code)))).toEqual(new Set(['no_position']));
  });

  it('takes the direction, a fisheye lens or a plate camera from the name of a new camera, and says so', async () => {
    const names = ['中華路三段2號前朝南', '世界街與府後街口-魚眼', '經國路與磐石路口往北-車牌', '大同路建興街口朝中正路'];
    const file = csvText([['編號', '攝影機名稱', '經度', '緯度'], ...names.map((n, i) => [i + 1, n, 120.201 + i * 0.001, 22.995])]);
    const res = await postImport(w, 'admin', 'cameras', file, { dryRun: true, source: '新竹', defaults: { fov: 60, range_m: 30, owner_kind: 'police' } }).expect(200);
    const props = res.body.preview.features.map((f: { properties: Record<string, unknown> }) => f.properties);
    expect(props.slice(0, 3).map((p: Record<string, unknown>) => [p.azimuth, p.fov, p.lpr])).toEqual([[180, 60, false], [0, 360, false], [0, 60, true]]);
    expect(rowOf(res.body, 2).warnings![0]!).toEqual({ code: 'from_name', field: 'properties.azimuth', message: '由名稱中的「朝南」判讀「方位角（度）」（azimuth）為 180。' });
    expect(rowOf(res.body, 4).warnings).toEqual(expect.arrayContaining([{ code: 'from_name', field: 'properties.lpr', message: '由名稱中的「車牌」判讀「車牌辨識」（lpr）為 是。' }]));
    expect(rowOf(res.body, 5).errors![0]!.message).toMatch(/缺少必填欄位：「[^」]+」（azimuth）/);
  });
});

describe('broken files', () => {
  it('reports a row with too many or too few cells, and imports the rest only when asked', async () => {
    const good = csvText([PLACE_HEADER, place(1)]).split('\r\n')[1]!;
    const file = `${PLACE_HEADER.join(',')}\r\n${good}\r\nK2,處所2,府前路2號,空屋\r\n${good.replace('K1', 'K3').replace('處所1', '處所3')},多餘\r\n`;
    const refused = await unchanged('key_places', async () => (await postImport(w, 'admin', 'key-places', file, { source: '斷行' }).expect(422)).body);
    expect(rowOf(refused, 3).errors![0]!).toEqual({ code: 'unreadable_row', message: '這一列有 4 格，標題列有 8 格：可能少了或多了分隔符號（逗號）或引號；請修正這一列。' });
    expect(rowOf(refused, 4).errors![0]!).toMatchObject({ code: 'unreadable_row', message: expect.stringMatching(/^這一列有 9 格，標題列有 8 格/) });
    expect(refused.message).toMatch(/或以 validOnly=true 只匯入其餘 1 列。$/);
    const some = await postImport(w, 'admin', 'key-places', file, { source: '斷行', validOnly: true }).expect(200);
    expect(some.body).toMatchObject({ committed: true, counts: { create: 1, error: 2 } });
  });

  it('refuses a quote that never closes, an empty file and a header named twice, with where', async () => {
    await unchanged('key_places', async () => {
      const quote = await postImport(w, 'admin', 'key-places', `名稱,類別,經度,緯度\r\n甲,空屋,120.2,22.99\r\n"乙,空屋,120.2,22.99\r\n丙,空屋,120.2,22.99\r\n`).expect(400);
      expect(quote.body.error).toMatchObject({ code: 'unreadable_file', field: 'file' });
      expect(quote.body.error.message).toMatch(/^CSV 第 \d+ 行有一格以引號開頭，引號卻沒有結束，沒有寫入任何資料。請補上結尾的引號/);
      const empty = await postImport(w, 'admin', 'key-places', '').expect(400);
      expect(empty.body.error).toEqual({ code: 'unreadable_file', field: 'file', message: '檔案是空的（0 位元組），沒有寫入任何資料。請確認選擇的檔案後再上傳。' });
      const blank = await postImport(w, 'admin', 'key-places', ',,\r\n甲,乙,丙\r\n').expect(400);
      expect(blank.body.error).toMatchObject({ code: 'unreadable_file', field: 'file', message: expect.stringMatching(/^檔案是空的：第一列必須是欄位名稱（標題列）/) });
      const twice = await postImport(w, 'admin', 'key-places', '名稱,名稱,經度,緯度\r\n甲,乙,120.2,22.99\r\n').expect(400);
      expect(twice.body.error).toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/標題列中的欄位名稱「名稱」出現了兩次/) });
    });
  });
});

describe('external ids', () => {
  it('asks which register a file with its own ids comes from, since ids are unique only within one', async () => {
    const res = await postImport(w, 'admin', 'key-places', csvText([PLACE_HEADER, place(1)])).expect(400);
    expect(res.body.error).toMatchObject({ code: 'import_source_required', field: 'source' });
    expect(res.body.error.message).toMatch(/^欄位「處所編號」是原系統的編號（external_id）：請以 source=… 指明資料來自哪個系統/);
  });
});
