import type { RequestHandler } from 'express';
import type { Principal } from '../auth/principal.js';

/**
 * What may keep an answer that depends on who asks: anonymous answers may be kept a minute
 * anywhere; a signed-in user's are private and revalidated on every use, so an edit shows at
 * once. Either way they vary by the credentials, so a shared cache never mixes them up.
 */
export const cacheControl = (p: Principal) => (p.role === 'public' ? 'public, max-age=60' : 'private, no-cache');
export const VARY_BY_CALLER = 'Authorization, Cookie';

/** Sets both headers on GET answers; routes that know better override them. */
export const callerDependent: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') res.set({ 'Cache-Control': cacheControl(req.principal), Vary: VARY_BY_CALLER });
  next();
};
