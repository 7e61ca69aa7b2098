/**
 * The service for the tile benchmark (tiles.ts), in its own process so the load generator does
 * not share its event loop. Prints `listening on http://127.0.0.1:<port>` when ready.
 *
 *  - DATABASE_URL or DATA_DIR as the service takes them; REDIS_URL for the tile cache in
 *    Redis, otherwise TILE_CACHE_MB for the in-memory one (0 caches nothing).
 *  - STATIC_TILES=<file> serves instead the pre-rendered tiles of that JSON file
 *    ({path: base64 gzip body}) from memory with bare Node http: the benchmark's ceiling.
 *  - GET /__bench/cpu answers this process's CPU time so far ({user, system} in µs), so the
 *    benchmark can tell the server's CPU per request from the load generator's.
 *  - BENCH_MAX_SECONDS (default 900): the process exits by itself after this long, so a
 *    benchmark that dies leaves nothing running.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createApp } from '../../server/app.js';
import { openTileCache } from '../../server/cache/open.js';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';

let closeDb = async () => {};

function staticTiles(file: string): RequestListener {
  const tiles = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).map(([path, base64]) => {
    const body = Buffer.from(base64, 'base64');
    const headers = {
      'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Encoding': 'gzip', 'Content-Length': body.length,
      ETag: `"${createHash('md5').update(body).digest('base64url')}"`,
    };
    return [path, { body, headers }];
  }));
  return (req, res) => {
    const tile = tiles.get(req.url ?? '');
    if (!tile) return void res.writeHead(404).end();
    res.writeHead(200, tile.headers);
    res.end(tile.body);
  };
}

async function service(): Promise<RequestListener> {
  const config = loadConfig();
  const db = await openDb(config);
  await db.serveRequestsFirst?.();
  closeDb = () => db.close();
  return createApp({ db, tileCache: openTileCache(config) });
}

const inner = process.env.STATIC_TILES ? staticTiles(process.env.STATIC_TILES) : await service();
const server = createServer((req, res) => {
  if (req.url === '/__bench/cpu') {
    const body = JSON.stringify(process.cpuUsage());
    return void res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
  }
  inner(req, res);
}).listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
});

const stop = (code: number) => void closeDb().catch(() => undefined).then(() => process.exit(code));
// PGlite keeps its files consistent only when closed.
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
setTimeout(() => {
  console.error(`tile-server: exiting after BENCH_MAX_SECONDS`);
  stop(2);
}, Number(process.env.BENCH_MAX_SECONDS ?? 900) * 1000).unref();
