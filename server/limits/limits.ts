import { availableParallelism } from 'node:os';

/**
 * The budgets and limits that keep one client, or one kind of work, from starving the rest
 * (README "Limits and hardening"). Each is set by an environment variable of the same name in
 * upper snake case (HEAVY_JOBS, SEARCH_PER_MINUTE, …).
 */
export interface Limits {
  /** Heavy jobs (analysis, imports, exports, roll-ups) running at once, per instance. */
  heavyJobs: number;
  /** Heavy jobs waiting for a slot; past that, 503. */
  heavyQueue: number;
  /** Searches per minute of an anonymous address or a community account. */
  searchPerMinute: number;
  /** Analyses per minute of an anonymous address or a community account. */
  analysisPerMinute: number;
  /** Sign-in requests per minute of one address (successful ones are given back). */
  loginPerMinute: number;
  /** Failed sign-ins at one account from one address per 15 minutes; also where the account starts being slowed. */
  loginFailures: number;
  /** Failed sign-ins from one address at any account per 15 minutes. */
  loginAddressFailures: number;
  /** Memory for outsiders' analysis answers, MB. */
  analysisCacheMb: number;
  /** How near a patrol point (m) an officer's position must be to sign in there without its QR code (PATROL_SIGN_IN_METRES). */
  patrolSignInMetres: number;
}

export const DEFAULT_LIMITS: Limits = {
  // One core is left to answering requests: heavy work in PostgreSQL, or in our threads, cannot take them all.
  heavyJobs: Math.min(4, Math.max(1, availableParallelism() - 1)),
  heavyQueue: 16,
  searchPerMinute: 60,
  analysisPerMinute: 20,
  loginPerMinute: 30,
  loginFailures: 10,
  loginAddressFailures: 50,
  analysisCacheMb: 32,
  patrolSignInMetres: 50,
};

/**
 * Sign-ins waiting for their password check; past that, 503. Passwords are checked one at a time
 * per instance, in a thread of lower priority (server/auth/scrypt-thread.ts).
 */
export const LOGIN_QUEUE = 32;
