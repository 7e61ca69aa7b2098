import type { Principal } from '../auth/principal.js';
import { listConditions, type ListQuery } from '../features/list-query.js';
import { readableProperties, readableRows } from '../layers/access.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';
import { BUFFER, EXTENT, type TileId } from './coords.js';

/**
 * The SQL of one layer's part of a tile. Both databases run the same selection (which rows, which
 * properties, where clusters fall); they differ only in how the geometry is cut to the tile:
 * PostGIS's ST_AsMVTGeom where it exists, an equivalent clip-transform-snap where it does not
 * (PGlite's PostGIS is built without protobuf, and ST_AsMVTGeom with it).
 */

/** Long free text stays out of tiles: the map shows it only in a popup, from the feature API. */
const LONG_TEXT = 200;

/** Properties carried in tiles: what the role may read, without long text, lists and checklists. */
export function tileProperties(layer: LayerDef, p: Principal): PropertyDef[] {
  return readableProperties(layer, p).filter((prop) => {
    const t = prop.type;
    if (t.kind === 'text') return t.maxLength <= LONG_TEXT;
    return t.kind !== 'ids' && t.kind !== 'indicators';
  });
}

/** Dates and times as text, so both encoders write the same string whatever the driver does. */
function columnValue(prop: PropertyDef, alias: string): string {
  const column = `${alias}.${prop.name}`;
  switch (prop.type.kind) {
    case 'date': return `${column}::text`;
    case 'timestamp': return `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SSOF')`;
    case 'reference': return `${column}::float8`;
    default: return column;
  }
}

/** How a geometry in EPSG:3857 becomes tile coordinates, given the CTE `env` of the tile. */
export type TileGeometry = (geom3857: string) => string;

/** PostGIS's own: clip to the buffered tile, quantise to EXTENT, fix validity and winding. */
export const mvtGeom: TileGeometry = (g) => `ST_AsMVTGeom(${g}, env.tile, ${EXTENT}, ${BUFFER}, true)`;

/**
 * The same cut without ST_AsMVTGeom: clip to the buffered tile, scale to tile coordinates with y
 * pointing down, snap to the integer grid. Ring winding is set by the encoder. Returned as
 * GeoJSON text of tile coordinates.
 */
export const snappedGeom: TileGeometry = (g) =>
  `ST_AsGeoJSON(ST_SnapToGrid(ST_Affine(ST_ClipByBox2D(${g}, env.buffered),
     env.scale, 0, 0, -env.scale, -ST_XMin(env.tile) * env.scale, ST_YMax(env.tile) * env.scale), 1), 0)`;

/** The tile's envelope, its buffered envelope and tile units per metre, as the CTE `env`. */
export function envelope(t: TileId, params: unknown[]): string {
  params.push(t.z, t.x, t.y);
  const [z, x, y] = [params.length - 2, params.length - 1, params.length].map((i) => `$${i}::int`);
  return `env AS (SELECT e AS tile, ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * ${BUFFER / EXTENT}) AS buffered,
                         ${EXTENT} / (ST_XMax(e) - ST_XMin(e)) AS scale
                    FROM ST_TileEnvelope(${z}, ${x}, ${y}) AS e)`;
}

export const inMercator = (alias: string) => `ST_Transform(${alias}.geom, 3857)`;

/** The rows of `t` a tile shows: live, readable by the principal, and passing the filter if any. */
export function visibleRows(layer: LayerDef, p: Principal, params: unknown[], filter?: ListQuery): string {
  const where = ['t.deleted_at IS NULL', readableRows(layer, p, params)];
  if (filter) listConditions(layer, filter, params, where);
  return where.join(' AND ');
}

/** What a tile of a layer carries: its features, or (layers with `tiles.labels`) their label points. */
export type TilePart = 'features' | 'labels';

/** The MVT layer name of a part: the layer id, or `<id>-labels`. */
export const partName = (layer: LayerDef, part: TilePart) => (part === 'labels' ? `${layer.id}-labels` : layer.id);

/** The parts a layer's tiles carry. */
export const tileParts = (layer: LayerDef): TilePart[] => (layer.tiles?.labels ? ['features', 'labels'] : ['features']);

/**
 * Features of a layer in a tile (not clustered; see clusters.ts): id, tile properties and
 * `geom` in tile coordinates. Polygons are simplified to a quarter of a tile pixel first, which
 * drops nothing visible. Label points (ST_PointOnSurface) are kept only in the one tile they
 * fall in, without the buffer, so each is drawn once.
 */
export function tileRows(layer: LayerDef, p: Principal, t: TileId, cut: TileGeometry, params: unknown[],
  filter?: ListQuery, part: TilePart = 'features'): string {
  const env = envelope(t, params);
  const where = visibleRows(layer, p, params, filter);
  const props = tileProperties(layer, p).map((prop) => `${columnValue(prop, 't')} AS "${prop.name}"`);
  if (part === 'labels') {
    return `WITH ${env}
            SELECT t.id, ${[...props, `${cut('l.point')} AS geom`].join(', ')}
              FROM ${layer.table} t CROSS JOIN env
                   CROSS JOIN LATERAL (SELECT ST_Transform(ST_PointOnSurface(t.geom), 3857) AS point) l
             WHERE ${where} AND ${inMercator('t')} && env.buffered
               AND ST_X(l.point) >= ST_XMin(env.tile) AND ST_X(l.point) < ST_XMax(env.tile)
               AND ST_Y(l.point) > ST_YMin(env.tile) AND ST_Y(l.point) <= ST_YMax(env.tile)`;
  }
  const geom = layer.geometry === 'Point' ? inMercator('t')
    : `ST_Simplify(${inMercator('t')}, 0.25 / env.scale, true)`;
  return `WITH ${env}
          SELECT t.id, ${[...props, `${cut(geom)} AS geom`].join(', ')}
            FROM ${layer.table} t CROSS JOIN env
           WHERE ${where} AND ${inMercator('t')} && env.buffered`;
}

export const clustered = (layer: LayerDef, z: number) => layer.tiles?.cluster !== undefined && z < layer.tiles.cluster.belowZoom;


/**
 * The layer's MVT bytes as a scalar subquery (PostgreSQL with PostGIS built with protobuf);
 * parameters are appended to `params`, so several layers can share one statement.
 */
export function mvtSubquery(layer: LayerDef, p: Principal, t: TileId, params: unknown[], filter?: ListQuery): string {
  // An MVT is a sequence of layer messages: the parts' bytes one after another make one tile.
  return tileParts(layer).map((part) => {
    const rows = tileRows(layer, p, t, mvtGeom, params, filter, part);
    return `COALESCE((SELECT ST_AsMVT(q, '${partName(layer, part)}', ${EXTENT}, 'geom', 'id') FROM (${rows}) q WHERE q.geom IS NOT NULL), ''::bytea)`;
  }).join(' || ');
}

/** One statement giving the layer's MVT bytes as `mvt`. */
export function mvtQuery(layer: LayerDef, p: Principal, t: TileId): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  return { sql: `SELECT (${mvtSubquery(layer, p, t, params)}) AS mvt`, params };
}
