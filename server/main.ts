import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import { TileCache } from './cache/tile-cache.js';
import { limitsOf, loadConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { openDb } from './db/open.js';
import { RedisBuckets } from './limits/redis-buckets.js';
import { MemoryBuckets } from './limits/token-bucket.js';
import { DEMO_USERNAMES, hasDemoAccounts, isEmpty, randomPassword, seedDemo, setDemoAccounts } from './demo/seed.js';

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  const db = await openDb(config);
  const applied = await migrate(db);
  const where = db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL';
  console.log(`database: ${where}; ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'} (${seconds(started)} s)`);

  const seedWanted = config.SEED_DEMO === 'yes' || (config.SEED_DEMO === 'auto' && db.kind === 'pglite');
  if (seedWanted && (await isEmpty(db))) {
    const t = performance.now();
    const password = config.DEMO_PASSWORD ?? randomPassword();
    const counts = await seedDemo(db, { password, scale: config.DEMO_SCALE });
    console.log(`demo city seeded in ${seconds(t)} s: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    console.log(`demo accounts ${DEMO_USERNAMES.join(', ')}; password: ${config.DEMO_PASSWORD ? '(DEMO_PASSWORD)' : password}`);
  } else if (config.DEMO_PASSWORD && (await hasDemoAccounts(db))) {
    await setDemoAccounts(db, config.DEMO_PASSWORD);
    console.log('demo accounts: password set from DEMO_PASSWORD');
  }

  const tileCache = config.REDIS_URL ? TileCache.redis(config.REDIS_URL) : TileCache.memory(config.TILE_CACHE_MB * 2 ** 20);
  console.log(`tile cache: ${config.REDIS_URL ? `Redis at ${new URL(config.REDIS_URL).host}` : `${config.TILE_CACHE_MB} MB of memory`}`);
  const basemap = config.BASEMAP_URL ? { url: config.BASEMAP_URL, attribution: config.BASEMAP_ATTRIBUTION } : undefined;
  const buckets = config.REDIS_URL ? new RedisBuckets(config.REDIS_URL) : new MemoryBuckets();
  const app = createApp({
    db, bodyLimit: config.BODY_LIMIT, importLimitBytes: config.IMPORT_BODY_LIMIT, tileCache, basemap,
    limits: limitsOf(config), buckets, trustProxy: config.TRUST_PROXY,
  });
  const server: Server = createServer(app).listen(config.PORT, config.HOST, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
    console.log(`社區治安電子地圖 listening on http://${config.HOST}:${port} (ready in ${seconds(started)} s)`);
  });

  // PGlite writes its files on close: stop cleanly so the data folder stays consistent.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close(() => void Promise.all([db.close(), tileCache.close(), buckets.close()]).then(() => process.exit(0)));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
