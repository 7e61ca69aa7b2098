import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/db.js';
import { refuseLargeShape } from '../geo/vertices.js';
import { refusal } from '../http/messages.js';
import { parseId } from '../http/numbers.js';
import { findLayer } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { nextPageUrl, parseListQuery } from './list-query.js';
import { assertReadable, featureHistory, getFeature, listFeatures, type StoredFeature } from './read.js';
import { createFeature, deleteFeature, restoreFeature, updateFeature } from './write.js';

export const GEOJSON = 'application/geo+json';

export function layerOf(req: Request): LayerDef {
  const id = String(req.params.layer);
  const layer = findLayer(id);
  assertReadable(layer, req.principal, id);
  return layer;
}

/** The feature id of the path: decimal digits only (`0x1`, `1e3` and ` 1` are not ids). */
export const idOf = (req: Request): number => parseId(String(req.params.id), 'id');

function sendFeature(res: Response, f: StoredFeature, status = 200) {
  res.status(status).type(GEOJSON).set('ETag', `"${f.version}"`).send(JSON.stringify(f.feature));
}

/** GeoJSON feature API for every registered layer (DESIGN.md, "Contract"). */
/** The shape of a body before anything parses it: its vertices, within `maxVertices` (MAX_FEATURE_VERTICES). */
const shapeOf = (body: unknown) => (typeof body === 'object' && body !== null ? (body as { geometry?: unknown }).geometry : undefined);

export function featureRoutes(db: Db, { maxVertices }: { maxVertices: number }): Router {
  const r = Router();
  const base = '/api/layers/:layer/features';

  r.get(base, async (req, res) => {
    const layer = layerOf(req);
    const q = parseListQuery(layer, req.principal, req.query as Record<string, unknown>);
    const page = await listFeatures(db, layer, req.principal, q);
    const links = [{ rel: 'self', type: GEOJSON, href: req.originalUrl }];
    if (page.nextCursor) {
      links.push({ rel: 'next', type: GEOJSON, href: nextPageUrl(`${req.baseUrl}${req.path}`, req.query, page.nextCursor) });
    }
    res.type(GEOJSON).send(JSON.stringify({
      type: 'FeatureCollection',
      numberMatched: page.numberMatched,
      numberReturned: page.numberReturned,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      links,
      features: page.features,
    }));
  });

  r.post(base, async (req, res) => {
    const layer = layerOf(req);
    refuseLargeShape(shapeOf(req.body), maxVertices);
    const created = await createFeature(db, layer, req.principal, req.body);
    res.location(`${req.baseUrl}/api/layers/${layer.id}/features/${created.feature.id}`);
    sendFeature(res, created, 201);
  });

  r.get(`${base}/:id`, async (req, res) => {
    const layer = layerOf(req);
    const id = idOf(req);
    const f = await getFeature(db, layer, req.principal, id);
    if (f.deletedAt) {
      throw refusal(410, 'deleted', { layer: layer.title, id, at: f.deletedAt.replace(/\.\d+/, '') });
    }
    if (req.headers['if-none-match'] === `"${f.version}"`) {
      res.status(304).set('ETag', `"${f.version}"`).end();
      return;
    }
    sendFeature(res, f);
  });

  r.patch(`${base}/:id`, async (req, res) => {
    const layer = layerOf(req);
    refuseLargeShape(shapeOf(req.body), maxVertices);
    sendFeature(res, await updateFeature(db, layer, req.principal, idOf(req), req.headers['if-match'], req.body));
  });

  r.delete(`${base}/:id`, async (req, res) => {
    const layer = layerOf(req);
    await deleteFeature(db, layer, req.principal, idOf(req), req.headers['if-match']);
    res.status(204).end();
  });

  r.post(`${base}/:id/restore`, async (req, res) => {
    const layer = layerOf(req);
    sendFeature(res, await restoreFeature(db, layer, req.principal, idOf(req)));
  });

  r.get(`${base}/:id/history`, async (req, res) => {
    const layer = layerOf(req);
    const id = idOf(req);
    res.json({ layer: layer.id, id, history: await featureHistory(db, layer, req.principal, id) });
  });

  return r;
}
