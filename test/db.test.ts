import { readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText } from '../server/db/copy-text.js';
import { actAs, type Db } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { oneRow } from '../server/db/one-row.js';
import { lockDataDir } from '../server/db/data-dir-lock.js';
import { openPglite } from '../server/db/pglite.js';
import { inBackground } from '../server/db/priority.js';
import { freshDb } from './support/db.js';
import { pgliteTemplatePath } from './support/template.js';

let db: Db;
beforeAll(async () => { db = await freshDb(); });
afterAll(async () => { await db?.close(); });

describe('Db and migrations', () => {
  it(`runs on the expected database (${process.env.DATABASE_URL ? 'postgres' : 'pglite'}) with PostGIS`, async () => {
    expect(db.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
    const { rows } = await db.query<{ v: string; tz: string }>(`SELECT postgis_lib_version() AS v, current_setting('TimeZone') AS tz`);
    expect(rows[0]!.v).toMatch(/^3\./);
    expect(rows[0]!.tz).toBe('Asia/Taipei');
  });

  it('applies each migration once and records it', async () => {
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]!.n).toBeGreaterThanOrEqual(7);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    await db.exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE name = '003_units.sql'`);
    await expect(migrate(db)).rejects.toThrow(/003_units.sql was changed after it was applied/);
  });

  it('rolls a failed transaction back entirely', async () => {
    await expect(db.transaction(async (tx) => {
      await actAs(tx, 'test');
      await tx.query(`INSERT INTO bureaus (code, name) VALUES ('X', 'x')`);
      await tx.query(`INSERT INTO bureaus (code, name) VALUES (NULL, 'y')`);
    })).rejects.toThrow();
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bureaus`);
    expect(rows[0]!.n).toBe(0);
    const h = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history`);
    expect(h.rows[0]!.n).toBe(0);
  });

  it('refuses hard deletes of layer rows, so history cannot be lost', async () => {
    await db.transaction(async (tx) => {
      await actAs(tx, 'test');
      await tx.query(`INSERT INTO bureaus (code, name) VALUES ('TN', '臺南市政府警察局')`);
    });
    await expect(db.exec(`DELETE FROM bureaus`)).rejects.toThrow(/soft-deleted/);
    const { rows } = await db.query<{ actor: string; action: string }>(`SELECT actor, action FROM feature_history WHERE layer_table = 'bureaus'`);
    expect(rows).toEqual([{ actor: 'test', action: 'create' }]);
  });

  it('keeps a database error\'s code and detail, and a committed transaction\'s rows', async () => {
    await db.transaction(async (tx) => {
      await actAs(tx, 'test');
      await tx.query(`INSERT INTO bureaus (code, name) VALUES ('KH', '高雄市政府警察局')`);
    });
    const err = await db.query(`INSERT INTO bureaus (code, name) VALUES ('KH', 'again')`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', detail: expect.stringMatching(/\(code\)=\(KH\) already exists/) });
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM bureaus WHERE code = 'KH'`);
    expect(rows).toEqual([{ name: '高雄市政府警察局' }]);
  });
});

