import { rename, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import { buildWeb } from '../../scripts/lib/web-build.js';
import { pgliteTemplateExists, pgliteTemplatePath, postgresTemplateName, withDatabase } from './template.js';

/**
 * Before any test file runs: builds the web app if its sources changed (the browser tests load
 * it) and the migrated template database.
 */
export default async function setup(): Promise<void> {
  await buildWeb({ ifStale: true });
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const name = postgresTemplateName();
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE ${name}`);
      const db = openPostgres(withDatabase(url, name));
      await migrate(db);
      await db.close();
    }
    await admin.end();
    return;
  }
  if (pgliteTemplateExists()) return;
  const db = await openPglite();
  await migrate(db);
  const dump = await db.dumpDataDir();
  await db.close();
  const tmp = `${pgliteTemplatePath()}.${process.pid}`;
  await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
  await rename(tmp, pgliteTemplatePath());
}
