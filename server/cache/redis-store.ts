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
 * fast while Redis is away (no offline queue) so callers fall back to the database at once.
 */
export class RedisTileStore implements TileStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly tileHash = (tileKey: string) => `${this.prefix}tile:${tileKey}`;
  private readonly seqKey = (layer: string) => `${this.prefix}seq:${layer}`;

  /** `prefix` separates deployments (or test databases) sharing one Redis. */
  constructor(url: string, onError: (message: string) => void, private readonly prefix = 'emap:') {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      // A map asks for many tiles at once: send their lookups to Redis together.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', (err: Error) => onError(err.message));
  }

  async get(tileKey: string, variant: string): Promise<Buffer | undefined> {
    return (await this.redis.hgetBuffer(this.tileHash(tileKey), variant)) ?? undefined;
  }

  async sequence(layer: string): Promise<number> {
    return Number((await this.redis.get(this.seqKey(layer))) ?? 0);
  }

  async setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void> {
    await this.redis.eval(SET_IF_CURRENT, 2, this.seqKey(layer), this.tileHash(tileKey), String(seq), variant, value, TTL_SECONDS);
  }

  async invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void> {
    const m = this.redis.multi();
    for (const layer of layers) m.incr(this.seqKey(layer));
    for (let i = 0; i < tileKeys.length; i += 1000) m.unlink(...tileKeys.slice(i, i + 1000).map(this.tileHash));
    await m.exec();
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}tile:*`, 'COUNT', 1000);
      if (keys.length) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
