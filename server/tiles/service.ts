import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Principal } from '../auth/principal.js';
import { tileKey } from '../cache/store.js';
import { LruBytes } from '../cache/lru.js';
import type { TileCache } from '../cache/tile-cache.js';
import type { Db } from '../db/db.js';
import type { LayerDef } from '../layers/types.js';
import type { TileId } from './coords.js';
import { filterKey, type TileFilters } from './filters.js';
import { TileRenderer } from './render.js';

const gzipAsync = promisify(gzip);

/** A tile ready to send: gzip-compressed MVT and its entity tag; `empty` when it holds nothing. */
export interface TileBody {
  readonly gzipped: Buffer;
  readonly etag: string;
  readonly empty: boolean;
}

/** Cached entries are a 16-byte digest of the layer's MVT followed by the MVT (empty if none). */
const DIGEST_BYTES = 16;
const toEntry = (mvt: Buffer) => Buffer.concat([createHash('md5').update(mvt).digest(), mvt]);
const fromEntry = (entry: Buffer) => ({ digest: entry.subarray(0, DIGEST_BYTES), mvt: entry.subarray(DIGEST_BYTES) });

/**
 * A tile up to this size is compressed on the request thread: at most a few tenths of a
 * millisecond, less than the trip through the thread pool costs (an uncached z16 ground tile
 * of ~8 kB: 0.33 → 0.17 ms). Larger ones, up to megabytes at z10, go to the thread pool.
 */
const SYNC_GZIP_BYTES = 32 * 1024;

/** Memory for compressed responses, keyed by their content digest (so never stale). */
const RESPONSE_CACHE_BYTES = 64 * 2 ** 20;

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

/**
 * Tiles of one or several layers. Each layer is rendered and cached on its own (an MVT is a
 * sequence of layer messages, so a composite is its layers one after another), and the
 * compressed response is kept by its content digest: a cached tile is sent without being
 * compressed again, and an edit, which changes a layer's digest, can never be served stale.
 */
export class TileService {
  private readonly renderer: TileRenderer;
  private readonly responses = new LruBytes(RESPONSE_CACHE_BYTES);

  constructor(db: Db, private readonly cache: TileCache) {
    this.renderer = new TileRenderer(db);
  }

  private layerEntry(layer: LayerDef, t: TileId, p: Principal, filters: TileFilters): Promise<Buffer> {
    const filter = filters.get(layer.id);
    // A filtered tile is another variant of the same tile, so invalidating the tile drops it too.
    const variant = filter ? `${accessScope(p)}?${filterKey(filter)}` : accessScope(p);
    return this.cache.getOrCreate(
      { layer: layer.id, tileKey: tileKey(layer.id, t.z, t.x, t.y), variant },
      async () => toEntry(await this.renderer.render(layer, p, t, filter)));
  }

  /** Layers outside their own zoom range at t.z are left out of a composite tile. */
  async tile(layers: readonly LayerDef[], t: TileId, p: Principal, filters: TileFilters = new Map()): Promise<TileBody> {
    const inRange = layers.filter((l) => t.z >= l.tiles!.minzoom && t.z <= l.tiles!.maxzoom);
    const entries = (await Promise.all(inRange.map((l) => this.layerEntry(l, t, p, filters)))).map(fromEntry);
    const digest = entries.length === 1 ? entries[0]!.digest : createHash('md5').update(Buffer.concat(entries.map((e) => e.digest))).digest();
    const etag = `"${digest.toString('base64url')}"`;
    const filled = entries.filter((e) => e.mvt.length > 0);
    if (filled.length === 0) return { gzipped: Buffer.alloc(0), etag, empty: true };
    let gzipped = this.responses.get(etag);
    if (!gzipped) {
      const mvt = Buffer.concat(filled.map((e) => e.mvt));
      gzipped = mvt.length <= SYNC_GZIP_BYTES ? gzipSync(mvt) : await gzipAsync(mvt);
      this.responses.set(etag, gzipped);
    }
    return { gzipped, etag, empty: false };
  }
}
