import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import type { LayerDef } from '../layers/types.js';
import type { TileId } from './coords.js';
import { encodeLayer } from './encode.js';
import { mvtQuery, snappedGeom, tileRows } from './sql.js';

export type Encoder = 'postgis' | 'node';

/** ST_AsMVT needs PostGIS built with protobuf; PGlite's is not, so it encodes in Node. */
export const encoderFor = (kind: 'pglite' | 'postgres'): Encoder => (kind === 'postgres' ? 'postgis' : 'node');

/**
 * One layer's MVT for a tile and a principal: an empty buffer when the tile holds nothing.
 * Layers of a composite tile are rendered alone and concatenated (an MVT is a sequence of
 * layer messages), so each layer's tile is cached once, whichever set it was asked with.
 */
export async function renderLayerTile(db: Queryable, encoder: Encoder, layer: LayerDef, p: Principal, t: TileId): Promise<Buffer> {
  if (encoder === 'postgis') {
    const { sql, params } = mvtQuery(layer, p, t);
    const { rows } = await db.query<{ mvt: Uint8Array | null }>(sql, params);
    const mvt = rows[0]?.mvt;
    return mvt ? Buffer.from(mvt.buffer, mvt.byteOffset, mvt.byteLength) : Buffer.alloc(0);
  }
  const params: unknown[] = [];
  const { rows } = await db.query<Record<string, unknown>>(tileRows(layer, p, t, snappedGeom, params), params);
  return encodeLayer(layer.id, rows);
}
