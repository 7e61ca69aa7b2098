import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText } from '../server/db/copy-text.js';
import { actAs, type Db } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
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