describe('checks that must not read silence as success', () => {
  it('oneRow gives the aggregate\'s row, and fails when the database answers none (PGlite\'s answer to a GEOS error)', async () => {
    expect(await oneRow(db, 'count', 'SELECT count(*)::int AS n FROM generate_series(1, $1::int)', [3])).toEqual({ n: 3 });
    await expect(oneRow(db, 'gap check', 'SELECT 1 AS n WHERE false', [])).rejects.toThrow(/gap check: the database answered 0 rows where one was due/);
  });

  it('a snap-rounded overlay answers where a floating one may fail: a hole joined to the outside by a 0.3 m slit', async () => {
    // Eight 1 km cells around a missing middle one, the south-middle cell 0.3 m short of its neighbour.
    const cells = [[1, 1], [1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2], [3, 3]].map(([r, c]) => {
      const east = 120.2 + c! * 0.01 - (r === 1 && c === 2 ? 0.3 / 102_620 : 0);
      return `ST_MakeEnvelope(${120.2 + (c! - 1) * 0.01}, ${22.99 + (r! - 1) * 0.01 / 3}, ${east}, ${22.99 + r! * 0.01 / 3}, 4326)`;
    });
    const { m2 } = await oneRow<{ m2: number }>(db, 'difference', `
      WITH cover AS (SELECT ST_Transform(ST_Union(g), 3826) AS g FROM (VALUES ${cells.map((c) => `(${c})`).join(', ')}) v(g)),
      outline AS (SELECT ST_Union(ST_MakePolygon(ST_ExteriorRing(d.geom))) AS g FROM cover, ST_Dump(ST_Buffer(ST_Buffer(cover.g, 1, 'join=mitre'), -1, 'join=mitre')) d)
      SELECT ST_Area(ST_Difference(outline.g, cover.g, 1e-5)) AS m2 FROM outline, cover`, []);
    // The missing cell (about 1,026 m × 369 m) and the slit.
    expect(m2).toBeGreaterThan(378_000);
    expect(m2).toBeLessThan(379_000);
  });
});

describe('the embedded folder\'s lock', () => {
  const ns = (() => { try { return readlinkSync('/proc/self/ns/pid'); } catch { return null; } })();
  const DEAD = 2 ** 22 + 12_345; // above Linux's pid_max: no process has it
  const lockIn = async (content: string | null, ageMs = 0) => {
    const dir = await mkdtemp(join(tmpdir(), 'emap-lock-'));
    if (content !== null) {
      await writeFile(join(dir, 'emap.lock'), content);
      const t = (Date.now() - ageMs) / 1000;
      await utimes(join(dir, 'emap.lock'), t, t);
    }
    return dir;
  };
  const holder = async (dir: string) => JSON.parse(await readFile(join(dir, 'emap.lock'), 'utf8')) as { pid: number; token: string };

  it('is one holder\'s: a second claim is refused saying by whom, and the release lets the next in', async () => {
    const dir = await lockIn(null);
    const release = await lockDataDir(dir);
    expect((await holder(dir)).pid).toBe(process.pid);
    await expect(lockDataDir(dir)).rejects.toThrow(new RegExp(`正由另一個程序（PID ${process.pid}）使用`));
    await release();
    await (await lockDataDir(dir))();
    await rm(dir, { recursive: true });
  });

  it('takes over a lock left by a process of this machine that has died; refuses one it cannot check', async () => {
    const stale = await lockIn(JSON.stringify({ pid: DEAD, host: hostname(), ns, token: 'gone' }));
    const release = await lockDataDir(stale);
    expect((await holder(stale)).pid).toBe(process.pid);
    await release();
    // Another machine or container sharing the folder: its pid cannot be checked from here.
    const elsewhere = await lockIn(JSON.stringify({ pid: DEAD, host: 'another-host', ns, token: 'theirs' }));
    await expect(lockDataDir(elsewhere)).rejects.toThrow(/emap\.lock 後再試/);
    // A lock being written (unreadable, fresh) is someone's; an unreadable one long left is not.
    await expect(lockDataDir(await lockIn(''))).rejects.toThrow(/正由另一個程序使用/);
    await (await lockDataDir(await lockIn('', 60_000)))();
  });

  it('a release removes only its own lock', async () => {
    const dir = await lockIn(null);
    const release = await lockDataDir(dir);
    // Someone took the folder over meanwhile (by hand, after deleting the file): theirs stays.
    const theirs = JSON.stringify({ pid: process.pid, host: 'another-host', ns, token: 'theirs' });
    await writeFile(join(dir, 'emap.lock'), theirs);
    await release();
    expect(await readFile(join(dir, 'emap.lock'), 'utf8')).toBe(theirs);
    await rm(dir, { recursive: true });
  });
});

