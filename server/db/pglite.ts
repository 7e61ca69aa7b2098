import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { TIME_ZONE, type Db, type Queryable } from './db.js';

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const r = await q.query<T>(sql, params as unknown[] | undefined);
      return { rows: r.rows };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL + PostGIS in WebAssembly. `dataDir` persists it on disk; without one it
 * lives in memory. `loadDataDir` starts from a dump (used by tests to skip migrations).
 */
export interface EmbeddedDb extends Db {
  /** The whole database as a tarball, for loadDataDir. */
  dumpDataDir(): Promise<Blob>;
}

export async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<EmbeddedDb> {
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis },
  });
  await pg.exec(`SET TimeZone = '${TIME_ZONE}'`);
  return {
    kind: 'pglite',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: () => pg.close(),
    dumpDataDir: () => pg.dumpDataDir('gzip'),
  };
}
