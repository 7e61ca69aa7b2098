/**
 * A shared store of rendered tiles. A tile (layer, z, x, y) has one entry per access scope
 * (`variant`); invalidating a tile drops all of them. Each layer has an edit sequence that
 * invalidation advances: a tile rendered from data read before an edit is stored only if no
 * invalidation of its layer happened meanwhile, so a slow render cannot put back a stale tile.
 * Tile keys reach the store with the layer's cache epoch in them (see TileCache).
 */
export interface TileStore {
  readonly kind: 'memory' | 'redis';
  get(tileKey: string, variant: string): Promise<Buffer | undefined>;
  /** The layer's edit sequence, read before rendering. */
  sequence(layer: string): Promise<number>;
  /** Stores the entry unless the layer's sequence has moved past `seq`. */
  setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void>;
  /** Advances the layers' sequences and drops every variant of the tiles. */
  invalidate(layers: readonly string[], tileKeys: readonly string[]): Promise<void>;
  /** Resolves when the store answers (in time). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const tileKey = (layer: string, z: number, x: number, y: number) => `${layer}/${z}/${x}/${y}`;

/** The layer a tile key belongs to (layer ids hold no slash). */
export const layerOfTileKey = (key: string) => key.slice(0, key.indexOf('/'));
