import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Principal } from '../auth/principal.js';
import { tileKey } from '../cache/store.js';
import type { TileCache } from '../cache/tile-cache.js';
import type { Db } from '../db/db.js';
import type { LayerDef } from '../layers/types.js';
import type { TileId } from './coords.js';
import { TileRenderer } from './render.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A tile ready to send: gzip-compressed MVT and its entity tag; `empty` when it holds nothing. */
export interface TileBody {
  readonly gzipped: Buffer;
  readonly etag: string;
  readonly empty: boolean;
}

/** Cached entries are a 16-byte digest of the MVT followed by the MVT gzipped (empty if none). */
const DIGEST_BYTES = 16;

async function toEntry(mvt: Buffer): Promise<Buffer> {
  const digest = createHash('md5').update(mvt).digest();
  return Buffer.concat([digest, mvt.length ? await gzipAsync(mvt) : Buffer.alloc(0)]);
}

const fromEntry = (entry: Buffer) => ({ digest: entry.subarray(0, DIGEST_BYTES), gzipped: entry.subarray(DIGEST_BYTES) });

/**
 * Who may see what decides a tile's content, so tiles are cached per access scope: the role,
 * with the precinct for precinct-scoped roles and the account for area-scoped ones.
 */
export function accessScope(p: Principal): string {
  switch (p.role) {
    case 'admin': case 'public': return p.role;
    case 'community': return `community:${p.userId}`;
    default: return `${p.role}:${p.precinctCode ?? ''}`;
  }
}

/** Tiles of one or several layers, each layer rendered and cached on its own. */
export class TileService {
  private readonly renderer: TileRenderer;

  constructor(db: Db, private readonly cache: TileCache) {
    this.renderer = new TileRenderer(db);
  }

  private layerEntry(layer: LayerDef, t: TileId, p: Principal): Promise<Buffer> {
    return this.cache.getOrCreate(
      { layer: layer.id, tileKey: tileKey(layer.id, t.z, t.x, t.y), variant: accessScope(p) },
      async () => toEntry(await this.renderer.render(layer, p, t)));
  }

  /** Layers outside their own zoom range at t.z are left out of a composite tile. */
  async tile(layers: readonly LayerDef[], t: TileId, p: Principal): Promise<TileBody> {
    const inRange = layers.filter((l) => t.z >= l.tiles!.minzoom && t.z <= l.tiles!.maxzoom);
    const entries = (await Promise.all(inRange.map((l) => this.layerEntry(l, t, p)))).map(fromEntry);
    const filled = entries.filter((e) => e.gzipped.length > 0);
    const etag = entries.length === 1 ? entries[0]!.digest : createHash('md5').update(Buffer.concat(entries.map((e) => e.digest))).digest();
    const tag = `"${etag.toString('base64url')}"`;
    if (filled.length <= 1) return { gzipped: filled[0]?.gzipped ?? Buffer.alloc(0), etag: tag, empty: filled.length === 0 };
    // An MVT is a sequence of layers: the composite is the layers' MVTs one after another.
    const mvt = Buffer.concat(await Promise.all(filled.map((e) => gunzipAsync(e.gzipped))));
    return { gzipped: await gzipAsync(mvt), etag: tag, empty: false };
  }
}
