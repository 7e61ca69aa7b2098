/**
 * Byte buffers by key, least recently used dropped first once a byte budget is spent. Values
 * larger than the whole budget are not kept. `onDrop` hears of every key that leaves.
 */
export class LruBytes {
  /** Map order is recency order, oldest first. */
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number, private readonly onDrop: (key: string) => void = () => {}) {}

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: Buffer): boolean {
    if (value.length > this.budgetBytes) return false;
    this.delete(key);
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.budgetBytes) break;
      this.delete(oldest);
    }
    return true;
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (!value) return;
    this.entries.delete(key);
    this.bytes -= value.length;
    this.onDrop(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  get size(): number {
    return this.bytes;
  }
}
