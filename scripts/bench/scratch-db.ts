import pg from 'pg';
import type { Db } from '../../server/db/db.js';
import { openPglite } from '../../server/db/pglite.js';
import { migrate } from '../../server/db/migrate.js';
import { openPostgres } from '../../server/db/postgres.js';

/** Runs one statement on the PostgreSQL server of `serverUrl` (creating and dropping databases). */
export async function onServer(serverUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

/** `serverUrl` with another database. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * An empty database for one benchmark: in-memory PGlite, or a new database created on the
 * PostgreSQL server of `serverUrl` and dropped on close. Never touches the database in the URL.
 */
export async function scratchDb(kind: 'pglite' | 'postgres', serverUrl?: string): Promise<Db & { url?: string }> {
  if (kind === 'pglite') return openPglite();
  const name = `emap_bench_${process.pid}`;
  await onServer(serverUrl!, `DROP DATABASE IF EXISTS ${name}`);
  await onServer(serverUrl!, `CREATE DATABASE ${name}`);
  const url = databaseUrl(serverUrl!, name);
  const db = openPostgres(url);
  return { ...db, url, close: async () => { await db.close(); await onServer(serverUrl!, `DROP DATABASE IF EXISTS ${name}`); } };
}

/**
 * Runs `fn` on a new, migrated scratch database of each kind there is: PostgreSQL first when
 * `serverUrl` is given, then PGlite; each dropped after, and its rows collected.
 */
export async function onEachDatabase<R>(serverUrl: string | undefined, fn: (db: Db, kind: 'pglite' | 'postgres') => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const kind of serverUrl ? (['postgres', 'pglite'] as const) : (['pglite'] as const)) {
    const db = await scratchDb(kind, serverUrl);
    try {
      await migrate(db);
      out.push(await fn(db, kind));
    } finally {
      await db.close();
    }
  }
  return out;
}
