import type { Queryable } from '../db/db.js';

/**
 * Sign-in throttling, counted in the database (sql/migrations/040_login_attempts.sql) so that
 * every app instance shares it, and claimed before the password is checked, so that however
 * many attempts arrive at once no more than the limit are checked.
 *
 *  - one account from one address: `failures` attempts per window, then that address is
 *    refused for that account until the window ends;
 *  - one address at any account: `addressFailures` per window (password spraying);
 *  - one account from anywhere: past `failures`, one attempt every SPACING_SECONDS, so that
 *    guessing from some addresses slows the account but cannot lock its owner out.
 *
 * A successful sign-in gives its attempt back, so only failures (and attempts in progress) count.
 */
export interface LoginLimits {
  failures: number;
  addressFailures: number;
}

export const WINDOW_MINUTES = 15;
export const SPACING_SECONDS = 30;

export type Claim =
  | { granted: true; pairAttempts: number; accountAttempts: number }
  | { granted: false; retryAfterSeconds: number; refusedBy: 'pair' | 'address' | 'account' };

export class LoginThrottle {
  constructor(private readonly db: Queryable, readonly limits: LoginLimits) {}

  async claim(username: string, address: string): Promise<Claim> {
    const { rows } = await this.db.query<{ granted: boolean; retry_after: number; refused_by: 'pair' | 'address' | 'account'; pair_attempts: number; account_attempts: number }>(
      `SELECT * FROM claim_login_attempt($1, $2, $3, $4, make_interval(mins => $5), make_interval(secs => $6))`,
      [username, address, this.limits.failures, this.limits.addressFailures, WINDOW_MINUTES, SPACING_SECONDS]);
    const r = rows[0]!;
    return r.granted
      ? { granted: true, pairAttempts: r.pair_attempts, accountAttempts: r.account_attempts }
      : { granted: false, retryAfterSeconds: r.retry_after, refusedBy: r.refused_by };
  }

  /** Gives a claimed attempt back: the password was right, or it was never checked. */
  async release(username: string, address: string, succeeded: boolean): Promise<void> {
    await this.db.query('SELECT release_login_attempt($1, $2, $3)', [username, address, succeeded]);
  }
}
