import pg from 'pg';
import type { Db } from '../../server/db/db.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';

/**
 * An empty database for one benchmark: in-memory PGlite, or a new database created on the
 * PostgreSQL server of `serverUrl` and dropped on close. Never touches the database in the URL.
 */
export async function scratchDb(kind: 'pglite' | 'postgres', serverUrl?: string): Promise<Db & { url?: string }> {
  if (kind === 'pglite') return openPglite();
  const name = `emap_bench_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`DROP DATABASE IF EXISTS ${name}`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString());
  return { ...db, url: url.toString(), close: async () => { await db.close(); await admin(`DROP DATABASE IF EXISTS ${name}`); } };
}
