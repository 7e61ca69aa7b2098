import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import { answerFor, errorBody } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { ArchiveError, CONTENT_TYPES, LIMITS, type StoredTile } from './archive.js';
import { tileExt, type Basemaps } from './catalogue.js';

const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

const TILE_PATH = /^\/basemaps\/([^/?]+)\/([^/?]+)\/([^/?]+)\/([^/?.]+)\.([^/?.]+)(?:\?.*)?$/;
/** Basemap tiles are the same for everyone and change only when the operator replaces the file. */
const CACHE_CONTROL = 'public, max-age=3600';

/** Inflates a stored tile for a client that does not take its encoding, bounded. */
async function inflate(t: StoredTile): Promise<Buffer> {
  const opts = { maxOutputLength: LIMITS.inflatedTileBytes };
  if (t.encoding === 'gzip') return gunzipAsync(t.data, opts);
  if (t.encoding === 'br') return brotliAsync(t.data, opts);
  return t.data;
}

const accepts = (req: IncomingMessage, encoding: string) => new RegExp(`\\b${encoding}\\b`).test(req.headers['accept-encoding'] ?? '');

function coordinates(tile: string, zs: string, xs: string, ys: string): { z: number; x: number; y: number } {
  const [z, x, y] = [zs, xs, ys].map((s) => (/^\d{1,8}$/.test(s) ? Number(s) : NaN)) as [number, number, number];
  if (!(z <= LIMITS.maxZoom && x < 2 ** z && y < 2 ** z)) throw refusal(400, 'basemap_tile_coordinates', { tile, maxZoom: LIMITS.maxZoom }, { field: 'z' });
  return { z, x, y };
}

/**
 * GET /basemaps/{name}/{z}/{x}/{y}.{ext}: a tile of a local archive, on plain Node like the
 * layers' tiles (the map asks for dozens at once). The ETag is the file's version and the tile's
 * address, so a revalidation is answered without reading the archive. A stored gzip or brotli
 * tile goes out as it is with Content-Encoding, or inflated for a client that does not take it.
 * Returns false for any other request.
 */
export function basemapTileHandler(basemaps: Basemaps) {
  async function answer(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(m[1]!);
    } catch {
      name = m[1]!;
    }
    const b = basemaps.file(name);
    if (!b) throw refusal(404, 'basemap_unknown', { name });
    const tile = `${m[2]}/${m[3]}/${m[4]}`;
    const { z, x, y } = coordinates(tile, m[2]!, m[3]!, m[4]!);
    if (m[5] !== tileExt(b)) throw refusal(404, 'basemap_tile_format', { name, ext: tileExt(b) });
    const etag = `"${b.version}-${z}-${x}-${y}"`;
    const headers: Record<string, string | number> = { ETag: etag, 'Cache-Control': CACHE_CONTROL, Vary: 'Accept-Encoding' };
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && (ifNoneMatch === etag || ifNoneMatch.split(/\s*,\s*/).includes(etag))) {
      res.writeHead(304, headers).end();
      return;
    }
    let stored: StoredTile | null;
    try {
      stored = await b.archive.tile(z, x, y);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      console.error(`basemap ${b.archive.path}: tile ${z}/${x}/${y}: ${err.message}`);
      throw refusal(500, 'basemap_damaged', { name });
    }
    if (!stored) throw refusal(404, 'basemap_tile_missing', { name, tile: `${z}/${x}/${y}` });
    const passOn = stored.encoding !== null && accepts(req, stored.encoding);
    const body = passOn ? stored.data : await inflate(stored);
    res.writeHead(200, {
      ...headers, 'Content-Type': CONTENT_TYPES[b.archive.info.format], 'Content-Length': body.length,
      ...(passOn ? { 'Content-Encoding': stored.encoding! } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const m = TILE_PATH.exec(req.url ?? '');
    if (!m) return false;
    answer(req, res, m).catch((err: unknown) => {
      const h = answerFor(err);
      const body = JSON.stringify(errorBody(h));
      res.writeHead(h.status, { ...h.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    return true;
  };
}
