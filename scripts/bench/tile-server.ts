/**
 * The service for the tile benchmark, in its own process so the load generator does not share
 * its event loop: DATABASE_URL or DATA_DIR as the service takes them; TILE_CACHE_MB=0 caches
 * nothing (every tile rendered). STATIC_TILES=<file> instead serves the pre-rendered tiles in
 * that JSON file ({path: base64 gzip body}) with bare Node http: the benchmark's ceiling.
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createApp } from '../../server/app.js';
import { TileCache } from '../../server/cache/tile-cache.js';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';

let closeDb = async () => {};

async function listener(): Promise<RequestListener> {
  const file = process.env.STATIC_TILES;
  if (file) {
    const tiles = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
      .map(([path, body]) => [path, Buffer.from(body, 'base64')]));
    return (req, res) => {
      const body = tiles.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
      res.end(body);
    };
  }
  const config = loadConfig();
  const db = await openDb(config);
  closeDb = () => db.close();
  return createApp({ db, tileCache: TileCache.memory(config.TILE_CACHE_MB * 2 ** 20) });
}

const server = createServer(await listener()).listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
});
// PGlite keeps its files consistent only when closed.
process.on('SIGTERM', () => void closeDb().then(() => process.exit(0)));
