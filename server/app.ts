import type { RequestListener } from 'node:http';
import express from 'express';
import { authenticate } from './auth/middleware.js';
import { Principals } from './auth/principals.js';
import { myAreaRoutes } from './auth/my-area.js';
import { authRoutes } from './auth/routes.js';
import { sameOriginWrites } from './auth/same-origin.js';
import { TileCache } from './cache/tile-cache.js';
import { analysisRoutes } from './analysis/routes.js';
import { Basemaps } from './basemaps/catalogue.js';
import { basemapTileHandler } from './basemaps/handler.js';
import { basemapRoutes } from './basemaps/routes.js';
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
import { ogcRoutes } from './ogc/routes.js';
import { rollupRoutes } from './rollups/routes.js';
import { invalidatingTiles } from './tiles/invalidation.js';
import { tileHandler } from './tiles/handler.js';
import { tileRoutes } from './tiles/routes.js';
import { TileService } from './tiles/service.js';
import { locateRoutes } from './units/locate.js';
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
}

/**
 * The whole HTTP service as one request listener: tiles on plain Node, the rest on Express.
 * Setting `lifecycle.stopping` makes health answer 503 and every answer close its connection.
 */
export type App = RequestListener & { express: express.Express; lifecycle: Lifecycle };

export function createApp({ db, bodyLimit = '2mb', importLimitBytes = DEFAULT_IMPORT_LIMIT_BYTES, importLimits, tileCache = TileCache.memory(64 * 2 ** 20), basemaps = Basemaps.none(), webDist }: AppOptions): App {
  const app = express();
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...importLimits };
  const principals = new Principals(db);
  tileCache.follow(db);
  const tiles = tileHandler(new TileService(db, tileCache), principals);
  const basemapTiles = basemapTileHandler(basemaps);
  // Writes go through a database handle that drops the cached tiles each transaction changed.
  const edits = invalidatingTiles(db, tileCache);
  // Long work (on PostgreSQL: a longer statement timeout than interactive requests get).
  const heavy = heavyOf(db);
  const lifecycle: Lifecycle = { stopping: false };
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/api/health', healthRoute(db, tileCache, lifecycle));

  // Every input is checked at the door: query text, where writes come from, then bodies.
  app.use(cleanQueryText);
  app.use(sameOriginWrites);
  app.use(importRoutes(heavyOf(edits), principals, { limitBytes: importLimitBytes, limits }));
  app.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/geo+json'], verify: verifyUtf8 }));
  app.use(cleanJsonText);
  app.use(authenticate(principals));
  app.use(authRoutes(db, principals));
  app.use(myAreaRoutes(db));
  app.use(callerDependent);
  app.use(layerRoutes());
  app.use(featureRoutes(edits, { maxVertices: limits.maxFeatureVertices }));
  app.use(exportRoutes(heavy));
  app.use(tileRoutes());
  app.use(ogcRoutes(db));
  app.use(locateRoutes(db));
  app.use(searchRoutes(db));
  app.use(appConfigRoutes(db, basemaps));
  app.use(basemapRoutes(basemaps));
  app.use(analysisRoutes(heavy));
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
