import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
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

/** Files worth compressing: code and styles (source maps are for developers, fetched rarely). */
const COMPRESSIBLE = /\.(js|mjs|css|svg|json)$/;
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Writes a brotli (.br) and a gzip (.gz) copy beside every compressible asset, at the strongest
 * settings, once per build, so the service sends them without compressing per request.
 */
async function precompress(dir: string): Promise<void> {
  await Promise.all(readdirSync(dir).filter((f) => COMPRESSIBLE.test(f)).map(async (f) => {
    const bytes = readFileSync(join(dir, f));
    await Promise.all([
      brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
        .then((b) => writeFile(join(dir, `${f}.br`), b)),
      gzipped(bytes, { level: 9 }).then((g) => writeFile(join(dir, `${f}.gz`), g)),
    ]);
  }));
}

/** Builds web/ into dist/web unless `ifStale` and the last build is of the same sources. */
export async function buildWeb({ ifStale = false } = {}): Promise<{ built: boolean; ms: number }> {
  const t = performance.now();
  const hash = sourceHash();
  if (ifStale && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return { built: false, ms: 0 };
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  await precompress(join(WEB_DIST, 'assets'));
  writeFileSync(STAMP, hash);
  return { built: true, ms: performance.now() - t };
}
