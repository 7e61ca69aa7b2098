import type { Db, Queryable } from '../db/db.js';
import { logEvent, type LogEvent } from '../log.js';
import { Breaker, type BreakerState } from './breaker.js';
import { TileEpochs, type Epochs } from './epochs.js';
import { MemoryTileStore } from './memory-store.js';
import { RedisTileStore } from './redis-store.js';
import { layerOfTileKey, type TileStore } from './store.js';

export interface CacheKey {
  readonly layer: string;
  readonly tileKey: string;
  /** The access scope the tile was rendered for (role and its precinct or area). */
  readonly variant: string;
}

export interface TileCacheOptions {
  /** While the store is bypassed, it is probed this often (REDIS_RETRY_MS). */
  retryMs?: number;
  log?: LogEvent;
}

export interface RedisCacheOptions extends TileCacheOptions {
  /** A command not answered within this fails (REDIS_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Separates deployments (or test databases) sharing one Redis. */
  prefix?: string;
}

export const REDIS_DEFAULTS = { timeoutMs: 250, retryMs: 1000 } as const;

export interface CacheHealth {
  status: 'ok' | 'bypassed';
  breaker: BreakerState;
  /** Why tiles bypass the cache, while they do. */
  reason?: string;
}

/** Said when the epochs are not known (see TileEpochs). */
const EPOCHS_UNKNOWN = 'the layers\' cache epochs are not known yet (database not read or not listening)';

/**
 * Rendered tiles behind one call, getOrCreate, with two promises:
 *
 * - **It never makes a request wait on a failing store.** A store command that fails or times
 *   out opens a circuit breaker; while it is open, tiles come from the database and writes do not
 *   touch the store; a probe every `retryMs` closes it again.
 * - **It never serves a tile older than the last committed write**, even one the store did not
 *   hear of. Keys carry the layer's cache epoch (TileEpochs): a write that cannot drop its tiles
 *   from the store (breaker open, or the command failed) moves its layers to a new epoch in the
 *   database instead, which every instance hears of, so the old entries are never asked for
 *   again. Normally a write drops exactly the tiles it touched and the epochs stay put.
 */
export class TileCache {
  private readonly breaker: Breaker;
  private epochs: TileEpochs | undefined;
  private readonly log: LogEvent;

  constructor(private readonly store: TileStore, opts: TileCacheOptions = {}) {
    this.log = opts.log ?? logEvent;
    this.breaker = new Breaker({
      dependency: store.kind, retryMs: opts.retryMs ?? REDIS_DEFAULTS.retryMs, probe: () => store.ping(), log: this.log,
      // A store over the network is used once it has answered, not while it is still connecting.
      startOpen: store.kind === 'redis' ? 'connecting' : undefined,
    });
  }

  static memory(budgetBytes: number, opts?: TileCacheOptions): TileCache {
    return new TileCache(new MemoryTileStore(budgetBytes), opts);
  }

  static redis(url: string, opts: RedisCacheOptions = {}): TileCache {
    let cache: TileCache | undefined;
    const store = new RedisTileStore(url, {
      timeoutMs: opts.timeoutMs ?? REDIS_DEFAULTS.timeoutMs, prefix: opts.prefix,
      // A lost connection opens the breaker before any command fails on it; a (re)connection probes it at once.
      onError: (err) => cache?.breaker.trip(err),
      onReady: () => cache?.breaker.probeNow(),
    });
    cache = new TileCache(store, opts);
    return cache;
  }

  /** Keys follow the epochs of this database (createApp calls it); until then the cache is not used. */
  follow(db: Db): void {
    this.epochs = TileEpochs.of(db);
  }

  get kind(): 'memory' | 'redis' {
    return this.store.kind;
  }

  /** Whether tiles are read from and kept in the store now. */
  get usable(): boolean {
    return !this.breaker.isOpen && this.epochs?.known === true;
  }

  async getOrCreate(key: CacheKey, produce: () => Promise<Buffer>): Promise<Buffer> {
    // The key's epoch is taken before rendering: a render that began before the layer moved to
    // a new epoch is kept under the old one, where nobody looks any more.
    const epoch = this.breaker.isOpen ? undefined : this.epochs?.epoch(key.layer);
    if (epoch === undefined) return produce();
    const tileKey = `${epoch}:${key.tileKey}`;
    const cached = await this.attempt(async () => {
      const hit = await this.store.get(tileKey, key.variant);
      return hit ? { hit } : { seq: await this.store.sequence(key.layer) };
    });
    if (cached?.hit) return cached.hit;
    const value = await produce();
    // Not while the breaker opened during the render: that would wait a second timeout.
    if (cached?.seq !== undefined && !this.breaker.isOpen) {
      const seq = cached.seq;
      await this.attempt(() => this.store.setIfCurrent(tileKey, key.variant, value, key.layer, seq));
    }
    return value;
  }

  /**
   * In the writing transaction, before it commits: if the store cannot be told of the write
   * (bypassed now), its layers move to a new epoch with the write itself, so that not even a
   * crash right after the commit can leave their old tiles to be served later. Returns the new
   * epochs, for `invalidate` to apply once the transaction has committed.
   */
  async epochsForWrite(tx: Queryable, layers: readonly string[]): Promise<Epochs | undefined> {
    if (layers.length === 0 || this.usable || !this.epochs) return undefined;
    return this.epochs.advance(layers, tx);
  }

  /**
   * After the write committed: takes in the epochs it advanced, or drops the tiles it touched
   * from the store. When the store fails, the layers move to a new epoch instead. Never rejects;
   * the writer does not wait for it (its answer never waits on the cache). The drop is on its
   * way to the store as the writer answers: ahead of this instance's next command on the same
   * connection, and in practice of any other instance's request that the answer leads to.
   */
  async invalidate(layers: readonly string[], tileKeys: readonly string[], advanced?: Epochs): Promise<void> {
    const epochs = this.epochs;
    if (!epochs || layers.length === 0) return;
    if (advanced) return epochs.apply(advanced);
    const keys = this.usable ? tileKeys.map((k) => `${epochs.epoch(layerOfTileKey(k))}:${k}`) : undefined;
    if (keys && (await this.attempt(async () => { await this.store.invalidate(layers, keys); return true; }))) return;
    try {
      epochs.apply(await epochs.advance(layers));
    } catch (err) {
      // Neither the store nor the database took the change: the old tiles stay until they expire.
      this.log('error', 'cache.stale', { layers: layers.join(','), reason: (err as Error).message });
    }
  }

  /** The cache's state for /api/health; asks the store when it is in use, so a stall shows at once. */
  async health(): Promise<CacheHealth> {
    if (this.usable) await this.attempt(() => this.store.ping());
    const breaker = this.breaker.state();
    if (breaker.open) return { status: 'bypassed', breaker, reason: breaker.reason };
    if (!this.usable) return { status: 'bypassed', breaker, reason: EPOCHS_UNKNOWN };
    return { status: 'ok', breaker };
  }

  async close(): Promise<void> {
    this.breaker.stop();
    await this.store.close();
  }

  /** Runs a store command; undefined when it fails, which opens the breaker. */
  private async attempt<T>(op: () => Promise<T>): Promise<T | undefined> {
    try {
      return await op();
    } catch (err) {
      this.breaker.trip(err as Error);
      return undefined;
    }
  }
}
