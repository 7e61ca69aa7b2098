import type { RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { PUBLIC, type Principal } from './principal.js';
import type { Principals } from './principals.js';

export const SESSION_COOKIE = 'emap_session';

/** Set-Cookie value that makes a browser drop the session cookie. */
export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict`;

declare module 'express-serve-static-core' {
  interface Request {
    principal: Principal;
  }
}

/** The token of `Authorization: Bearer …`; the scheme name is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | null {
  const m = /^bearer\s+(.*)$/i.exec(header ?? '');
  return m ? m[1]!.trim() || null : null;
}

function cookieToken(cookie: string | undefined): string | null {
  for (const part of (cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== SESSION_COOKIE) continue;
    const raw = v.join('=');
    // A value that is not valid percent-encoding is kept as is: it matches no session (401), not a 500.
    try {
      return decodeURIComponent(raw) || null;
    } catch {
      return raw;
    }
  }
  return null;
}

/** The session token from `Authorization: Bearer` or the session cookie. */
export function sessionToken(header: string | undefined, cookie: string | undefined): string | null {
  return bearerToken(header) ?? cookieToken(cookie);
}

/**
 * Signing in and out must work whatever token the caller still carries: a browser holding an
 * expired httpOnly cookie cannot remove it itself, and would otherwise be refused at the door.
 */
const SIGN_IN_OUT = new Set(['/api/login', '/api/logout']);

/**
 * Attaches the caller's Principal. No token: the public. A token that is wrong or expired is
 * an error rather than silently public, so a client learns to sign in again; when that token
 * came in the cookie, the answer also clears the cookie.
 */
export function authenticate(principals: Principals): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'POST' && SIGN_IN_OUT.has(req.path)) {
      req.principal = PUBLIC;
      next();
      return;
    }
    const fromCookie = bearerToken(req.headers.authorization) === null;
    principals.resolve(sessionToken(req.headers.authorization, req.headers.cookie)).then((p) => {
      req.principal = p;
      next();
    }).catch((err: unknown) => {
      if (fromCookie && err instanceof HttpError && err.status === 401) {
        next(new HttpError(err.status, err.code, err.message, err.field, { ...err.headers, 'Set-Cookie': CLEARED_SESSION_COOKIE }));
      } else {
        next(err);
      }
    });
  };
}
