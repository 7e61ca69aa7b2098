import type { RequestHandler } from 'express';
import { refusal } from '../http/messages.js';
import { bearerToken } from './middleware.js';

/**
 * Cross-site request forgery: a page on another site can make the browser send a request
 * that carries our session cookie. SameSite=Strict stops that in today's browsers, but not
 * from a sibling subdomain, nor in browsers that ignore it, so a request that changes anything
 * and is not signed with a Bearer token (which no other site can add) must also show that it
 * comes from our own pages:
 *
 * - `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser) must be `same-origin`, or
 *   `none` (the user typed or bookmarked it);
 * - without it, an `Origin` header must name this host (older browsers send Origin on every
 *   cross-origin POST, PUT, PATCH and DELETE);
 * - with neither, the request did not come from a browser page (curl, scripts): it is let through.
 *
 * Bearer clients (the CLI, QGIS, scripts) are not affected. The host is compared without the
 * scheme, so a TLS-terminating proxy that does not forward the scheme does not refuse our own pages.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export const sameOriginWrites: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || bearerToken(req.headers.authorization) !== null) return next();
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const ours = site !== undefined ? site === 'same-origin' || site === 'none' : origin === undefined || originHost(origin) === req.host;
  next(ours ? undefined : refusal(403, 'cross_site_write', undefined, { field: site !== undefined ? 'Sec-Fetch-Site' : 'Origin' }));
};
