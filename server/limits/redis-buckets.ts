import { Redis } from 'ioredis';
import { MemoryBuckets, type Budget, type Buckets, type Taken } from './token-bucket.js';

/**
 * takeFrom (token-bucket.ts) run inside Redis, so that every instance draws on one bucket per
 * client; the clock is Redis's, so instances whose clocks differ still agree.
 */
const TAKE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local cap = tonumber(ARGV[1])
local per_ms = cap / 60000
local cost = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = cap
if b[1] then tokens = math.min(cap, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * per_ms) end
local ok, retry = 0, 0
if tokens >= cost then
  tokens = math.min(cap, tokens - cost)
  ok = 1
else
  retry = math.max(1, math.ceil((cost - tokens) / per_ms / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return {ok, retry}`;

/** A budget check must not make a request wait: Redis gets this long to answer. */
const TIMEOUT_MS = 250;
/** After Redis failed or was slow, budgets are kept locally this long before Redis is tried again. */
const RETRY_MS = 3000;

/**
 * Budgets shared by every app instance through Redis. When Redis is slow or away (or still
 * connecting), each instance counts in its own memory (the limit then holds per instance rather
 * than not at all), says so once in the log, and goes back to Redis a few seconds later.
 */
export class RedisBuckets implements Buckets {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly local = new MemoryBuckets();
  private localUntil = 0;
  private down = false;

  /** `prefix` separates deployments (or test runs) sharing one Redis. */
  constructor(url: string, private readonly prefix = 'emap:', private readonly warn: (message: string) => void = console.warn) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', (err: Error) => {
      if (!this.down) this.warn(`budgets: Redis unreachable (${err.message}); counting in this instance until it is back`);
      this.down = true;
    });
    this.redis.on('ready', () => {
      if (this.down) this.warn('budgets: Redis available again');
      this.down = false;
    });
  }

  /** Whether budgets are counted in Redis now (not while it is connecting, slow or away). */
  get available(): boolean {
    return this.redis.status === 'ready' && Date.now() >= this.localUntil;
  }

  async take(budget: Budget, client: string, cost = 1): Promise<Taken> {
    if (this.available) {
      try {
        const [ok, retry] = (await this.redis.eval(TAKE, 1, `${this.prefix}budget:${budget.name}:${client}`, budget.perMinute, cost)) as [number, number];
        return { ok: ok === 1, retryAfterSeconds: retry };
      } catch (err) {
        this.warn(`budgets: Redis did not answer (${(err as Error).message}); counting in this instance for ${RETRY_MS / 1000} s`);
        this.localUntil = Date.now() + RETRY_MS;
      }
    }
    return this.local.takeNow(budget, client, cost);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
