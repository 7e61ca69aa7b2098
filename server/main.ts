import { createServer, type Server } from 'node:http';
import { openBasemaps } from './basemaps/catalogue.js';
import { limitsOf, loadConfig } from './config.js';
import { heavyOf } from './db/db.js';
import { migrate } from './db/migrate.js';
import { createsEmbeddedDatabase, openDb } from './db/open.js';
import { logEvent } from './log.js';

/**
 * The rest of the service, loaded once the database has begun opening in its own thread: these
 * modules take most of a second to load, which then overlaps the database's start.
 */
const loadService = async () => {
  const [app, cache, importLimits, drain, redisBuckets, memoryBuckets, seed] = await Promise.all([
    import('./app.js'), import('./cache/open.js'), import('./import/limits.js'), import('./http/drain.js'),
    import('./limits/redis-buckets.js'), import('./limits/token-bucket.js'), import('./demo/seed.js'),
  ]);
  return { ...app, ...cache, ...importLimits, ...drain, ...redisBuckets, ...memoryBuckets, ...seed };
};

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  // Before the database: an unknown BASEMAP stops the start at once; a bad archive is only logged.
  const basemaps = await openBasemaps({
    names: config.BASEMAP, files: config.BASEMAP_FILES, customUrl: config.BASEMAP_URL, customAttribution: config.BASEMAP_ATTRIBUTION,
  }, (line) => console.log(line));
  const seedWanted = config.SEED_DEMO === 'yes' || (config.SEED_DEMO === 'auto' && !config.DATABASE_URL);
  const newEmbedded = createsEmbeddedDatabase(config);
  const opening = openDb(config);
  // Awaited below; until then a failure to open must not count as unhandled.
  opening.catch(() => undefined);
  const {
    createApp, openTileCache, importLimitsFrom, countRequests, drain, RedisBuckets, MemoryBuckets,
    DEMO_USERNAMES, hasDemoAccounts, isEmpty, prepareDemo, randomPassword, seedDemo, setDemoAccounts,
  } = await loadService();
  const password = config.DEMO_PASSWORD ?? randomPassword();
  const db = await opening;
  // Migrating and seeding may run statements longer than an interactive request may.
  const work = heavyOf(db);
  const migrating = migrate(work);
  // A new embedded database will be seeded: generate the demo city and hash its accounts'
  // password here while PGlite creates PostGIS in its own thread (about 5 s).
  const demo = seedWanted && newEmbedded ? prepareDemo({ password, scale: config.DEMO_SCALE }) : undefined;
  const applied = await migrating;
  const where = db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL';
  console.log(`database: ${where}; ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'} (${seconds(started)} s)`);

  if (seedWanted && (await isEmpty(work))) {
    const t = performance.now();
    const counts = await seedDemo(work, demo ?? { password, scale: config.DEMO_SCALE });
    console.log(`demo city seeded in ${seconds(t)} s: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    console.log(`demo accounts ${DEMO_USERNAMES.join(', ')}; password: ${config.DEMO_PASSWORD ? '(DEMO_PASSWORD)' : password}`);
  } else if (config.DEMO_PASSWORD && (await hasDemoAccounts(db))) {
    await setDemoAccounts(db, config.DEMO_PASSWORD);
    console.log('demo accounts: password set from DEMO_PASSWORD');
  }

  const tileCache = openTileCache(config);
  console.log(`tile cache: ${config.REDIS_URL ? `Redis at ${new URL(config.REDIS_URL).host}` : `${config.TILE_CACHE_MB} MB of memory`}`);
  const buckets = config.REDIS_URL ? new RedisBuckets(config.REDIS_URL) : new MemoryBuckets();
  const app = createApp({
    db, bodyLimit: config.BODY_LIMIT, importLimitBytes: config.IMPORT_BODY_LIMIT, importLimits: importLimitsFrom(config), tileCache, basemaps,
    limits: limitsOf(config), buckets, trustProxy: config.TRUST_PROXY,
  });
  // Tiles are cached from the first request on: the layers' cache epochs are read first.
  await tileCache.ready(5000);
  await db.serveRequestsFirst?.();
  const server: Server = createServer(app);
  const inFlight = countRequests(server);
  server.listen(config.PORT, config.HOST, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
    console.log(`社區治安電子地圖 listening on http://${config.HOST}:${port} (ready in ${seconds(started)} s)`);
  });

  // On SIGTERM (systemd, Docker) or SIGINT: refuse new connections, let the requests in flight
  // finish within SHUTDOWN_TIMEOUT_MS, then close the database (PGlite writes its files on
  // close: the data folder stays consistent) and Redis. A second signal stops at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logEvent('warn', 'shutdown.forced', { signal });
      process.exit(1);
    }
    stopping = true;
    const t = performance.now();
    logEvent('info', 'shutdown.begin', { signal, in_flight: inFlight(), deadline_ms: config.SHUTDOWN_TIMEOUT_MS });
    app.lifecycle.stopping = true;
    // Whatever happens below, the process ends.
    setTimeout(() => {
      logEvent('error', 'shutdown.stuck', { ms: Math.round(performance.now() - t) });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    const cut = await drain(server, inFlight, config.SHUTDOWN_TIMEOUT_MS);
    if (cut > 0) logEvent('warn', 'shutdown.deadline', { cut_requests: cut, deadline_ms: config.SHUTDOWN_TIMEOUT_MS });
    const closing = await Promise.allSettled([tileCache.close(), db.close(), basemaps.close(), buckets.close()]);
    const failed = closing.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) logEvent('error', 'shutdown.close_failed', { reason: (f.reason as Error).message });
    logEvent('info', 'shutdown.done', { ms: Math.round(performance.now() - t) });
    process.exit(failed.length ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
