import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText } from './support/files.js';
import { positionsBy, postImport, rowOf } from './support/imports.js';
import { binary } from './support/mvt.js';
import { box, openWorld, writeCounts, type World } from './support/world.js';

/**
 * Which features an import updates (issue 14, item 5): only those a row names by a key the
 * import was given — this service's ids in a file this instance exported (or with match=id),
 * the register's ids within a source, a unit's code. Two installations, `here` and `there`, each
 * with three key places of ids 1–3 (the ids collide, the places do not): a file exported there
 * and imported here adds its rows, moves and renames nothing, and updates those rows (not the
 * colliding ones) when imported again. A unit code taken is a 409 in Chinese.
 */
let here: World;
let there: World;

const PLACES = { here: ['夜貓KTV', '鐵皮屋甲', '空屋乙'], there: ['山海釣蝦場', '廢棄工廠丙', '工寮丁'] };
const at = (i: number): [number, number] => [120.202 + i * 0.004, 22.993];

async function addPlaces(w: World, names: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, name] of names.entries()) {
    const res = await w.as('admin').post('/api/layers/key-places/features')
      .send({ type: 'Feature', properties: { name, category: 'vacant_house' }, geometry: { type: 'Point', coordinates: at(i) } }).expect(201);
    ids.push(res.body.id);
  }
  return ids;
}

const instanceOf = async (w: World) => (await w.db.query<{ id: string }>('SELECT id::text FROM service_instance')).rows[0]!.id;
const exportCsv = async (w: World) =>
  ((await w.as('admin').get('/api/export/key-places?format=csv').buffer(true).parse(binary).expect(200)).body as Buffer).toString('utf8').replace(/^\uFEFF/, '');
/** Name, position and version of each live key place, by id. */
const state = async (w: World) => (await w.db.query<{ id: number; name: string; lon: number; lat: number; version: number }>(
  'SELECT id::int, name, ST_X(geom) AS lon, ST_Y(geom) AS lat, version FROM key_places WHERE deleted_at IS NULL ORDER BY id')).rows;

beforeAll(async () => {
  [here, there] = await Promise.all([openWorld(), openWorld()]);
  // Test databases are copies of one template: give the second an identity of its own.
  await there.db.query('UPDATE service_instance SET id = gen_random_uuid()');
  await addPlaces(here, PLACES.here);
  await addPlaces(there, PLACES.there);
});
afterAll(async () => { await Promise.all([here?.close(), there?.close()]); });

describe('files exported by this instance', () => {
  it('carry its id beside every feature id, and update the same features when imported back', async () => {
    const csv = exportCsv(here);
    const [header, first] = (await csv).split('\r\n');
    expect(header!.startsWith('id,instance,')).toBe(true);
    expect(first!.split(',')[1]).toBe(await instanceOf(here));
    const edited = (await csv).replace('夜貓KTV', '夜貓KTV（已歇業）');
    const before = await state(here);
    const res = await postImport(here, 'admin', 'key-places', edited).expect(200);
    expect(res.body).toMatchObject({ match: 'auto', counts: { update: 1, unchanged: 2, create: 0 }, warnings: [] });
    const after = await state(here);
    expect(after.map((p) => p.name)).toEqual(['夜貓KTV（已歇業）', '鐵皮屋甲', '空屋乙']);
    expect(after.map((p) => p.version)).toEqual([before[0]!.version + 1, before[1]!.version, before[2]!.version]);
  });

  it('add every row as a new feature with match=none', async () => {
    const res = await postImport(here, 'admin', 'key-places', await exportCsv(here), { match: 'none', dryRun: true }).expect(200);
    expect(res.body.counts).toMatchObject({ rows: 3, create: 3, update: 0 });
  });
});

describe('files exported by another instance', () => {
  it('add their rows, rename and move nothing here, and update those rows when imported again', async () => {
    const file = await exportCsv(there);
    const before = await state(here);
    const counts = await writeCounts(here.db, 'key_places');
    const first = await postImport(here, 'admin', 'key-places', file).expect(200);
    expect(first.body.counts).toMatchObject({ rows: 3, create: 3, update: 0, unchanged: 0 });
    expect(first.body.warnings).toEqual([expect.stringMatching(new RegExp(`^3 rows were exported by another instance of this service \\(${await instanceOf(there)}\\): they do not update features here by their ids`))]);
    // The three places here (ids 1–3, the same ids as the file's) are as they were.
    expect((await state(here)).slice(0, 3)).toEqual(before.slice(0, 3));
    expect(await writeCounts(here.db, 'key_places')).toEqual({ rows: counts.rows + 3, history: counts.history + 3 });
    const copies = await positionsBy(here, 'key_places', 'name');
    expect(PLACES.there.map((n) => copies.get(n))).toEqual([at(0), at(1), at(2)]);

    const again = await postImport(here, 'admin', 'key-places', file).expect(200);
    expect(again.body.counts).toMatchObject({ create: 0, update: 0, unchanged: 3 });
    const edited = await postImport(here, 'admin', 'key-places', file.replace('工寮丁', '工寮丁（拆除）')).expect(200);
    expect(edited.body.counts).toMatchObject({ create: 0, update: 1, unchanged: 2 });
    const names = (await state(here)).map((p) => p.name);
    expect(names.slice(0, 3)).toEqual(before.slice(0, 3).map((p) => p.name));
    expect(names).toContain('工寮丁（拆除）');
  });

  it('refuse their rows under match=id, since their ids are not this service\'s', async () => {
    const res = await postImport(here, 'admin', 'key-places', await exportCsv(there), { match: 'id', dryRun: true }).expect(200);
    expect(rowOf(res.body, 2).errors![0]).toMatchObject({ code: 'other_instance', field: 'id' });
    expect(res.body.counts).toMatchObject({ error: 3, update: 0, create: 0 });
  });
});

