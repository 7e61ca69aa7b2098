import type { RequestListener } from 'node:http';
import express from 'express';
import { authenticate } from './auth/middleware.js';
import { Principals } from './auth/principals.js';
import { myAreaRoutes } from './auth/my-area.js';
import { adminRoutes } from './auth/admin-routes.js';
import { authRoutes } from './auth/routes.js';
import { sameOriginWrites } from './auth/same-origin.js';
import { TileCache } from './cache/tile-cache.js';
import { OutsiderAnswers } from './analysis/answers.js';
import { analysisRoutes } from './analysis/routes.js';
import { Basemaps } from './basemaps/catalogue.js';
import { basemapTileHandler } from './basemaps/handler.js';
import { basemapRoutes } from './basemaps/routes.js';
import { LoginThrottle } from './auth/throttle.js';
import { heavyOf, type Db } from './db/db.js';
import { exportRoutes } from './export/routes.js';
import { featureRoutes } from './features/routes.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './import/limits.js';
import { importRoutes } from './import/routes.js';
import { DEFAULT_IMPORT_LIMIT_BYTES } from './config.js';
import { callerDependent } from './http/cache-control.js';
import { jsonNotFound } from './http/endpoints.js';
import { errorHandler } from './http/errors.js';
import { cleanJsonText, cleanQueryText, verifyUtf8 } from './http/text.js';
import { healthRoute, type Lifecycle } from './health.js';
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
import { compressAnswers } from './http/compress.js';
import { locateRoutes } from './units/locate.js';
import { unitNameRoutes } from './units/names.js';
import { planRoutes } from './patrol/plan-routes.js';
import { patrolRoutes } from './patrol/routes.js';
import { searchRoutes } from './search/routes.js';
import { appConfigRoutes } from './web/app-config.js';
import { webApp } from './web/static.js';

export interface AppOptions {
  db: Db;
  /** Largest accepted request body, e.g. '2mb'. */
  bodyLimit?: string;
  /** Largest file an import accepts, in bytes (IMPORT_BODY_LIMIT). */
  importLimitBytes?: number;
  /** Bounds of an import's reading and of a feature's shape; the defaults for any left out. */
  importLimits?: Partial<ImportLimits>;
  /** Where rendered tiles are kept; by default 64 MB of this process's memory. */
  tileCache?: TileCache;
  /** Basemaps offered under the layers (presets and local archives); none by default, so nothing leaves the machine. */
  basemaps?: Basemaps;
  /** Folder of the built web app; dist/web by default. */
  webDist?: string;
  /** Budgets and limits (README "Limits and hardening"); DEFAULT_LIMITS for what is not given. */
  limits?: Partial<Limits>;
  /** Where per-client budgets are counted: Redis shared by instances, or this process's memory (default). */
  buckets?: Buckets;
  /** Express's `trust proxy`, which decides the client address budgets and sign-in count by. */
  trustProxy?: boolean | number | string;
}

/**
 * The whole HTTP service as one request listener: tiles on plain Node, the rest on Express.
 * Setting `lifecycle.stopping` makes health answer 503 and every answer close its connection.
 */
export type App = RequestListener & { express: express.Express; lifecycle: Lifecycle };

