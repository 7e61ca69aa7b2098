import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_DIST } from '../../server/web/static.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = join(ROOT, 'web');
/** Written last by a build: the hash of the sources it was built from. */
const STAMP = join(WEB_DIST, '.source-hash');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** What the built app depends on: its sources, its build config and the locked packages. */
function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of [...files(WEB), join(ROOT, 'package-lock.json')].sort()) {
    h.update(relative(ROOT, f)).update(readFileSync(f));
  }
  return h.digest('hex');
}

/** Builds web/ into dist/web unless `ifStale` and the last build is of the same sources. */
export async function buildWeb({ ifStale = false } = {}): Promise<{ built: boolean; ms: number }> {
  const t = performance.now();
  const hash = sourceHash();
  if (ifStale && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return { built: false, ms: 0 };
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(STAMP, hash);
  return { built: true, ms: performance.now() - t };
}
