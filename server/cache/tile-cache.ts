import { MemoryTileStore } from './memory-store.js';
import { RedisTileStore } from './redis-store.js';
import type { TileStore } from './store.js';

export interface CacheKey {
  readonly layer: string;
  readonly tileKey: string;
  /** The access scope the tile was rendered for (role and its precinct or area). */
  readonly variant: string;
}

type Log = (message: string) => void;

/** How long a failed store is left alone before it is tried again. */
const RETRY_MS = 3000;

/**
 * Rendered tiles behind one call, getOrCreate. A store that fails (Redis down) is bypassed:
 * tiles come from the database, one warning is logged, and the store is tried again every few
 * seconds and used as soon as it answers. Invalidations that could not reach it may have left it
 * stale, so it is cleared before it is used again.
 */
export class TileCache {
  private healthy = true;
  private retryAt = 0;
  private missedInvalidation = false;

  constructor(private readonly store: TileStore, private readonly warn: Log = console.warn) {}

  static memory(budgetBytes: number, warn?: Log): TileCache {
    return new TileCache(new MemoryTileStore(budgetBytes), warn);
  }

  static redis(url: string, warn?: Log, prefix?: string): TileCache {
    let cache: TileCache | undefined;
    const store = new RedisTileStore(url, (message) => cache?.failed(new Error(message)), prefix);
    cache = new TileCache(store, warn);
    return cache;
  }

  get kind(): 'memory' | 'redis' {
    return this.store.kind;
  }

  /** Whether the store answered its last command. */
  get available(): boolean {
    return this.healthy;
  }

  async getOrCreate(key: CacheKey, produce: () => Promise<Buffer>): Promise<Buffer> {
    const cached = await this.attempt(async () => {
      const hit = await this.store.get(key.tileKey, key.variant);
      return hit ? { hit } : { seq: await this.store.sequence(key.layer) };
    });
    if (cached?.hit) return cached.hit;
    const value = await produce();
    if (cached?.seq !== undefined) {
      const seq = cached.seq;
      await this.attempt(() => this.store.setIfCurrent(key.tileKey, key.variant, value, key.layer, seq));
    }
    return value;
  }

  async invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void> {
    if (layers.length === 0) return;
    const done = await this.attempt(async () => {
      await this.store.invalidate(layers, tileKeys);
      return true;
    });
    if (!done) this.missedInvalidation = true;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Runs a store command; undefined when the store is down or the command fails. */
  private async attempt<T>(op: () => Promise<T>): Promise<T | undefined> {
    if (!this.healthy) {
      if (Date.now() < this.retryAt) return undefined;
      this.retryAt = Date.now() + RETRY_MS;
      try {
        if (this.missedInvalidation) await this.store.clear();
        this.missedInvalidation = false;
      } catch {
        return undefined;
      }
    }
    try {
      const result = await op();
      if (!this.healthy) {
        this.healthy = true;
        this.warn(`tile cache (${this.store.kind}) available again`);
      }
      return result;
    } catch (err) {
      this.failed(err as Error);
      return undefined;
    }
  }

  private failed(err: Error): void {
    if (!this.healthy) return;
    this.warn(`tile cache (${this.store.kind}) unavailable, serving tiles from the database: ${err.message}`);
    this.healthy = false;
    this.retryAt = Date.now() + RETRY_MS;
  }
}
