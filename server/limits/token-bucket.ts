/**
 * A budget of requests per client: a bucket of `perMinute` tokens, refilled at `perMinute` a
 * minute; each request takes one, and a client with an empty bucket is refused until one has
 * dripped back in. So a client may send a burst of `perMinute` and then keep to the rate.
 */
export interface Budget {
  /** Names the budget in keys and logs: `search`, `analysis`, `login`. */
  readonly name: string;
  readonly perMinute: number;
}

export interface Taken {
  ok: boolean;
  /** When refused: whole seconds until a token is back (at least 1). */
  retryAfterSeconds: number;
}

export interface BucketState {
  tokens: number;
  /** Milliseconds since the epoch when `tokens` was last brought up to date. */
  at: number;
}

/** Takes `cost` tokens (a negative cost gives some back) from a bucket as it is at `now`. */
export function takeFrom(state: BucketState | undefined, budget: Budget, cost: number, now: number): { state: BucketState; taken: Taken } {
  const perMs = budget.perMinute / 60_000;
  const tokens = Math.min(budget.perMinute, state ? state.tokens + Math.max(0, now - state.at) * perMs : budget.perMinute);
  if (tokens >= cost) return { state: { tokens: Math.min(budget.perMinute, tokens - cost), at: now }, taken: { ok: true, retryAfterSeconds: 0 } };
  return { state: { tokens, at: now }, taken: { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / perMs / 1000)) } };
}

/** Where buckets are kept: this process's memory, or Redis shared by every instance. */
export interface Buckets {
  readonly kind: 'memory' | 'redis';
  /** False while a shared store is unreachable and budgets are counted per instance. */
  readonly available: boolean;
  take(budget: Budget, client: string, cost?: number): Promise<Taken>;
  close(): Promise<void>;
}

/** Past this many buckets, the full ones (idle clients) are forgotten. */
const SWEEP_ABOVE = 50_000;

export class MemoryBuckets implements Buckets {
  readonly kind = 'memory';
  readonly available = true;
  private readonly buckets = new Map<string, { state: BucketState; budget: Budget }>();

  async take(budget: Budget, client: string, cost = 1): Promise<Taken> {
    return this.takeNow(budget, client, cost);
  }

  /** The same as take, without a promise: the fallback of the Redis buckets uses it. */
  takeNow(budget: Budget, client: string, cost = 1, now = Date.now()): Taken {
    const key = `${budget.name}\n${client}`;
    if (this.buckets.size >= SWEEP_ABOVE && !this.buckets.has(key)) this.sweep(now);
    const { state, taken } = takeFrom(this.buckets.get(key)?.state, budget, cost, now);
    this.buckets.set(key, { state, budget });
    return taken;
  }

  /**
   * Drops buckets that have filled up again (forgetting them changes nothing); if a flood from
   * more clients than that keeps them all partly spent, the oldest go too, so memory stays
   * bounded at the price of a fresh budget for some of the flood.
   */
  private sweep(now: number): void {
    for (const [key, { state, budget }] of this.buckets) {
      if (takeFrom(state, budget, 0, now).state.tokens >= budget.perMinute) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < SWEEP_ABOVE * 0.9) break;
      this.buckets.delete(key);
    }
  }

  async close(): Promise<void> {}
}
