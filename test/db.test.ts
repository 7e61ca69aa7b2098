import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, type Db } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { freshDb } from './support/db.js';

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
});
