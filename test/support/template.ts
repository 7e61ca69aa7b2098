import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Identity of the schema: a hash of every migration. Test templates are keyed by it, so a run
 * after a schema change builds a new template and an unchanged schema reuses the old one.
 */
export function schemaHash(): string {
  const dir = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

/** Where the migrated PGlite template is kept between runs. */
export const pgliteTemplatePath = () => join(tmpdir(), `emap-template-${schemaHash()}.tar.gz`);
export const pgliteTemplateExists = () => existsSync(pgliteTemplatePath());

/** Name of the migrated template database on a real PostgreSQL server. */
export const postgresTemplateName = () => `emap_template_${schemaHash()}`;

/** A connection string to another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
