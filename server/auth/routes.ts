import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { tooMany } from '../limits/budgets.js';
import { clientKey } from '../limits/client.js';
import type { Slots } from '../limits/slots.js';
import type { Budget, Buckets } from '../limits/token-bucket.js';
import { SESSION_COOKIE, sessionToken } from './middleware.js';
import type { Principals } from './principals.js';
import { login, logout, SESSION_HOURS } from './sessions.js';
import { SPACING_SECONDS, type Claim, type LoginThrottle } from './throttle.js';

const credentials = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** What keeps sign-in from being guessed at or used to load the service. */
export interface SignInLimits {
  /** Counts attempts per account and address in the database, before passwords are checked. */
  throttle: LoginThrottle;
  /** Each address's requests to POST /api/login: refused in memory (or Redis) before the database. */
  buckets: Buckets;
  budget: Budget;
  /** Sign-ins checking their password: one at a time (scrypt takes a core for about 50 ms), a bounded queue. */
  checks: Slots;
}

function refused(claim: Claim & { granted: false }) {
  const seconds = claim.retryAfterSeconds;
  const opts = { headers: { 'Retry-After': String(seconds) } };
  switch (claim.refusedBy) {
    case 'pair': return refusal(429, 'too_many_attempts', { seconds }, opts);
    case 'address': return refusal(429, 'too_many_attempts_here', { seconds }, opts);
    case 'account': return refusal(429, 'account_slowed', { seconds, spacing: SPACING_SECONDS }, opts);
  }
}

export function authRoutes(db: Db, principals: Principals, { throttle, buckets, budget, checks }: SignInLimits): Router {
  const r = Router();

  r.post('/api/login', async (req, res) => {
    const parsed = credentials.safeParse(req.body);
    if (!parsed.success) throw refusal(400, 'login_body', undefined, { field: String(parsed.error.issues[0]!.path[0] ?? 'body') });
    const { username, password } = parsed.data;
    const address = clientKey(req.ip);
    const spent = await buckets.take(budget, `ip:${address}`);
    if (!spent.ok) throw tooMany(spent.retryAfterSeconds);
    const claim = await throttle.claim(username, address);
    if (!claim.granted) throw refused(claim);
    // A client that gives up while waiting for a password check is not checked (nor counted).
    const gone = new AbortController();
    const onClose = () => gone.abort(new Error('the client went away'));
    res.once('close', onClose);
    let session;
    try {
      const free = await checks.acquire(gone.signal);
      res.off('close', onClose);
      try {
        session = await login(db, username, password);
      } finally {
        free();
      }
    } catch (err) {
      await throttle.release(username, address, false);
      if (gone.signal.aborted) return;
      throw err;
    }
    if (!session) {
      const { failures } = throttle.limits;
      if (claim.pairAttempts === failures) console.warn(`sign-in: ${failures} failed attempts at "${username}" from ${address}; that address is refused for it for the rest of the window`);
      if (claim.accountAttempts === failures) console.warn(`sign-in: ${failures} failed attempts at "${username}"; it now takes one attempt every ${SPACING_SECONDS} s`);
      throw refusal(401, 'invalid_credentials', undefined);
    }
    // Only failures count: a right password gives its attempt (and its budget token) back.
    await throttle.release(username, address, true);
    await buckets.take(budget, `ip:${address}`, -1);
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true, sameSite: 'strict', secure: req.secure, maxAge: SESSION_HOURS * 3600_000, path: '/',
    });
    res.json({ token: session.token, user: session.principal });
  });

  r.post('/api/logout', async (req, res) => {
    const token = sessionToken(req.headers.authorization, req.headers.cookie);
    if (token) {
      await logout(db, token);
      principals.forget(token);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' }).status(204).end();
  });

  r.get('/api/me', (req, res) => {
    res.json(req.principal);
  });

  return r;
}
