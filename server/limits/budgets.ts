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

/** Express middleware: each request takes one token of `budget` from its caller's bucket. */
export function spend(buckets: Buckets, budget: Budget, whose: (req: Request) => string | null = outsiderKey): RequestHandler {
  return (req, _res, next) => {
    const key = whose(req);
    if (key === null) return next();
    buckets.take(budget, key).then((t) => next(t.ok ? undefined : tooMany(t.retryAfterSeconds)), next);
  };
}
