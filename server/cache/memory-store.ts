import type { TileStore } from './store.js';

/**
 * Tiles in this process's memory, least recently used dropped first once the byte budget is
 * spent. For a single instance (no REDIS_URL); each instance would otherwise keep its own.
 */
export class MemoryTileStore implements TileStore {
  readonly kind = 'memory';
  /** `${tileKey}\n${variant}` → bytes; Map order is recency order (oldest first). */
  private readonly entries = new Map<string, Buffer>();
  /** tileKey → its entries' keys, so invalidation finds every variant. */
  private readonly variants = new Map<string, Set<string>>();
  private readonly sequences = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  async get(tileKey: string, variant: string): Promise<Buffer | undefined> {
    const key = `${tileKey}\n${variant}`;
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  async sequence(layer: string): Promise<number> {
    return this.sequences.get(layer) ?? 0;
  }

  async setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void> {
    if ((this.sequences.get(layer) ?? 0) !== seq || value.length > this.budgetBytes) return;
    const key = `${tileKey}\n${variant}`;
    this.remove(key);
    this.entries.set(key, value);
    this.bytes += value.length;
    let set = this.variants.get(tileKey);
    if (!set) this.variants.set(tileKey, (set = new Set()));
    set.add(key);
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.budgetBytes) break;
      this.remove(oldest);
    }
  }

  async invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void> {
    for (const layer of layers) this.sequences.set(layer, (this.sequences.get(layer) ?? 0) + 1);
    for (const tileKey of tileKeys) {
      for (const key of this.variants.get(tileKey) ?? []) this.remove(key);
    }
  }

  async clear(): Promise<void> {
    this.entries.clear();
    this.variants.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const value = this.entries.get(key);
    if (!value) return;
    this.entries.delete(key);
    this.bytes -= value.length;
    const tileKey = key.slice(0, key.indexOf('\n'));
    const set = this.variants.get(tileKey);
    set?.delete(key);
    if (set?.size === 0) this.variants.delete(tileKey);
  }

  /** Bytes held, for tests and the health endpoint. */
  get size(): number {
    return this.bytes;
  }

  async close(): Promise<void> {}
}
