import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { badRequest, HttpError } from '../http/errors.js';
import { SESSION_COOKIE, sessionToken } from './middleware.js';
import type { Principals } from './principals.js';
import { login, logout, SESSION_HOURS } from './sessions.js';
import { LoginThrottle } from './throttle.js';

const credentials = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

export function authRoutes(db: Db, principals: Principals): Router {
  const r = Router();
  const throttle = new LoginThrottle();

  r.post('/api/login', async (req, res) => {
    const parsed = credentials.safeParse(req.body);
    if (!parsed.success) throw badRequest('send JSON {"username": "...", "password": "..."}', String(parsed.error.issues[0]!.path[0] ?? 'body'));
    const { username, password } = parsed.data;
    const wait = throttle.retryAfterSeconds(username);
    if (wait > 0) throw new HttpError(429, 'too_many_attempts', `too many failed sign-ins for ${username}; try again in ${wait} s`, undefined, { 'Retry-After': String(wait) });
    const session = await login(db, username, password);
    if (!session) {
      throttle.failed(username);
      throw new HttpError(401, 'invalid_credentials', 'username or password is wrong');
    }
    throttle.succeeded(username);
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