describe('a transaction\'s statements sent without waiting', () => {
  it('run one after another in the order sent, with no warning from the driver', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const seen = await db.transaction(async (tx) => {
        await actAs(tx, 'test');
        const sent = [
          tx.query(`INSERT INTO bureaus (code, name) VALUES ('SEQ', 'first')`),
          tx.query(`UPDATE bureaus SET name = 'second' WHERE code = 'SEQ'`),
          tx.copyFrom('bureaus', ['code', 'name'], copyText([['SEQ2', 'third']])),
          tx.query<{ names: string }>(`SELECT string_agg(name, ',' ORDER BY code) AS names FROM bureaus WHERE code LIKE 'SEQ%'`),
        ] as const;
        return (await sent[3]).rows[0]!.names;
      });
      expect(seen).toBe('second,third');
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('COPY in a transaction', () => {
  it('copies values exactly, tabs, line breaks, backslashes and NULL included, and fires the triggers an insert fires', async () => {
    const awkward = 'a\tb\\c\nd\re 臺\n\\.';
    await db.transaction(async (tx) => {
      await actAs(tx, 'copier');
      await tx.copyFrom('bureaus', ['code', 'name', 'phone'], copyText([['CP1', awkward, null], ['CP2', '\\N', undefined]]));
    });
    const { rows } = await db.query<{ code: string; name: string; phone: string | null }>(
      `SELECT code, name, phone FROM bureaus WHERE code LIKE 'CP%' ORDER BY code`);
    expect(rows).toEqual([{ code: 'CP1', name: awkward, phone: null }, { code: 'CP2', name: '\\N', phone: null }]);
    const history = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE layer_table = 'bureaus' AND actor = 'copier'`);
    expect(history.rows[0]!.n).toBe(2);
  });

  it('writes nothing when a copied row is refused', async () => {
    await expect(db.transaction(async (tx) => {
      await actAs(tx, 'copier');
      await tx.copyFrom('bureaus', ['code', 'name'], copyText([['CP3', 'fine'], ['CP4', null]]));
    })).rejects.toThrow(/null value in column "name"/);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bureaus WHERE code IN ('CP3', 'CP4')`);
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a number that is not finite before sending anything', () => {
    expect(() => copyText([[Number.NaN]])).toThrow(RangeError);
  });
});

describe.runIf(!process.env.DATABASE_URL)('the embedded database, one statement at a time', () => {
  it('gives waiting interactive statements their turn before waiting background ones', async () => {
    const done: string[] = [];
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const busy = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      holding();
      await new Promise<void>((r) => (release = r));
    });
    await held;
    const waiting = [
      inBackground(() => db.query('SELECT 1')).then(() => done.push('background 1')),
      inBackground(() => db.query('SELECT 1')).then(() => done.push('background 2')),
      db.query('SELECT 1').then(() => done.push('interactive')),
    ];
    release();
    await Promise.all([busy, ...waiting]);
    expect(done).toEqual(['interactive', 'background 1', 'background 2']);
  });

  it('answers ping while busy with a statement, without waiting for it', async () => {
    let finished = false;
    const long = db.query('SELECT pg_sleep(2)').then(() => { finished = true; });
    await db.ping();
    expect(finished).toBe(false);
    await long;
  });

  it('runs the service\'s start at full priority and gives way to requests once told to serve them', async () => {
    // Threads of this process running below normal priority (nice 10: threads/nice.ts).
    const yielding = async () => {
      let n = 0;
      for (const task of await readdir('/proc/self/task')) {
        const stat = await readFile(`/proc/self/task/${task}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16] === '10') n++;
      }
      return n;
    };
    const before = await yielding();
    const started = await openPglite({ loadDataDir: new Blob([await readFile(pgliteTemplatePath())]), startUpFirst: true });
    try {
      await started.query('SELECT 1');
      expect(await yielding()).toBe(before);
      await started.serveRequestsFirst!();
      expect(await yielding()).toBe(before + 1);
    } finally {
      await started.close();
    }
  });
});
