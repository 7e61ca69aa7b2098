import { Router } from 'express';
import type { Queryable } from '../db/db.js';
import { baseUrl } from '../http/base-url.js';
import { canRead } from '../layers/access.js';
import { LAYERS } from '../layers/registry.js';
import { cacheControl } from '../http/cache-control.js';
import { tiledLayers } from './handler.js';
import { mapStyle } from './style.js';
import { tileJson } from './tilejson.js';

/** Descriptions of tiles; the tiles themselves are answered by tileHandler, ahead of Express. */
export function tileRoutes(db: Queryable): Router {
  const r = Router();

  r.get('/tiles/style.json', (req, res) => {
    const layers = LAYERS.filter((l) => l.tiles && canRead(l, req.principal));
    res.set('Cache-Control', cacheControl(req.principal)).json(mapStyle(layers, req.principal, baseUrl(req)));
  });

  r.get('/tiles/:layers.json', async (req, res) => {
    const layers = tiledLayers(req.params.layers, req.principal);
    res.set('Cache-Control', cacheControl(req.principal)).json(await tileJson(db, layers, req.principal, baseUrl(req)));
  });

  return r;
}
