import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../server/db/db.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import { generateDemoCity } from '../../server/demo/city/generate.js';
import { loadDemoCity } from '../../server/demo/city/load.js';
import type { DemoCity } from '../../server/demo/city/model.js';
import { readGround } from '../../server/demo/ground.js';
import { DEMO_SEED } from '../../server/demo/seed.js';
import { asAdmin, copyOfDatabase, freshDb } from './db.js';
import { postgresTemplateName, schemaHash, withDatabase } from './template.js';

/**
 * The demo city loaded into a fresh database, for one test file. Loading the whole ground
 * (13,652 basic areas, 1,141 beats) takes tens of seconds on PGlite, so the first file to ask
 * for a scale and day loads it once and keeps the result as a template (a PGlite dump in the
 * temp folder; a template database on PostgreSQL); the others copy it. Templates are keyed by
 * the schema, the demo code and extract, the scale and the day, so a change to any is a new
 * template.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function demoHash(scale: number, now: Date): string {
  const h = createHash('sha256').update(schemaHash()).update(String(scale)).update(now.toISOString());
  for (const f of [...filesUnder(join(ROOT, 'server/demo')), ...filesUnder(join(ROOT, 'sql/seed'))]) h.update(f).update(readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

async function load(db: Db, scale: number, now: Date): Promise<void> {
  await loadDemoCity(db, generateDemoCity({ seed: DEMO_SEED, scale, now }), readGround());
}

/** A fresh database holding the demo city at `scale` as generated for `now` (no accounts). */
export async function seededDb(scale: number, now: Date): Promise<{ db: Db; city: DemoCity }> {
  const city = generateDemoCity({ seed: DEMO_SEED, scale, now });
  const key = demoHash(scale, now);
  const url = process.env.DATABASE_URL;
  if (!url) {
    const path = join(tmpdir(), `emap-demo-${key}.tar.gz`);
    if (!existsSync(path)) {
      const db = await freshDb();
      await load(db, scale, now);
      const dump = await (db as Db & { dumpDataDir(): Promise<Blob> }).dumpDataDir();
      await db.close();
      const tmp = `${path}.${process.pid}`;
      await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
      await rename(tmp, path);
    }
    return { db: await openPglite({ loadDataDir: new Blob([await readFile(path)]) }), city };
  }
  const template = `emap_demo_${key}`;
  await asAdmin(url, async (admin) => {
    // One file builds the template while the others wait for it.
    await admin.query('SELECT pg_advisory_lock(4243)');
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (rows.length > 0) return;
    await admin.query(`CREATE DATABASE ${template} TEMPLATE ${postgresTemplateName()}`);
    const db = openPostgres(withDatabase(url, template));
    try {
      await load(db, scale, now);
    } catch (err) {
      await db.close();
      await admin.query(`DROP DATABASE ${template}`);
      throw err;
    }
    await db.close();
  });
  return { db: await copyOfDatabase(url, template), city };
}
