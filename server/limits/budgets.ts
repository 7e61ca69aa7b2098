import type { Request, RequestHandler } from 'express';
import type { Principal } from '../auth/principal.js';
import { refusal } from '../http/messages.js';
import { isInternal } from '../layers/access.js';
import { clientKey } from './client.js';
import type { Budget, Buckets } from './token-bucket.js';

/**
 * Whose budget an outsider's request draws on: an anonymous caller's address, a community
 * account's own. Police accounts are accountable and have none; their heavy work is bounded by
 * the heavy-job slots instead.
 */
export function outsiderKey(req: Request): string | null {
  const p: Principal = req.principal;
  if (isInternal(p)) return null;
  return p.role === 'public' ? `ip:${clientKey(req.ip)}` : `user:${p.userId}`;
}

/** 429 with Retry-After once the caller's bucket is empty. */
export function tooMany(seconds: number) {
  return refusal(429, 'too_many_requests', { seconds }, { headers: { 'Retry-After': String(seconds) } });
}

/** Callers remembered as refused at most; past it, those whose wait has ended are forgotten. */
const REMEMBERED_REFUSALS = 10_000;

/**
 * Express middleware: each request takes one token of `budget` from its caller's bucket. A
 * caller refused is refused again here until its Retry-After has passed, without asking the
 * buckets: its bucket cannot have a token before then, and a client that ignores Retry-After
 * then costs no Redis round trip per request.
 */
export function spend(buckets: Buckets, budget: Budget, whose: (req: Request) => string | null = outsiderKey): RequestHandler {
  const refusedUntil = new Map<string, number>();
  return (req, _res, next) => {
    const key = whose(req);
    if (key === null) return next();
    const until = refusedUntil.get(key);
    if (until !== undefined) {
      const wait = until - Date.now();
      if (wait > 0) return next(tooMany(Math.ceil(wait / 1000)));
      refusedUntil.delete(key);
    }
    buckets.take(budget, key).then((t) => {
      if (t.ok) return next();
      if (refusedUntil.size >= REMEMBERED_REFUSALS) {
        const now = Date.now();
        for (const [k, u] of refusedUntil) if (u <= now) refusedUntil.delete(k);
        if (refusedUntil.size >= REMEMBERED_REFUSALS) refusedUntil.clear();
      }
      refusedUntil.set(key, Date.now() + t.retryAfterSeconds * 1000);
      next(tooMany(t.retryAfterSeconds));
    }, next);
  };
}