export function createApp({
  db, bodyLimit = '2mb', importLimitBytes = DEFAULT_IMPORT_LIMIT_BYTES, importLimits, tileCache = TileCache.memory(64 * 2 ** 20),
  basemaps = Basemaps.none(), webDist, buckets = new MemoryBuckets(), trustProxy = 'loopback', ...options
}: AppOptions): App {
  const app = express();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const fileLimits = { ...DEFAULT_IMPORT_LIMITS, ...importLimits };
  const principals = new Principals(db);
  tileCache.follow(db);
  const tiles = tileHandler(new TileService(db, tileCache), principals);
  const basemapTiles = basemapTileHandler(basemaps);
  // Writes go through a database handle that drops the cached tiles each transaction changed.
  const edits = invalidatingTiles(db, tileCache);
  // Long work (on PostgreSQL: a longer statement timeout than interactive requests get).
  const heavy = heavyOf(db);
  const lifecycle: Lifecycle = { stopping: false };
  // Analysis, imports, exports and roll-ups: a few at a time, in the background.
  const heavyJobs = new Slots('heavy jobs', limits.heavyJobs, limits.heavyQueue);
  const signIn = {
    throttle: new LoginThrottle(db, { failures: limits.loginFailures, addressFailures: limits.loginAddressFailures }),
    buckets, budget: { name: 'login', perMinute: limits.loginPerMinute }, checks: new Slots('password checks', 1, LOGIN_QUEUE),
  };
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);

  app.get('/api/health', healthRoute(db, tileCache, lifecycle, () => ({
    budgets: buckets.kind, budgetsAvailable: buckets.available, heavyJobs: heavyJobs.state,
  })));

  app.use(compressAnswers);
  // Every input is checked at the door: query text, where writes come from, then bodies.
  app.use(cleanQueryText);
  app.use(sameOriginWrites);
  // Only accounts can import: an anonymous flood of uploads is refused before it can take a slot.
  app.post('/api/import/:layer', authenticate(principals), (req, res, next) => (req.principal.role === 'public' ? next() : heavyJobs.middleware(req, res, next)));
  app.use(importRoutes(heavyOf(edits), principals, { limitBytes: importLimitBytes, limits: fileLimits }));
  app.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/geo+json'], verify: verifyUtf8 }));
  app.use(cleanJsonText);
  app.use(authenticate(principals));
  app.use(authRoutes(db, principals, signIn));
  app.use(myAreaRoutes(db));
  app.use(adminRoutes(db, principals));
  app.use(callerDependent);
  app.use(layerRoutes());
  app.use(featureRoutes(edits, { maxVertices: fileLimits.maxFeatureVertices }));
  app.get('/api/export/:layer', heavyJobs.middleware);
  app.use(exportRoutes(heavy));
  app.use(tileRoutes(db));
  app.use(ogcRoutes(db));
  app.use(locateRoutes(db));
  app.use(unitNameRoutes(db));
  // An outsider's sign-in is refused, and logged: a budget keeps the log from being flooded.
  app.post('/api/patrol-points/:id/sign-in', spend(buckets, { name: 'patrol', perMinute: limits.searchPerMinute }));
  app.use(patrolRoutes(edits, { radiusM: limits.patrolSignInMetres }));
  app.use(planRoutes(db));
  app.get('/api/search', spend(buckets, { name: 'search', perMinute: limits.searchPerMinute }));
  app.use(searchRoutes(db));
  app.use(appConfigRoutes(db, basemaps));
  app.use(basemapRoutes(basemaps));
  app.all('/api/analysis/*endpoint', spend(buckets, { name: 'analysis', perMinute: limits.analysisPerMinute }));
  app.use(analysisRoutes(heavy, { jobs: heavyJobs, answers: new OutsiderAnswers(db, limits.analysisCacheMb * 2 ** 20) }));
  // Roll-ups are heavy work (妥善率 integrates every camera's history): outsiders have a budget, as for analysis.
  app.get('/api/rollups', spend(buckets, { name: 'rollups', perMinute: limits.analysisPerMinute }), heavyJobs.middleware);
  app.use(rollupRoutes(heavy));
  app.use(['/api', '/ogc', '/tiles', '/basemaps'], jsonNotFound);
  app.use(webApp({ dist: webDist, basemapOrigins: basemaps.origins() }));
  app.use(errorHandler);
  const listener: RequestListener = (req, res) => {
    // While shutting down, each connection closes after its answer instead of being kept alive.
    if (lifecycle.stopping) res.setHeader('Connection', 'close');
    if (!tiles(req, res) && !basemapTiles(req, res)) app(req, res);
  };
  return Object.assign(listener, { express: app, lifecycle });
}
