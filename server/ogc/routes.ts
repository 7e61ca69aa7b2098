import { Router, type Request, type Response } from 'express';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { GEOJSON, idOf, layerOf } from '../features/routes.js';
import { nextPageUrl, parseListQuery } from '../features/list-query.js';
import { getFeature, listFeatures } from '../features/read.js';
import { TAIWAN_BOUNDS } from '../geo/taiwan.js';
import { baseUrl } from '../http/base-url.js';
import { badRequest, notFound } from '../http/errors.js';
import { canRead, roleAccess, rowsWhere } from '../layers/access.js';
import { LAYERS } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { CONFORMANCE, openApi } from './openapi.js';

/**
 * OGC API – Features Part 1 (Core, GeoJSON) over the same registry, access rules and feature
 * reading as /api, so QGIS, ArcGIS Pro and GDAL (`OAPIF:`) open every layer the caller may
 * read. Links are absolute, as those clients expect.
 */
const JSON_TYPE = 'application/json';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** Layers that are collections: those with a geometry, as far as the caller may read them. */
const collections = (p: Principal) => LAYERS.filter((l) => l.geometry && canRead(l, p));

function collectionOf(req: Request): LayerDef {
  const layer = layerOf(req);
  if (!layer.geometry) throw notFound(`unknown collection "${layer.id}"; GET /ogc/collections lists them`);
  return layer;
}

/** Only JSON is served; `f=json` (or geojson) may be given, anything else is refused. */
function checkFormat(req: Request): void {
  const f = req.query.f;
  if (f !== undefined && f !== 'json' && f !== 'geojson') throw badRequest(`f must be json (the only format served), not "${String(f)}"`, 'f');
}

async function extent(db: Db, layer: LayerDef, p: Principal) {
  const params: unknown[] = [];
  const visible = rowsWhere(layer, roleAccess(layer, p)!.read, p, params);
  const time = (agg: string) => (layer.temporal ? `to_json(${agg}(t.${layer.temporal})) #>> '{}'` : 'NULL');
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number; first: string | null; last: string | null }>(
    `SELECT ST_XMin(x) w, ST_YMin(x) s, ST_XMax(x) e, ST_YMax(x) n, first, last
       FROM (SELECT ST_Extent(t.geom)::geometry x, ${time('min')} AS first, ${time('max')} AS last
               FROM ${layer.table} t WHERE t.deleted_at IS NULL AND ${visible}) q`, params);
  const r = rows[0]!;
  return {
    spatial: { bbox: [r.w === null ? [...TAIWAN_BOUNDS] : [r.w, r.s, r.e, r.n]], crs: CRS84 },
    ...(layer.temporal ? { temporal: { interval: [[r.first, r.last]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' } } : {}),
  };
}

async function describe(db: Db, layer: LayerDef, p: Principal, base: string) {
  const self = `${base}/ogc/collections/${layer.id}`;
  return {
    id: layer.id,
    title: layer.title,
    itemType: 'feature',
    crs: [CRS84],
    extent: await extent(db, layer, p),
    links: [
      { rel: 'self', type: JSON_TYPE, title: layer.title, href: self },
      { rel: 'items', type: GEOJSON, title: layer.title, href: `${self}/items` },
      { rel: 'describedby', type: JSON_TYPE, href: `${base}/api/layers` },
    ],
  };
}

const sendJson = (res: Response, type: string, body: unknown) => res.type(type).send(JSON.stringify(body));

export function ogcRoutes(db: Db): Router {
  const r = Router();
  r.use('/ogc', (req, _res, next) => {
    checkFormat(req);
    next();
  });

  r.get('/ogc', (req, res) => {
    const base = baseUrl(req);
    sendJson(res, JSON_TYPE, {
      title: '社區治安電子地圖',
      description: 'OGC API – Features: 治安重點處所、監視器、守望相助治安區塊、空拍機蒐證區、案件與警勤區',
      links: [
        { rel: 'self', type: JSON_TYPE, title: 'this document', href: `${base}/ogc` },
        { rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'API definition', href: `${base}/ogc/api` },
        { rel: 'conformance', type: JSON_TYPE, title: 'conformance classes', href: `${base}/ogc/conformance` },
        { rel: 'data', type: JSON_TYPE, title: 'collections', href: `${base}/ogc/collections` },
      ],
    });
  });

  r.get('/ogc/api', (req, res) => {
    sendJson(res, 'application/vnd.oai.openapi+json;version=3.0', openApi(baseUrl(req), collections(req.principal)));
  });

  r.get('/ogc/conformance', (_req, res) => {
    sendJson(res, JSON_TYPE, { conformsTo: CONFORMANCE });
  });

  r.get('/ogc/collections', async (req, res) => {
    const base = baseUrl(req);
    sendJson(res, JSON_TYPE, {
      links: [{ rel: 'self', type: JSON_TYPE, href: `${base}/ogc/collections` }],
      collections: await Promise.all(collections(req.principal).map((l) => describe(db, l, req.principal, base))),
    });
  });

  r.get('/ogc/collections/:layer', async (req, res) => {
    sendJson(res, JSON_TYPE, await describe(db, collectionOf(req), req.principal, baseUrl(req)));
  });

  r.get('/ogc/collections/:layer/items', async (req, res) => {
    const layer = collectionOf(req);
    const q = parseListQuery(layer, req.principal, req.query as Record<string, unknown>);
    const page = await listFeatures(db, layer, req.principal, q);
    const base = baseUrl(req);
    const path = `${base}/ogc/collections/${layer.id}/items`;
    const links = [
      { rel: 'self', type: GEOJSON, href: `${base}${req.originalUrl}` },
      { rel: 'collection', type: JSON_TYPE, href: `${base}/ogc/collections/${layer.id}` },
    ];
    if (page.nextCursor) links.push({ rel: 'next', type: GEOJSON, href: nextPageUrl(path, req.query, page.nextCursor) });
    sendJson(res, GEOJSON, {
      type: 'FeatureCollection',
      timeStamp: new Date().toISOString(),
      numberMatched: page.numberMatched,
      numberReturned: page.numberReturned,
      links,
      features: page.features,
    });
  });

  r.get('/ogc/collections/:layer/items/:id', async (req, res) => {
    const layer = collectionOf(req);
    const id = idOf(req);
    const f = await getFeature(db, layer, req.principal, id);
    // A deleted feature is gone as far as OGC clients are concerned; /api keeps its history.
    if (f.deletedAt) throw notFound(`no feature ${id} in ${layer.id}`);
    const base = baseUrl(req);
    sendJson(res.set('ETag', `"${f.version}"`), GEOJSON, {
      ...f.feature,
      links: [
        { rel: 'self', type: GEOJSON, href: `${base}/ogc/collections/${layer.id}/items/${id}` },
        { rel: 'collection', type: JSON_TYPE, href: `${base}/ogc/collections/${layer.id}` },
      ],
    });
  });

  return r;
}
