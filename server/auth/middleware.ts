import type { RequestHandler } from 'express';
import type { Principal } from './principal.js';
import type { Principals } from './principals.js';

export const SESSION_COOKIE = 'emap_session';

declare module 'express-serve-static-core' {
  interface Request {
    principal: Principal;
  }
}

/** The session token from `Authorization: Bearer` or the session cookie. */
export function sessionToken(header: string | undefined, cookie: string | undefined): string | null {
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  for (const part of (cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('=')) || null;
  }
  return null;
}

/**
 * Attaches the caller's Principal. No token: the public. A token that is wrong or expired is
 * an error rather than silently public, so a client learns to sign in again.
 */
export function authenticate(principals: Principals): RequestHandler {
  return (req, _res, next) => {
    principals.resolve(sessionToken(req.headers.authorization, req.headers.cookie)).then((p) => {
      req.principal = p;
      next();
    }).catch(next);
  };
}
