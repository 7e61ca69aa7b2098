import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));

/**
 * Applies the migrations in sql/migrations in file-name order, each in its own transaction,
 * and records name and checksum so each runs once. An applied migration whose file changed
 * afterwards is an error: write a new migration instead of editing an old one.
 */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const name of files) {
    const sql = await readFile(MIGRATIONS_DIR + name, 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const ran = await db.transaction(async (tx) => {
      // Several app instances may start at once against one database: one migrates, the rest wait.
      await tx.query('SELECT pg_advisory_xact_lock(4242)');
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE name = $1', [name]);
      if (rows[0]) {
        if (rows[0].checksum !== checksum) {
          throw new Error(`migration ${name} was changed after it was applied; add a new migration instead`);
        }
        return false;
      }
      // A migration may rebuild an index over millions of rows: no statement limit for it.
      await tx.query('SET LOCAL statement_timeout = 0');
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [name, checksum]);
      return true;
    });
    if (ran) applied.push(name);
  }
  return applied;
}
