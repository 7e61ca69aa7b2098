import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Db } from '../../server/db/db.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import { pgliteTemplatePath, postgresTemplateName, withDatabase } from './template.js';

/**
 * A fresh, migrated, empty database for one test file: a copy of the template built by
 * global-setup, on real PostgreSQL when DATABASE_URL is set, else on embedded PGlite.
 * Closing it drops the copy.
 */
export async function freshDb(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dump = await readFile(pgliteTemplatePath());
    return openPglite({ loadDataDir: new Blob([dump]) });
  }
  return copyOfDatabase(url, postgresTemplateName());
}

/** Runs SQL as the server's administrator (CREATE/DROP DATABASE). */
export async function asAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** A new database copied from `template` on the server at `url`, dropped when closed. */
export async function copyOfDatabase(url: string, template: string): Promise<Db> {
  const name = `emap_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(url, (a) => a.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const db = openPostgres(withDatabase(url, name));
  return {
    ...db,
    async close() {
      await db.close();
      await asAdmin(url, (a) => a.query(`DROP DATABASE IF EXISTS ${name}`));
    },
  };
}
