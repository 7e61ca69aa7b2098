import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { TAIWAN_BOUNDS } from '../geo/taiwan.js';
import { refusal } from '../http/messages.js';
import { canRead } from '../layers/access.js';
import { visibleExtent } from '../layers/extent.js';
import { findLayer, LAYERS } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { link, MEDIA, type Link } from './links.js';

/**
 * Which layers are OGC collections and how they are described. A collection is a layer with a
 * geometry that the caller may read: OGC clients (QGIS, GDAL) open collections as map layers,
 * so tables without geometry (visits, watch teams, the bureau) stay on /api only.
 */

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian';

export const readableCollections = (p: Principal): LayerDef[] => LAYERS.filter((l) => l.geometry && canRead(l, p));

/** The collection `id`; unknown, hidden from this role and geometry-less all answer alike. */
export function findCollection(id: string, p: Principal): LayerDef {
  const layer = findLayer(id);
  if (!layer || !layer.geometry || !canRead(layer, p)) {
    throw refusal(404, 'layer_unknown', { layer: id, list: '/ogc/collections' });
  }
  return layer;
}

export interface Extent {
  spatial: { bbox: [number, number, number, number][]; crs: string };
  temporal?: { interval: [string | null, string | null][]; trs: string };
}

/**
 * The extent of what this principal may see of the layer, so that the bounds of hidden rows
 * do not leak. An empty layer has Taiwan as its spatial extent and an open temporal one.
 */
export async function collectionExtent(db: Queryable, layer: LayerDef, p: Principal): Promise<Extent> {
  const e = await visibleExtent(db, layer, p);
  return {
    spatial: { bbox: [e.bbox ?? [...TAIWAN_BOUNDS]], crs: CRS84 },
    ...(layer.temporal ? { temporal: { interval: [[e.first, e.last]], trs: GREGORIAN } } : {}),
  };
}

/**
 * Links of a collection: itself, its items and the JSON Schema of its features. Relation types
 * compare case-insensitively (RFC 8288), but GDAL's OAPIF driver up to at least 3.6 (Debian 12)
 * only follows the schema link when it is spelt `describedBy`; later GDAL accepts either.
 */
export function collectionLinks(base: string, layer: LayerDef): Link[] {
  const self = `${base}/ogc/collections/${layer.id}`;
  return [
    link('self', MEDIA.json, self, layer.title),
    link('items', MEDIA.geojson, `${self}/items`, layer.title),
    link('describedBy', MEDIA.schema, `${self}/schemas/feature`, `${layer.title}：欄位定義`),
  ];
}

/**
 * The collection document. Only JSON is served, so there is no `alternate` link (OGC asks for
 * one per *other* media type). `crs` is CRS84 alone: coordinates are stored and served in WGS84
 * lon/lat, and without Part 2 (CRS by reference) there is no `storageCrs` to name.
 */
export async function describeCollection(db: Queryable, layer: LayerDef, p: Principal, base: string) {
  return {
    id: layer.id,
    title: layer.title,
    itemType: 'feature',
    crs: [CRS84],
    extent: await collectionExtent(db, layer, p),
    links: collectionLinks(base, layer),
  };
}
