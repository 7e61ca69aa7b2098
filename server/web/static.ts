import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Where `npm run build:web` puts the map application. */
export const WEB_DIST = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths the service answers itself; everything else that asks for HTML is the app. */
const SERVICE_PATHS = /^\/(api|tiles|ogc|basemaps)(\/|$)/;

/**
 * What the page may load: only this origin and the configured basemaps' (none by default), so
 * the e-map sends nothing off the machine unless told to. Styles may be inline because
 * MapLibre positions its controls and popups with style attributes.
 */
export function contentSecurityPolicy(basemapOrigins: readonly string[] = []): string {
  const extra = basemapOrigins.map((o) => ` ${o}`).join('');
  return [
    `default-src 'self'`,
    `img-src 'self' data: blob:${extra}`,
    `connect-src 'self'${extra}`,
    `worker-src 'self' blob:`,
    `style-src 'self' 'unsafe-inline'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `frame-ancestors 'self'`,
  ].join('; ');
}

/**
 * The built map application at `/`: hashed assets cached for good, and index.html (never
 * cached, so a new build shows at once) for every other page the app routes itself.
 */
export function webApp({ dist = WEB_DIST, basemapOrigins = [] }: { dist?: string; basemapOrigins?: readonly string[] } = {}): Router {
  const r = Router();
  const index = join(dist, 'index.html');
  const csp = contentSecurityPolicy(basemapOrigins);
  r.use('/assets', express.static(join(dist, 'assets'), {
    index: false, fallthrough: false, cacheControl: false,
    // The same for everyone: set here, over the caller-dependent default of the API.
    setHeaders: (res) => res.set({ 'Cache-Control': 'public, max-age=31536000, immutable' }).removeHeader('Vary'),
  }));
  r.get(/.*/, (req, res, next) => {
    if (SERVICE_PATHS.test(req.path) || !req.accepts('html')) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain; charset=utf-8')
        .send('地圖程式尚未建置：請執行 npm run build:web（npm start 會自動建置）。\nThe map application is not built: run npm run build:web.');
      return;
    }
    res.set({ 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp }).sendFile(index);
  });
  return r;
}
