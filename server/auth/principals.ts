import type { Db } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { PUBLIC, type Principal } from './principal.js';
import { principalForToken } from './sessions.js';

/** How long a resolved session is trusted without asking the database again. */
const TRUST_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Session tokens to principals, remembered for a few seconds so that a map panning through
 * dozens of tiles a second does not ask the database who it is each time. Signing out here
 * forgets the token at once; another instance may honour it for up to TRUST_MS more.
 */
export class Principals {
  private readonly known = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly db: Db) {}

  /** The caller's principal: the public without a token; a wrong or expired token is a 401. */
  async resolve(token: string | null): Promise<Principal> {
    if (!token) return PUBLIC;
    const now = Date.now();
    const hit = this.known.get(token);
    if (hit && hit.until > now) return hit.principal;
    const principal = await principalForToken(this.db, token);
    if (!principal) {
      this.known.delete(token);
      throw refusal(401, 'invalid_session', undefined);
    }
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(token, { principal, until: now + TRUST_MS });
    return principal;
  }

  forget(token: string): void {
    this.known.delete(token);
  }

  /** Forgets every session of an account whose role, scope or password an administrator changed. */
  forgetAccount(username: string): void {
    for (const [token, { principal }] of this.known) {
      if (principal.username === username) this.known.delete(token);
    }
  }
}
