import type { Epochs } from '../cache/epochs.js';
import type { TileCache } from '../cache/tile-cache.js';
import { tileKey } from '../cache/store.js';
import type { Db, Queryable } from '../db/db.js';
import { LAYERS } from '../layers/registry.js';
import { tileRange, toGrid, type LonLatBox } from './coords.js';

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

/**
 * The boxes travel as four arrays per table: a row per box is dearer to pass out of PGlite
 * than the work behind it (200,000 boxes of a 100,000-camera import: 3.3 s as rows, 1.2 s so).
 */
export async function takeTileChanges(tx: Queryable): Promise<TileChange[]> {
  const { rows } = await tx.query<{ layer_table: string; west: number[]; south: number[]; east: number[]; north: number[] }>(
    `SELECT layer_table, array_agg(west) AS west, array_agg(south) AS south, array_agg(east) AS east, array_agg(north) AS north
       FROM take_tile_changes() GROUP BY layer_table`);
  return rows.flatMap((r) => r.west.map((w, i) => ({ table: r.layer_table, box: [w, r.south[i]!, r.east[i]!, r.north[i]!] as const })));
}

/**
 * The layers and tile keys a set of changes touches. An import of 100,000 cameras notes 200,000
 * boxes (the cameras and their coverage) that touch some 16,000 tiles: tiles are collected as
 * numbers per layer and zoom, and named once each (2.2 s → 0.8 s for those boxes).
 */
export function touchedTiles(changes: readonly TileChange[]): { layers: string[]; tileKeys: string[] } {
  const touched = new Map<string, Map<number, Set<number>>>();
  for (const { table, box } of changes) {
    const layer = LAYER_OF_TABLE.get(table);
    if (!layer) continue;
    let zooms = touched.get(layer.id);
    if (!zooms) touched.set(layer.id, (zooms = new Map()));
    const g = toGrid(box);
    for (let z = layer.tiles!.minzoom; z <= layer.tiles!.maxzoom; z++) {
      const n = 2 ** z;
      const { x0, x1, y0, y1 } = tileRange(g, z);
      let tiles = zooms.get(z);
      if (!tiles) zooms.set(z, (tiles = new Set()));
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) tiles.add(x * n + y);
    }
  }
  const tileKeys: string[] = [];
  for (const [id, zooms] of touched) {
    for (const [z, tiles] of zooms) {
      const n = 2 ** z;
      for (const t of tiles) tileKeys.push(tileKey(id, z, Math.floor(t / n), t % n));
    }
  }
  return { layers: [...touched.keys()], tileKeys };
}

/**
 * The same database, whose transactions invalidate the tiles they changed once committed. The
 * answer to the write does not wait for the cache; while the cache is bypassed the changed
 * layers move to a new cache epoch in the write's own transaction (TileCache).
 */
export function invalidatingTiles(db: Db, cache: TileCache): Db {
  return {
    kind: db.kind,
    query: (sql, params, opts) => db.query(sql, params, opts),
    exec: (sql) => db.exec(sql),
    ...(db.heavy ? { heavy: invalidatingTiles(db.heavy, cache) } : {}),
    ...(db.listen ? { listen: db.listen.bind(db) } : {}),
    ping: () => db.ping(),
    close: () => db.close(),
    async transaction(fn) {
      let touched: { layers: string[]; tileKeys: string[] } = { layers: [], tileKeys: [] };
      let advanced: Epochs | undefined;
      const result = await db.transaction(async (tx) => {
        const r = await fn(tx);
        touched = touchedTiles(await takeTileChanges(tx));
        advanced = await cache.epochsForWrite(tx, touched.layers);
        return r;
      });
      void cache.invalidate(touched.layers, touched.tileKeys, advanced);
      return result;
    },
  };
}
