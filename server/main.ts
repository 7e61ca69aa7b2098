import { createServer, type Server } from 'node:http';
import { createApp } from './app.js';
import { openBasemaps } from './basemaps/catalogue.js';
import { openTileCache } from './cache/open.js';
import { limitsOf, loadConfig } from './config.js';
import { heavyOf } from './db/db.js';
import { importLimitsFrom } from './import/limits.js';
import { migrate } from './db/migrate.js';
import { openDb } from './db/open.js';
import { countRequests, drain } from './http/drain.js';
import { logEvent } from './log.js';
import { RedisBuckets } from './limits/redis-buckets.js';
import { MemoryBuckets } from './limits/token-bucket.js';
import { DEMO_USERNAMES, hasDemoAccounts, isEmpty, randomPassword, seedDemo, setDemoAccounts } from './demo/seed.js';

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  // Before the database: an unknown BASEMAP stops the start at once; a bad archive is only logged.
  const basemaps = await openBasemaps({
    names: config.BASEMAP, files: config.BASEMAP_FILES, customUrl: config.BASEMAP_URL, customAttribution: config.BASEMAP_ATTRIBUTION,
  }, (line) => console.log(line));
  const db = await openDb(config);
  // Migrating and seeding may run statements longer than an interactive request may.
  const work = heavyOf(db);
  const applied = await migrate(work);
  const where = db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL';
  console.log(`database: ${where}; ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'} (${seconds(started)} s)`);

  const seedWanted = config.SEED_DEMO === 'yes' || (config.SEED_DEMO === 'auto' && db.kind === 'pglite');
  if (seedWanted && (await isEmpty(work))) {
    const t = performance.now();
    const password = config.DEMO_PASSWORD ?? randomPassword();
    const counts = await seedDemo(work, { password, scale: config.DEMO_SCALE });
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
