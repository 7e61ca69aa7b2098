import type { Config } from '../config.js';
import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Real PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite persisted in DATA_DIR. */
export function openDb(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): Promise<Db> {
  return config.DATABASE_URL ? Promise.resolve(openPostgres(config.DATABASE_URL)) : openPglite({ dataDir: config.DATA_DIR });
}
