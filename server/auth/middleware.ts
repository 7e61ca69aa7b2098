import type { RequestHandler } from 'express';
import type { Db } from '../db/db.js';
import { HttpError } from '../http/errors.js';
import { PUBLIC, type Principal } from './principal.js';
import { principalForToken } from './sessions.js';

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
export function authenticate(db: Db): RequestHandler {
  return (req, _res, next) => {
    const token = sessionToken(req.headers.authorization, req.headers.cookie);
    if (!token) {
      req.principal = PUBLIC;
      return next();
    }
    principalForToken(db, token).then((p) => {
      if (!p) throw new HttpError(401, 'invalid_session', 'session token is unknown or expired; sign in again at POST /api/login');
      req.principal = p;
      next();
    }).catch(next);
  };
}
