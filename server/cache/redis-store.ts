import { Redis } from 'ioredis';
import type { TileStore } from './store.js';

/** How long an unchanged tile stays in Redis: bounds memory when tiles stop being asked for. */
const TTL_SECONDS = 24 * 3600;

/** Stores only while the layer's sequence is still the one read before rendering. */
const SET_IF_CURRENT = `
if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end`;

/**
 * Tiles in Redis, shared by every app instance: an edit on one instance deletes the tiles from
 * the one store all instances read, so each serves the edit on its next request. Commands fail
 * fast: at once while Redis is away (no offline queue), after `timeoutMs` while it does not
 * answer (paused, swapping, a network that drops packets), so callers fall back to the database.
 */
export class RedisTileStore implements TileStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  /** Separates deployments (or test databases) sharing one Redis. */
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly tileHash = (tileKey: string) => `${this.prefix}tile:${tileKey}`;
  private readonly seqKey = (layer: string) => `${this.prefix}seq:${layer}`;

  constructor(url: string, opts: { timeoutMs: number; onError: (err: Error) => void; onReady: () => void; prefix?: string }) {
    this.prefix = opts.prefix ?? 'emap:';
    this.timeoutMs = opts.timeoutMs;
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      // A map asks for many tiles at once: send their lookups to Redis together.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.max(2000, opts.timeoutMs),
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', opts.onError);
    this.redis.on('ready', opts.onReady);
  }

  async get(tileKey: string, variant: string): Promise<Buffer | undefined> {
    return (await this.inTime(this.redis.hgetBuffer(this.tileHash(tileKey), variant))) ?? undefined;
  }

  async sequence(layer: string): Promise<number> {
    return Number((await this.inTime(this.redis.get(this.seqKey(layer)))) ?? 0);
  }

  async setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void> {
    await this.inTime(this.redis.eval(SET_IF_CURRENT, 2, this.seqKey(layer), this.tileHash(tileKey), String(seq), variant, value, TTL_SECONDS));
  }

  async invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void> {
    const m = this.redis.multi();
    for (const layer of layers) m.incr(this.seqKey(layer));
    for (let i = 0; i < tileKeys.length; i += 1000) m.unlink(...tileKeys.slice(i, i + 1000).map(this.tileHash));
    await this.inTime(m.exec());
  }

  async ping(): Promise<void> {
    await this.inTime(this.redis.ping());
  }

  /**
   * The command's answer, or an error once `timeoutMs` passed without one. The verdict is given
   * after the I/O that arrived meanwhile has been read (setImmediate runs after the event loop's
   * poll phase, timers before it): when this process was busy (a cluster index built, a large
   * tile encoded), an answer already waiting in the socket counts as in time. A busy Node is not
   * a slow Redis, and must not open the breaker.
   */
  private inTime<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => setImmediate(() => reject(new Error(`no answer within ${this.timeoutMs} ms`))), this.timeoutMs);
      command.then((v) => { clearTimeout(timer); resolve(v); }, (err: unknown) => { clearTimeout(timer); reject(err); });
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
