import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import type { LayerDef } from '../layers/types.js';
import { ClusterIndexes } from './clusters.js';
import type { TileId } from './coords.js';
import { encodeLayer } from './encode.js';
import { clustered, mvtQuery, snappedGeom, tileRows } from './sql.js';

export type Encoder = 'postgis' | 'node';

/**
 * Renders one layer's MVT for a tile and a principal; an empty buffer when the tile holds
 * nothing. Clustered zooms come from the cluster indexes; other tiles from one SQL query,
 * encoded by ST_AsMVT where PostGIS has protobuf (PostgreSQL) and in Node where it has not
 * (PGlite). Layers of a composite tile are rendered alone and concatenated (an MVT is a
 * sequence of layer messages), so each layer's tile is cached once whatever set it came in.
 */
export class TileRenderer {
  private readonly clusters: ClusterIndexes;

  constructor(private readonly db: Db, readonly encoder: Encoder = db.kind === 'postgres' ? 'postgis' : 'node') {
    this.clusters = new ClusterIndexes(db);
  }

  async render(layer: LayerDef, p: Principal, t: TileId): Promise<Buffer> {
    if (clustered(layer, t.z)) return this.clusters.render(layer, p, t);
    if (this.encoder === 'postgis') {
      const { sql, params } = mvtQuery(layer, p, t);
      const { rows } = await this.db.query<{ mvt: Uint8Array | null }>(sql, params);
      const mvt = rows[0]?.mvt;
      return mvt ? Buffer.from(mvt.buffer, mvt.byteOffset, mvt.byteLength) : Buffer.alloc(0);
    }
    const params: unknown[] = [];
    const { rows } = await this.db.query<Record<string, unknown>>(tileRows(layer, p, t, snappedGeom, params), params);
    return encodeLayer(layer.id, rows);
  }
}
