import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPACING_SECONDS, WINDOW_MINUTES } from '../server/auth/throttle.js';
import { serve, testBuckets, type Answer, type Served } from './support/serve.js';
import { openWorld, PASSWORD, type World } from './support/world.js';

/**
 * Sign-in throttling (server/auth/throttle.ts, sql/migrations/040_login_attempts.sql): attempts
 * are claimed in the database before a password is checked, per account and address, shared by
 * every instance; guessing from one address cannot lock the owner out from another; each
 * address has a request budget of its own. Addresses are sent as X-Forwarded-For, which the
 * app believes from loopback (TRUST_PROXY's default), as it would from a proxy there.
 */
let w: World;
let a: Served;
let b: Served;
const FAILURES = 10;
beforeAll(async () => {
  // The database's counts are under test here: the per-address request budget has its own test.
  const limits = { loginPerMinute: 100_000 };
  w = await openWorld({ limits });
  a = await serve(w.app);
  b = await serve(w.instance({ limits }).app);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await w?.close();
});

const signIn = (s: Served, username: string, password: string, address: string) =>
  s.send('/api/login', { method: 'POST', body: { username, password }, address });
/** Passwords actually checked and found wrong: each leaves one audit row. */
const failedChecks = async (username: string) => (await w.db.query<{ n: number }>(
  `SELECT count(*)::int AS n FROM audit_log WHERE actor = $1 AND action = 'login-failed'`, [username])).rows[0]!.n;
const retryAfter = (r: Answer) => Number(r.headers.get('retry-after'));

describe('attempts counted before the password is checked', () => {
  it('checks no more than the limit of 200 wrong passwords sent at once to two instances; the rest get 429 with Retry-After', async () => {
    const before = await failedChecks('admin');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => signIn(i % 2 ? a : b, 'admin', `guess ${i}`, '198.51.100.7')));
    expect(answers.filter((r) => r.status === 401)).toHaveLength(FAILURES);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(200 - FAILURES);
    for (const r of refused) {
      expect(r.body.error!.code).toBe('too_many_attempts');
      expect(r.body.error!.message).toMatch(/登入失敗太多次，請於 \d+ 秒後再試/);
      expect(retryAfter(r)).toBeGreaterThan(0);
      expect(retryAfter(r)).toBeLessThanOrEqual(WINDOW_MINUTES * 60);
    }
    expect(await failedChecks('admin') - before).toBe(FAILURES);
    // The right password from that address is not even checked until the window has passed.
    const right = await signIn(a, 'admin', PASSWORD, '198.51.100.7');
    expect(right.status).toBe(429);
    expect(await failedChecks('admin') - before).toBe(FAILURES);
  });

  it('throttles an unknown name as it throttles a known one, so a 429 does not tell that a name exists', async () => {
    const answers = async (username: string) => {
      const out: Answer[] = [];
      for (let i = 0; i <= FAILURES; i++) out.push(await signIn(a, username, `guess ${i}`, '198.51.100.8'));
      return out.map((r) => [r.status, r.body.error!.code]);
    };
    const known = await answers('officer');
    expect(known.at(-1)).toEqual([429, 'too_many_attempts']);
    expect(await answers('nobody-here')).toEqual(known);
  });
});

describe('nobody can lock the owner out', () => {
  it('slows an account guessed at from one address, and admits its owner from another', async () => {
    for (let i = 0; i < FAILURES; i++) expect((await signIn(a, 'planner', `guess ${i}`, '203.0.113.1')).status).toBe(401);
    expect((await signIn(a, 'planner', PASSWORD, '203.0.113.1')).status).toBe(429);
    // The owner elsewhere, on the other instance: admitted.
    const owner = await signIn(b, 'planner', PASSWORD, '203.0.113.2');
    expect(owner.status).toBe(200);
    expect(owner.body.token).toEqual(expect.any(String));
    // Past the limit the account takes one attempt per SPACING_SECONDS from anywhere: a guess
    // from a third address is checked, and the next attempt from anywhere waits.
    expect((await signIn(a, 'planner', 'guess again', '203.0.113.3')).status).toBe(401);
    const next = await signIn(b, 'planner', PASSWORD, '203.0.113.2');
    expect(next.status).toBe(429);
    expect(next.body.error).toMatchObject({ code: 'account_slowed', message: expect.stringMatching(new RegExp(`每 ${SPACING_SECONDS} 秒只受理一次登入`)) });
    expect(retryAfter(next)).toBeGreaterThan(0);
    expect(retryAfter(next)).toBeLessThanOrEqual(SPACING_SECONDS);
  });

  it('a right password clears its address\'s count: an owner\'s typos do not add up to a lock', async () => {
    for (let i = 0; i < FAILURES - 1; i++) expect((await signIn(a, 'community', `typo ${i}`, '203.0.113.9')).status).toBe(401);
    expect((await signIn(a, 'community', PASSWORD, '203.0.113.9')).status).toBe(200);
    expect((await signIn(a, 'community', 'typo again', '203.0.113.9')).status).toBe(401);
    const { rows } = await w.db.query<{ attempts: number }>(`SELECT attempts FROM login_attempts WHERE key = $1`, ['pair:community\n203.0.113.9']);
    expect(rows).toEqual([{ attempts: 1 }]);
  });

  it('refuses one address guessing at many accounts after LOGIN_ADDRESS_FAILURES, and only that address', async () => {
    const strict = await serve(w.instance({ limits: { loginPerMinute: 100_000, loginAddressFailures: 5 } }).app);
    try {
      for (let i = 0; i < 5; i++) expect((await signIn(strict, `user-${i}`, 'password1', '192.0.2.50')).status).toBe(401);
      const refused = await signIn(strict, 'user-5', 'password1', '192.0.2.50');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'too_many_attempts_here', message: expect.stringMatching(/你的位置登入失敗太多次/) });
      expect((await signIn(strict, 'user-5', 'password1', '192.0.2.51')).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe('sign-in budget per address', () => {
  it('refuses an address past LOGIN_PER_MINUTE before the database, not other addresses; successful sign-ins are given back', async () => {
    const prefix = `budget-${Date.now()}:`;
    const one = await serve(w.instance({ limits: { loginPerMinute: 3 }, buckets: await testBuckets(prefix) }).app);
    // A second instance with its own connection to the same buckets (Redis when REDIS_URL is set).
    const two = await serve(w.instance({ limits: { loginPerMinute: 3 }, buckets: await testBuckets(prefix) }).app);
    try {
      const before = await failedChecks('budget-user');
      for (const s of [one, two, one]) expect((await signIn(s, 'budget-user', 'x-guess', '192.0.2.60')).status).toBe(401);
      const refused = await signIn(two, 'budget-user', 'x-guess', '192.0.2.60');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'too_many_requests', message: expect.stringMatching(/要求過於頻繁，請於 \d+ 秒後再試/) });
      expect(retryAfter(refused)).toBeGreaterThan(0);
      expect(await failedChecks('budget-user') - before).toBe(3);
      expect((await signIn(one, 'budget-user', 'x-guess', '192.0.2.61')).status).toBe(401);
      for (let i = 0; i < 5; i++) expect((await signIn(two, 'officer', PASSWORD, '192.0.2.62')).status).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
