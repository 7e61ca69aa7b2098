import { LruBytes } from './lru.js';
import type { TileStore } from './store.js';

/**
 * Tiles in this process's memory, least recently used dropped first once the byte budget is
 * spent. For a single instance (no REDIS_URL); each instance would otherwise keep its own.
 */
export class MemoryTileStore implements TileStore {
  readonly kind = 'memory';
  /** `${tileKey}\n${variant}` → bytes. */
  private readonly entries: LruBytes;
  /** tileKey → its entries' keys, so invalidation finds every variant. */
  private readonly variants = new Map<string, Set<string>>();
  private readonly sequences = new Map<string, number>();

  constructor(budgetBytes: number) {
    this.entries = new LruBytes(budgetBytes, (key) => {
      const tileKey = key.slice(0, key.indexOf('\n'));
      const set = this.variants.get(tileKey);
      set?.delete(key);
      if (set?.size === 0) this.variants.delete(tileKey);
    });
  }

  async get(tileKey: string, variant: string): Promise<Buffer | undefined> {
    return this.entries.get(`${tileKey}\n${variant}`);
  }

  async sequence(layer: string): Promise<number> {
    return this.sequences.get(layer) ?? 0;
  }

  async setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void> {
    if ((this.sequences.get(layer) ?? 0) !== seq) return;
    const key = `${tileKey}\n${variant}`;
    if (!this.entries.set(key, value)) return;
    let set = this.variants.get(tileKey);
    if (!set) this.variants.set(tileKey, (set = new Set()));
    set.add(key);
  }

  async invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void> {
    for (const layer of layers) this.sequences.set(layer, (this.sequences.get(layer) ?? 0) + 1);
    for (const tileKey of tileKeys) {
      for (const key of [...(this.variants.get(tileKey) ?? [])]) this.entries.delete(key);
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
