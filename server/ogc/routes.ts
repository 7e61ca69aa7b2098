import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/db.js';
import { nextPageUrl, parseListQuery } from '../features/list-query.js';
import { findFeature, listFeatures } from '../features/read.js';
import { baseUrl } from '../http/base-url.js';
import { refusal } from '../http/messages.js';
import { idValue } from '../http/numbers.js';
import { cacheControl, VARY_BY_CALLER } from '../http/cache-control.js';
import type { LayerDef } from '../layers/types.js';
import { describeCollection, findCollection, readableCollections } from './collections.js';
import { link, MEDIA } from './links.js';
import { CONFORMANCE, openApi } from './openapi.js';
import { featureSchema } from './schema.js';

/**
 * OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the same registry, access rules
 * and feature reading as /api, so QGIS, ArcGIS Pro and GDAL (`OAPIF:`) open every layer the
 * caller may read. A layer the caller may not read is 404, exactly like one that does not exist.
 */

/** Only JSON is served: `f=json` may be given, any other format is refused. */
function checkFormat(req: Request): void {
  const f = req.query.f;
  if (f !== undefined && f !== 'json') throw refusal(400, 'ogc_format', { value: String(f) }, { field: 'f' });
}

const send = (res: Response, type: string, body: unknown) => res.type(type).send(JSON.stringify(body));

/** OGC feature ids are opaque: one that is not a positive whole number names no feature. */
function featureIdOf(req: Request, layer: LayerDef): number {
  const raw = String(req.params.featureId);
  const id = idValue(raw);
  if (id === undefined) throw refusal(404, 'feature_unknown', { layer: layer.title, id: raw });
  return id;
}

export function ogcRoutes(db: Db): Router {
  const r = Router();
  r.use('/ogc', (req, res, next) => {
    checkFormat(req);
    // Answers depend on who asks: shared caches keep them apart, and keep none of a signed-in one's.
    res.set({ 'Cache-Control': cacheControl(req.principal), Vary: VARY_BY_CALLER });
    next();
  });

  r.get('/ogc', (req, res) => {
    const base = baseUrl(req);
    send(res, MEDIA.json, {
      title: '社區治安電子地圖',
      description: 'OGC API – Features：社區治安電子地圖的圖層，依登入身分提供可閱覽的圖層與資料',
      links: [
        link('self', MEDIA.json, `${base}/ogc`, '本文件'),
        link('service-desc', MEDIA.openapi, `${base}/ogc/api`, 'API 定義（OpenAPI 3.0）'),
        link('conformance', MEDIA.json, `${base}/ogc/conformance`, '符合的標準類別'),
        link('data', MEDIA.json, `${base}/ogc/collections`, '圖層'),
      ],
    });
  });

  r.get('/ogc/api', (req, res) => {
    send(res, MEDIA.openapi, openApi(baseUrl(req), readableCollections(req.principal), req.principal));
  });

  r.get('/ogc/conformance', (_req, res) => {
    send(res, MEDIA.json, { conformsTo: CONFORMANCE });
  });

  r.get('/ogc/collections', async (req, res) => {
    const base = baseUrl(req);
    const collections = [];
    // One at a time: the embedded database answers one query at a time anyway.
    for (const layer of readableCollections(req.principal)) collections.push(await describeCollection(db, layer, req.principal, base));
    send(res, MEDIA.json, { links: [link('self', MEDIA.json, `${base}/ogc/collections`)], collections });
  });

  r.get('/ogc/collections/:collection', async (req, res) => {
    const layer = findCollection(req.params.collection, req.principal);
    send(res, MEDIA.json, await describeCollection(db, layer, req.principal, baseUrl(req)));
  });

  r.get('/ogc/collections/:collection/schemas/feature', (req, res) => {
    const layer = findCollection(req.params.collection, req.principal);
    send(res, MEDIA.schema, featureSchema(layer, req.principal, `${baseUrl(req)}/ogc/collections/${layer.id}/schemas/feature`));
  });

  r.get('/ogc/collections/:collection/items', async (req, res) => {
    const layer = findCollection(req.params.collection, req.principal);
    const query = req.query as Record<string, unknown>;
    const q = parseListQuery(layer, req.principal, query, { clampLimit: true, datetimeMatchesUntimed: true, bbox3d: true, alsoAccepted: ['f'] });
    const page = await listFeatures(db, layer, req.principal, q);
    const base = baseUrl(req);
    const collection = `${base}/ogc/collections/${layer.id}`;
    const links = [link('self', MEDIA.geojson, `${base}${req.originalUrl}`), link('collection', MEDIA.json, collection, layer.title)];
    if (page.nextCursor) {
      // The next page asks for the limit actually applied (a limit above the maximum was cut).
      const same = query.limit === undefined ? query : { ...query, limit: String(q.limit) };
      links.push(link('next', MEDIA.geojson, nextPageUrl(`${collection}/items`, same, page.nextCursor)));
    }
    send(res, MEDIA.geojson, {
      type: 'FeatureCollection',
      timeStamp: new Date().toISOString(),
      numberMatched: page.numberMatched,
      numberReturned: page.numberReturned,
      links,
      features: page.features,
    });
  });

  r.get('/ogc/collections/:collection/items/:featureId', async (req, res) => {
    const layer = findCollection(req.params.collection, req.principal);
    const id = featureIdOf(req, layer);
    const found = await findFeature(db, layer, req.principal, id);
    // A deleted feature is gone as far as OGC clients are concerned; /api keeps its history.
    if (!found || found.deletedAt) throw refusal(404, 'feature_unknown', { layer: layer.title, id });
    const etag = `"${found.version}"`;
    res.set('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const base = baseUrl(req);
    const collection = `${base}/ogc/collections/${layer.id}`;
    send(res, MEDIA.geojson, {
      ...found.feature,
      links: [link('self', MEDIA.geojson, `${collection}/items/${id}`), link('collection', MEDIA.json, collection, layer.title)],
    });
  });

  return r;
}
