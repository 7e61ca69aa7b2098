import type { RequestListener } from 'node:http';
import express from 'express';
import { authenticate } from './auth/middleware.js';
import { Principals } from './auth/principals.js';
import { authRoutes } from './auth/routes.js';
import { TileCache } from './cache/tile-cache.js';
import { OutsiderAnswers } from './analysis/answers.js';
import { analysisRoutes } from './analysis/routes.js';
import { LoginThrottle } from './auth/throttle.js';
import type { Db } from './db/db.js';
import { exportRoutes } from './export/routes.js';
import { featureRoutes } from './features/routes.js';
import { importRoutes } from './import/routes.js';
import { DEFAULT_IMPORT_LIMIT_BYTES } from './config.js';
import { callerDependent } from './http/cache-control.js';
import { errorHandler, notFound } from './http/errors.js';
import { layerRoutes } from './layers/routes.js';
import { spend } from './limits/budgets.js';
import { DEFAULT_LIMITS, LOGIN_QUEUE, type Limits } from './limits/limits.js';
import { Slots } from './limits/slots.js';
import { MemoryBuckets, type Buckets } from './limits/token-bucket.js';
import { ogcRoutes } from './ogc/routes.js';
import { rollupRoutes } from './rollups/routes.js';
import { invalidatingTiles } from './tiles/invalidation.js';
import { tileHandler } from './tiles/handler.js';
import { tileRoutes } from './tiles/routes.js';
import { TileService } from './tiles/service.js';
import { locateRoutes } from './units/locate.js';
import { searchRoutes } from './search/routes.js';
import { appConfigRoutes, type Basemap } from './web/app-config.js';
import { webApp } from './web/static.js';

export interface AppOptions {
  db: Db;
  /** Largest accepted request body, e.g. '2mb'. */
  bodyLimit?: string;
  /** Largest file an import accepts, in bytes (IMPORT_BODY_LIMIT). */
  importLimitBytes?: number;
  /** Where rendered tiles are kept; by default 64 MB of this process's memory. */
  tileCache?: TileCache;
  /** A raster basemap for the web app; none by default (nothing leaves the machine). */
  basemap?: Basemap;
  /** Folder of the built web app; dist/web by default. */
  webDist?: string;
  /** Budgets and limits (README "Limits and hardening"); DEFAULT_LIMITS for what is not given. */
  limits?: Partial<Limits>;
  /** Where per-client budgets are counted: Redis shared by instances, or this process's memory (default). */
  buckets?: Buckets;
  /** Express's `trust proxy`, which decides the client address budgets and sign-in count by. */
  trustProxy?: boolean | number | string;
}

/** The whole HTTP service as one request listener: tiles on plain Node, the rest on Express. */
export type App = RequestListener & { express: express.Express };

export function createApp({
  db, bodyLimit = '2mb', importLimitBytes = DEFAULT_IMPORT_LIMIT_BYTES, tileCache = TileCache.memory(64 * 2 ** 20), basemap, webDist,
  buckets = new MemoryBuckets(), trustProxy = 'loopback', ...options
}: AppOptions): App {
  const app = express();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const principals = new Principals(db);
  const tiles = tileHandler(new TileService(db, tileCache), principals);
  // Writes go through a database handle that drops the cached tiles each transaction changed.
  const edits = invalidatingTiles(db, tileCache);
  // Analysis, imports, exports and roll-ups: a few at a time, in the background.
  const heavy = new Slots('heavy jobs', limits.heavyJobs, limits.heavyQueue);
  const signIn = {
    throttle: new LoginThrottle(db, { failures: limits.loginFailures, addressFailures: limits.loginAddressFailures }),
    buckets, budget: { name: 'login', perMinute: limits.loginPerMinute }, checks: new Slots('password checks', 1, LOGIN_QUEUE),
  };
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);

  app.get('/api/health', async (_req, res) => {
    const about = {
      db: db.kind, cache: tileCache.kind, cacheAvailable: tileCache.available,
      budgets: buckets.kind, budgetsAvailable: buckets.available, heavyJobs: heavy.state,
    };
    try {
      await db.ping();
      res.json({ status: 'ok', ...about });
    } catch {
      res.status(503).set('Retry-After', '5').json({ status: 'unavailable', ...about });
    }
  });

  // Only accounts can import: an anonymous flood of uploads is refused before it can take a slot.
  app.post('/api/import/:layer', authenticate(principals), (req, res, next) => (req.principal.role === 'public' ? next() : heavy.middleware(req, res, next)));
  app.use(importRoutes(edits, principals, { limitBytes: importLimitBytes }));
  app.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/geo+json'] }));
  app.use(authenticate(principals));
  app.use(authRoutes(db, principals, signIn));
  app.use(callerDependent);
  app.use(layerRoutes());
  app.use(featureRoutes(edits));
  app.get('/api/export/:layer', heavy.middleware);
  app.use(exportRoutes(db));
  app.use(tileRoutes());
  app.use(ogcRoutes(db));
  app.use(locateRoutes(db));
  app.get('/api/search', spend(buckets, { name: 'search', perMinute: limits.searchPerMinute }));
  app.use(searchRoutes(db));
  app.use(appConfigRoutes(db, basemap));
  app.all('/api/analysis/*endpoint', spend(buckets, { name: 'analysis', perMinute: limits.analysisPerMinute }));
  app.use(analysisRoutes(db, { jobs: heavy, answers: new OutsiderAnswers(db, limits.analysisCacheMb * 2 ** 20) }));
  app.get('/api/rollups', heavy.middleware);
  app.use(rollupRoutes(db));
  app.use(['/api', '/ogc'], (req, _res, next) => next(notFound(`no such endpoint: ${req.method} ${req.originalUrl}`)));
  app.use(webApp({ dist: webDist, basemapUrl: basemap?.url }));
  app.use(errorHandler);
  const listener: RequestListener = (req, res) => {
    if (!tiles(req, res)) app(req, res);
  };
  return Object.assign(listener, { express: app });
}
