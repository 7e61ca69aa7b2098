import type { RequestHandler } from 'express';
import type { CacheHealth, TileCache } from './cache/tile-cache.js';
import type { Db } from './db/db.js';
import { logEvent, type LogEvent } from './log.js';

/** The database must answer a ping within this for the service to count as up. */
const DB_DEADLINE_MS = 2000;
const RETRY_AFTER_SECONDS = '5';

type Status = 'ok' | 'degraded' | 'unavailable' | 'stopping';

/** Whether the service is shutting down (set by server/main.ts on SIGTERM). */
export interface Lifecycle {
  stopping: boolean;
}

async function checkDb(db: Db): Promise<{ status: 'ok' | 'unavailable'; ms: number; reason?: string }> {
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DB_DEADLINE_MS} ms`)), DB_DEADLINE_MS);
  });
  try {
    await Promise.race([db.ping(), deadline]);
    return { status: 'ok', ms: Math.round(performance.now() - t) };
  } catch (err) {
    return { status: 'unavailable', ms: Math.round(performance.now() - t), reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /api/health: `{status, db, cache}` as the contract has it, and what each dependency is
 * doing. 200 with `ok`, or `degraded` while tiles bypass the cache (Redis slow or away: the
 * service still answers everything, from the database); 503 with Retry-After when the database
 * does not answer (`unavailable`) and while shutting down (`stopping`), so a load balancer
 * sends requests elsewhere. `more` adds what else the service reports (budgets, heavy jobs). The database's state changes are logged as they are seen here.
 */
export function healthRoute(db: Db, cache: TileCache, lifecycle: Lifecycle, more: () => object = () => ({}), log: LogEvent = logEvent): RequestHandler {
  let dbWasUp = true;
  return async (_req, res) => {
    const [dbCheck, cacheCheck]: [Awaited<ReturnType<typeof checkDb>>, CacheHealth] = await Promise.all([checkDb(db), cache.health()]);
    if ((dbCheck.status === 'ok') !== dbWasUp) {
      dbWasUp = dbCheck.status === 'ok';
      if (dbWasUp) log('info', 'db.available', { db: db.kind });
      else log('warn', 'db.unavailable', { db: db.kind, reason: dbCheck.reason });
    }
    const status: Status = lifecycle.stopping ? 'stopping'
      : dbCheck.status !== 'ok' ? 'unavailable'
        : cacheCheck.status !== 'ok' ? 'degraded' : 'ok';
    const up = status === 'ok' || status === 'degraded';
    if (!up) res.status(503).set('Retry-After', RETRY_AFTER_SECONDS);
    res.set('Cache-Control', 'no-store').json({
      status, db: db.kind, cache: cache.kind, cacheAvailable: cacheCheck.status === 'ok',
      ...(status === 'degraded' ? { degraded: ['cache'] } : {}),
      ...more(),
      checks: {
        db: dbCheck,
        cache: { status: cacheCheck.status, ...(cacheCheck.reason ? { reason: cacheCheck.reason } : {}), ...(cacheCheck.breaker.since ? { since: cacheCheck.breaker.since } : {}) },
      },
    });
  };
}
