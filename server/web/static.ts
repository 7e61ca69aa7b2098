import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
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

/** Copies the build writes beside each asset (scripts/lib/web-build.ts), best first. */
const ENCODINGS = { br: '.br', gzip: '.gz' } as const;
/** An asset's own name: no folders, nothing to climb out of `assets/` with. */
const ASSET_NAME = /^[\w-]+(\.[\w-]+)+$/;

/** The best precompressed copy the client accepts: brotli before gzip, whatever order it lists them in. */
function precompressed(accepted: string[]): keyof typeof ENCODINGS | undefined {
  return (Object.keys(ENCODINGS) as (keyof typeof ENCODINGS)[]).find((e) => accepted.includes(e));
}

/**
 * The built map application at `/`: hashed assets cached for good, sent precompressed (brotli
 * or gzip) to clients that accept it, and index.html (never
 * cached, so a new build shows at once) for every other page the app routes itself.
 */
export function webApp({ dist = WEB_DIST, basemapOrigins = [] }: { dist?: string; basemapOrigins?: readonly string[] } = {}): Router {
  const r = Router();
  const index = join(dist, 'index.html');
  const csp = contentSecurityPolicy(basemapOrigins);
  // The same for everyone whatever the account: set here, over the caller-dependent default of the API.
  const cached = { 'Cache-Control': 'public, max-age=31536000, immutable', Vary: 'Accept-Encoding' };
  r.get('/assets/:name', (req, res, next) => {
    const encoding = precompressed(req.acceptsEncodings());
    const name = req.params.name;
    const file = encoding && ASSET_NAME.test(name) ? join(dist, 'assets', `${name}${ENCODINGS[encoding]}`) : undefined;
    if (!encoding || !file || !existsSync(file)) return next();
    res.set({ ...cached, 'Content-Encoding': encoding }).type(extname(name)).sendFile(file);
  });
  r.use('/assets', express.static(join(dist, 'assets'), {
    index: false, fallthrough: false, cacheControl: false,
    setHeaders: (res) => res.set(cached),
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
