import type { TileCache } from '../cache/tile-cache.js';
import { tileKey } from '../cache/store.js';
import type { Db, Queryable } from '../db/db.js';
import { LAYERS } from '../layers/registry.js';
import { tilesTouching, type LonLatBox } from './coords.js';

/**
 * Exact invalidation: the database notes the bounding box of every tiled row a transaction
 * changes, before and after (sql/migrations/008_tiles.sql), including rows changed by its
 * triggers (points re-assigned by a beat redraw, a place's last visit). The writer takes those
 * boxes before committing and, once committed, drops the tiles they touch at every zoom of the
 * layer, and nothing else.
 */
const LAYER_OF_TABLE = new Map(LAYERS.filter((l) => l.tiles).map((l) => [l.table, l]));

export interface TileChange {
  readonly table: string;
  readonly box: LonLatBox;
}

export async function takeTileChanges(tx: Queryable): Promise<TileChange[]> {
  const { rows } = await tx.query<{ layer_table: string; west: number; south: number; east: number; north: number }>(
    'SELECT * FROM take_tile_changes()');
  return rows.map((r) => ({ table: r.layer_table, box: [r.west, r.south, r.east, r.north] }));
}

/** The layers and tile keys a set of changes touches. */
export function touchedTiles(changes: readonly TileChange[]): { layers: string[]; tileKeys: string[] } {
  const layers = new Set<string>();
  const keys = new Set<string>();
  for (const { table, box } of changes) {
    const layer = LAYER_OF_TABLE.get(table);
    if (!layer) continue;
    layers.add(layer.id);
    for (let z = layer.tiles!.minzoom; z <= layer.tiles!.maxzoom; z++) {
      for (const t of tilesTouching(box, z)) keys.add(tileKey(layer.id, t.z, t.x, t.y));
    }
  }
  return { layers: [...layers], tileKeys: [...keys] };
}

/** The same database, whose transactions invalidate the tiles they changed once committed. */
export function invalidatingTiles(db: Db, cache: TileCache): Db {
  return {
    kind: db.kind,
    query: (sql, params, opts) => db.query(sql, params, opts),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    async transaction(fn) {
      let changes: TileChange[] = [];
      const result = await db.transaction(async (tx) => {
        const r = await fn(tx);
        changes = await takeTileChanges(tx);
        return r;
      });
      const { layers, tileKeys } = touchedTiles(changes);
      await cache.invalidate(layers, tileKeys);
      return result;
    },
  };
}
