import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import type { ListQuery } from '../features/list-query.js';
import type { LayerDef } from '../layers/types.js';
import { ClusterIndexes } from './clusters.js';
import type { TileId } from './coords.js';
import { encodeLayer } from './encode.js';
import { clustered, mvtSubquery, partName, snappedGeom, tileParts, tileRows } from './sql.js';

export type Encoder = 'postgis' | 'node';

interface Batch {
  p: Principal;
  t: TileId;
  jobs: { layer: LayerDef; filter?: ListQuery; resolve: (mvt: Buffer) => void; reject: (err: unknown) => void }[];
}

const toBuffer = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.alloc(0));

/**
 * Renders one layer's MVT for a tile and a principal; an empty buffer when the tile holds
 * nothing. Clustered zooms come from the cluster indexes; other tiles from SQL, encoded by
 * ST_AsMVT where PostGIS has protobuf (PostgreSQL) and in Node where it has not (PGlite).
 * On PostgreSQL the layers of one tile asked for together (a composite) go to the database as
 * one statement: one round trip instead of one per layer.
 */
export class TileRenderer {
  private readonly clusters: ClusterIndexes;
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly db: Db, readonly encoder: Encoder = db.kind === 'postgres' ? 'postgis' : 'node') {
    this.clusters = new ClusterIndexes(db);
  }

  async render(layer: LayerDef, p: Principal, t: TileId, filter?: ListQuery): Promise<Buffer> {
    if (clustered(layer, t.z)) return this.clusters.render(layer, p, t, filter);
    if (this.encoder === 'postgis') return this.batched(layer, p, t, filter);
    const parts = await Promise.all(tileParts(layer).map(async (part) => {
      const params: unknown[] = [];
      const { rows } = await this.db.query<Record<string, unknown>>(tileRows(layer, p, t, snappedGeom, params, filter, part), params);
      return encodeLayer(partName(layer, part), rows);
    }));
    return Buffer.concat(parts);
  }

  /** Joins the batch of this tile and principal; the batch runs once pending work has settled. */
  private batched(layer: LayerDef, p: Principal, t: TileId, filter?: ListQuery): Promise<Buffer> {
    const key = `${t.z}/${t.x}/${t.y}\n${JSON.stringify(p)}`;
    return new Promise((resolve, reject) => {
      let batch = this.batches.get(key);
      if (!batch) {
        batch = { p, t, jobs: [] };
        this.batches.set(key, batch);
        setImmediate(() => void this.run(key));
      }
      batch.jobs.push({ layer, filter, resolve, reject });
    });
  }

  private async run(key: string): Promise<void> {
    const { p, t, jobs } = this.batches.get(key)!;
    this.batches.delete(key);
    const params: unknown[] = [];
    try {
      const columns = jobs.map((j, i) => `(${mvtSubquery(j.layer, p, t, params, j.filter)}) AS l${i}`);
      const { rows } = await this.db.query<Record<string, Uint8Array | null>>(`SELECT ${columns.join(', ')}`, params, { prepared: true });
      jobs.forEach((j, i) => j.resolve(toBuffer(rows[0]?.[`l${i}`])));
    } catch (err) {
      for (const j of jobs) j.reject(err);
    }
  }
}
