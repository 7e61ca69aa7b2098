import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Router, type Request } from 'express';
import type { Principal } from '../auth/principal.js';
import { notFound } from '../http/errors.js';
import { canRead } from '../layers/access.js';
import { findLayer, LAYERS } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { parseTile } from './coords.js';
import type { TileService } from './service.js';
import { mapStyle, tileJson } from './style.js';

const gunzipAsync = promisify(gunzip);

/** Tiled layers the principal may read, from a comma-separated list; others are unknown. */
function tiledLayers(list: string, p: Principal): LayerDef[] {
  const ids = [...new Set(list.split(','))];
  return ids.map((id) => {
    const layer = findLayer(id);
    if (!layer?.tiles || !canRead(layer, p)) {
      throw notFound(`unknown tile layer "${id}"; GET /tiles/style.json or /api/layers lists the layers you can use`);
    }
    return layer;
  });
}

const baseUrl = (req: Request) => `${req.protocol}://${req.get('host')}`;

/**
 * Cache-Control: anonymous tiles may be kept a minute anywhere; a signed-in user's tiles are
 * private and revalidated on every use (a 304 costs little), so an edit shows at once.
 */
const cacheControl = (p: Principal) => (p.role === 'public' ? 'public, max-age=60' : 'private, no-cache');

export function tileRoutes(service: TileService): Router {
  const r = Router();

  r.get('/tiles/style.json', (req, res) => {
    const layers = LAYERS.filter((l) => l.tiles && canRead(l, req.principal));
    res.set('Cache-Control', cacheControl(req.principal)).json(mapStyle(layers, req.principal, baseUrl(req)));
  });

  r.get('/tiles/:layers.json', (req, res) => {
    const layers = tiledLayers(req.params.layers, req.principal);
    res.set('Cache-Control', cacheControl(req.principal)).json(tileJson(layers, req.principal, baseUrl(req)));
  });

  r.get('/tiles/:layers/:z/:x/:y.mvt', async (req, res) => {
    const p = req.principal;
    const layers = tiledLayers(req.params.layers, p);
    const tile = await service.tile(layers, parseTile(layers, req.params.z, req.params.x, req.params.y), p);
    res.set({ ETag: tile.etag, 'Cache-Control': cacheControl(p), Vary: 'Accept-Encoding, Authorization, Cookie' });
    if (req.fresh) return void res.status(304).end();
    // No content: MapLibre and other clients take 204 as an empty tile.
    if (tile.empty) return void res.status(204).end();
    res.type('application/vnd.mapbox-vector-tile');
    if (req.acceptsEncodings('gzip')) res.set('Content-Encoding', 'gzip').send(tile.gzipped);
    else res.send(await gunzipAsync(tile.gzipped));
  });

  return r;
}
