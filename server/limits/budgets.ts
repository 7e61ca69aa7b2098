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
 * How long a refusal is held before it is sent: a client that sends its next request as soon as
 * the last is answered (ignoring Retry-After) then sends one a second per connection, instead
 * of keeping the request thread busy answering 429s. Holding costs a timer and an open socket.
 */
const HOLD_REFUSAL_MS = 1000;

/**
 * Express middleware: each request takes one token of `budget` from its caller's bucket. A
 * caller refused is refused again here until its Retry-After has passed, without asking the
 * buckets: its bucket cannot have a token before then, and a client that ignores Retry-After
 * then costs no Redis round trip per request. Every refusal is held a moment (HOLD_REFUSAL_MS).
 */
export function spend(buckets: Buckets, budget: Budget, whose: (req: Request) => string | null = outsiderKey): RequestHandler {
  const refusedUntil = new Map<string, number>();
  const refuse = (next: (err: unknown) => void, seconds: number) => {
    setTimeout(() => next(tooMany(seconds)), Math.min(HOLD_REFUSAL_MS, seconds * 1000));
  };
  return (req, _res, next) => {
    const key = whose(req);
    if (key === null) return next();
    const until = refusedUntil.get(key);
    if (until !== undefined) {
      const wait = until - Date.now();
      if (wait > 0) return refuse(next, Math.ceil(wait / 1000));
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
      refuse(next, t.retryAfterSeconds);
    }, next);
  };
}
