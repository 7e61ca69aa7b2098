/**
 * npm run export -- <layer> [--format geojson|csv|kml] [--crs EPSG:3826] [--encoding big5]
 *   [--header label|name] [--bbox minLon,minLat,maxLon,maxLat] [--datetime start/end]
 *   [--where property=value[,value…]]… [--out FILE] [--url http://127.0.0.1:8080] [--user NAME | --token TOKEN]
 *
 * Saves GET /api/export/{layer} of the running service to --out (or standard output): what the
 * signed-in user may read, filtered as the feature listing filters.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { authorization, CLIENT_OPTIONS, errorLine, runCli, UsageError } from './lib/client.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ...CLIENT_OPTIONS,
    format: { type: 'string', default: 'geojson' },
    crs: { type: 'string' },
    encoding: { type: 'string' },
    header: { type: 'string' },
    bbox: { type: 'string' },
    datetime: { type: 'string' },
    where: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const [layer] = positionals;
  if (!layer) throw new UsageError('usage: npm run export -- <layer> [--format geojson|csv|kml] [--crs EPSG:3826] [--out FILE] [--where status=broken]');
  const params = new URLSearchParams();
  for (const name of ['format', 'crs', 'encoding', 'header', 'bbox', 'datetime'] as const) if (values[name]) params.set(name, values[name]!);
  for (const w of values.where ?? []) {
    const eq = w.indexOf('=');
    if (eq < 1) throw new UsageError(`--where ${w}: give property=value`);
    params.set(w.slice(0, eq), w.slice(eq + 1));
  }
  const res = await fetch(new URL(`/api/export/${encodeURIComponent(layer)}?${params}`, values.url), { headers: await authorization(values) });
  if (!res.ok || !res.body) {
    console.error(errorLine(res.status, await res.json().catch(() => null)));
    return 1;
  }
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  await pipeline(body, values.out ? createWriteStream(values.out) : process.stdout);
  if (values.out) console.error(`saved ${layer} as ${values.format} to ${values.out}`);
  return 0;
}

runCli(main, 'export');