describe('ids a file does not vouch for', () => {
  it('find nothing by default (the rows are added, and the report says why), and find their features with match=id', async () => {
    const id = (await state(here))[0]!.id;
    const csv = csvText([['id', '名稱', '類別', '經度', '緯度'], [id, '改名處所', '空屋', 121.5, 25.05]]);
    const plain = await postImport(here, 'admin', 'key-places', csv, { dryRun: true }).expect(200);
    expect(plain.body.counts).toMatchObject({ create: 1, update: 0 });
    expect(plain.body.warnings).toEqual(['the id column does not say which instance its ids belong to (this service\'s exports say so in a column instance), so 1 rows were not matched by id and are added as new features; if the ids are this service\'s, import with match=id']);
    const byId = await postImport(here, 'admin', 'key-places', csv, { dryRun: true, match: 'id' }).expect(200);
    expect(rowOf(byId.body, 2)).toMatchObject({ action: 'update', id });
  });

  it('refuse an instance cell that is not an instance id, and matching by keys the file does not have', async () => {
    const id = (await state(here))[0]!.id;
    const odd = await postImport(here, 'admin', 'key-places', csvText([['id', 'instance', '名稱'], [id, 'other-system', '甲']]), { dryRun: true }).expect(200);
    expect(rowOf(odd.body, 2).errors![0]).toMatchObject({ code: 'invalid_value', field: 'instance' });
    const noKeys = await postImport(here, 'admin', 'key-places', csvText([['名稱', '類別'], ['甲', '空屋']]), { match: 'external_id', source: '某系統' }).expect(400);
    expect(noKeys.body.error).toMatchObject({ code: 'import_match_external_id', field: 'match', message: expect.stringMatching(/^match=external_id 以原系統的編號找出要更新的資料/) });
    const noIds = await postImport(here, 'admin', 'key-places', csvText([['名稱', '類別'], ['甲', '空屋']]), { match: 'id' }).expect(400);
    expect(noIds.body.error).toMatchObject({ code: 'import_match_id_column', field: 'match', message: expect.stringMatching(/但沒有欄位對應到 id/) });
    const units = await postImport(here, 'admin', 'beats', csvText([['代碼', '名稱'], ['B1', '第1警勤區']]), { match: 'id' }).expect(400);
    expect(units.body.error).toMatchObject({ code: 'import_match_units', field: 'match', message: '警勤區一律以代碼比對既有資料：請拿掉 match。' });
    const nearest = await postImport(here, 'admin', 'key-places', 'x', { match: 'nearest' }).expect(400);
    expect(nearest.body.error).toMatchObject({ code: 'import_match', field: 'match', message: expect.stringMatching(/^「match」不能是「nearest」，必須是下列其中之一：auto/) });
  });
});

describe('unit codes', () => {
  const beat = (code: string, name: string, west: number) => ({ type: 'Feature', properties: { code, name, station_code: 'S1' }, geometry: box(west, 23.0, west + 0.01, 23.01) });

  it('answer a code another unit has with a 409 that names the code, the unit and what to do', async () => {
    const { rows: [b1] } = await here.db.query<{ id: number }>(`SELECT id::int FROM beats WHERE code = 'B1'`);
    const before = await writeCounts(here.db, 'beats');
    const taken = await here.as('admin').post('/api/layers/beats/features').send(beat('B1', '新警勤區', 120.2)).expect(409);
    expect(taken.body.error).toEqual({ code: 'duplicate_code', field: 'properties.code',
      message: `代碼「B1」已由警勤區「第1警勤區」（編號 ${b1!.id}）使用，同一代碼只能屬於一個警勤區，沒有寫入任何資料。請改用其他代碼，或修改該警勤區（PATCH /api/layers/beats/features/${b1!.id}）。` });
    expect(await writeCounts(here.db, 'beats')).toEqual(before);

    const created = await here.as('admin').post('/api/layers/beats/features').send(beat('B9', '第9警勤區', 120.2)).expect(201);
    const renamed = await here.as('admin').patch(`/api/layers/beats/features/${created.body.id}`).set('If-Match', '*').send({ properties: { code: 'B2' } }).expect(409);
    expect(renamed.body.error.message).toMatch(/^代碼「B2」已由警勤區「第2警勤區」/);
    // A deleted unit gives its code up; restoring it once another unit has the code is refused the same way.
    await here.as('admin').delete(`/api/layers/beats/features/${created.body.id}`).set('If-Match', '*').expect(204);
    await here.as('admin').post('/api/layers/beats/features').send(beat('B9', '新第9警勤區', 120.21)).expect(201);
    const restored = await here.as('admin').post(`/api/layers/beats/features/${created.body.id}/restore`).expect(409);
    expect(restored.body.error.message).toMatch(/^代碼「B9」已由警勤區「新第9警勤區」/);
  });
});
