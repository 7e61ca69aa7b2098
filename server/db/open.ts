import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

type DbConfig = Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'PG_POOL_MAX' | 'PG_ACQUIRE_TIMEOUT_MS' | 'PG_STATEMENT_TIMEOUT_MS' | 'PG_HEAVY_STATEMENT_TIMEOUT_MS'>;

/** Real PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite persisted in DATA_DIR. */
export function openDb(config: DbConfig): Promise<Db> {
  if (!config.DATABASE_URL) return openPglite({ dataDir: config.DATA_DIR, startUpFirst: true });
  return Promise.resolve(openPostgres(config.DATABASE_URL, {
    max: config.PG_POOL_MAX, acquireTimeoutMs: config.PG_ACQUIRE_TIMEOUT_MS,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS, heavyStatementTimeoutMs: config.PG_HEAVY_STATEMENT_TIMEOUT_MS,
  }));
}

/** True when openDb will create a new embedded database (no PostgreSQL, nothing in DATA_DIR yet). */
export function createsEmbeddedDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): boolean {
  return !config.DATABASE_URL && !existsSync(join(config.DATA_DIR, 'PG_VERSION'));
}
