import { z } from 'zod';
import { message, type MessageCode, type ParamsOf } from '../http/messages.js';
import type { GeometryKind } from '../layers/types.js';
import { positionProblemCode } from './taiwan.js';

/**
 * GeoJSON geometry validation at the API edge. Structure and coordinates are checked here;
 * topology (self-intersection and the like) is checked by PostGIS in the write transaction.
 */

export type Position = [number, number];
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

export class GeometryError extends Error {
  constructor(message: string, readonly path: string, readonly code = 'invalid_geometry') {
    super(message);
  }
}

/** A GeometryError with its code and text from the catalogue. */
const geometryError = <C extends MessageCode>(code: C, params: ParamsOf<C>, path: string) => new GeometryError(message(code, params), path, code);

/** Names of WGS84 longitude/latitude, the only system GeoJSON (RFC 7946) has, as older GeoJSON spelled it. */
const WGS84 = /^(?:urn:ogc:def:crs:ogc:(?:1\.3)?:crs84|https?:\/\/www\.opengis\.net\/def\/crs\/ogc\/1\.3\/crs84|(?:urn:ogc:def:crs:)?epsg:{1,2}4326|https?:\/\/www\.opengis\.net\/def\/crs\/epsg\/0\/4326)$/i;

/**
 * A `crs` member (GeoJSON 2008; RFC 7946 removed it). One naming WGS84 is harmless and ignored;
 * any other is refused rather than its coordinates taken for degrees (the feature API does not
 * transform: the import does, from TWD97 and TWD67). `path` is where the member is.
 */
export function assertWgs84Crs(crs: unknown, path: string): void {
  if (crs === undefined || crs === null) return;
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  if (typeof crs !== 'object' || (crs as { type?: unknown }).type !== 'name' || typeof name !== 'string') {
    throw new GeometryError(message('crs_invalid', undefined), path, 'crs_invalid');
  }
  if (!WGS84.test(name.trim())) throw new GeometryError(message('crs_not_wgs84', { name }), path, 'crs_not_wgs84');
}

/** What is wrong with coordinates' structure: the messages of the schemas below are these codes. */
type ShapeCode = 'coordinates_not_numbers' | 'position_format' | 'coordinates_nesting' | 'ring_too_short' | 'polygon_no_ring' | 'multipolygon_empty';
const SHAPE_CODES: ReadonlySet<string> = new Set<ShapeCode>(['coordinates_not_numbers', 'position_format', 'coordinates_nesting', 'ring_too_short', 'polygon_no_ring', 'multipolygon_empty']);
const shape = (code: ShapeCode) => ({ error: code });

/** Accepts [lon, lat] or [lon, lat, altitude]; altitude is dropped (features are 2D). */
const position = z
  .array(z.number(shape('coordinates_not_numbers')), shape('position_format'))
  .min(2, shape('position_format'))
  .max(3, shape('position_format'))
  .transform((p): Position => [p[0]!, p[1]!]);

const ring = z.array(position, shape('coordinates_nesting')).min(4, shape('ring_too_short'));
const polygon = z.array(ring, shape('coordinates_nesting')).min(1, shape('polygon_no_ring'));

const coordinatesByType = {
  Point: position,
  Polygon: polygon,
  MultiPolygon: z.array(polygon, shape('coordinates_nesting')).min(1, shape('multipolygon_empty')),
} as const;

function* positionsOf(g: Geometry): Generator<[Position, string]> {
  if (g.type === 'Point') {
    yield [g.coordinates, 'geometry.coordinates'];
    return;
  }
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const [pi, rings] of polygons.entries()) {
    const base = g.type === 'Polygon' ? 'geometry.coordinates' : `geometry.coordinates[${pi}]`;
    for (const [ri, r] of rings.entries()) {
      for (const [i, p] of r.entries()) yield [p, `${base}[${ri}][${i}]`];
    }
  }
}

function ringsOf(g: Geometry): [Position[], string][] {
  if (g.type === 'Point') return [];
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polygons.flatMap((rings, pi) => rings.map((r, ri): [Position[], string] =>
    [r, g.type === 'Polygon' ? `geometry.coordinates[${ri}]` : `geometry.coordinates[${pi}][${ri}]`]));
}

/**
 * Parses a geometry for a layer of the given kind. Throws GeometryError naming the offending
 * part: wrong type, malformed coordinates, unclosed rings, positions outside Taiwan, swapped
 * lat/lon or TWD97 metres. `positions: false` checks the shape only, for coordinates still in
 * a projected system (an import checks them again once they are WGS84).
 */
export function parseGeometry(input: unknown, kind: Exclude<GeometryKind, null>, opts: { positions?: boolean } = {}): Geometry {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw geometryError('geometry_not_object', undefined, 'geometry');
  }
  const type = (input as { type?: unknown }).type;
  const allowed = kind === 'Point' ? ['Point'] : ['Polygon', 'MultiPolygon'];
  if (typeof type !== 'string' || !allowed.includes(type)) {
    throw geometryError('geometry_type', { kind, type: type === undefined ? '（沒有 type）' : JSON.stringify(type) }, 'geometry.type');
  }
  const parsed = coordinatesByType[type as keyof typeof coordinatesByType]
    .safeParse((input as { coordinates?: unknown }).coordinates);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['geometry.coordinates', ...issue.path.map((k) => `[${String(k)}]`)].join('');
    const code = SHAPE_CODES.has(issue.message) ? (issue.message as ShapeCode) : 'coordinates_nesting';
    throw code === 'coordinates_nesting' ? geometryError(code, { type }, path) : geometryError(code, undefined, path);
  }
  const g = { type, coordinates: parsed.data } as Geometry;
  for (const [r, path] of ringsOf(g)) {
    const [first, last] = [r[0]!, r[r.length - 1]!];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      throw geometryError('ring_not_closed', undefined, path);
    }
  }
  if (opts.positions === false) return g;
  assertWgs84Crs((input as { crs?: unknown }).crs, 'geometry.crs');
  for (const [[lon, lat], path] of positionsOf(g)) {
    const problem = positionProblemCode(lon, lat);
    if (problem) throw geometryError(problem, { lon, lat }, path);
  }
  return g;
}
