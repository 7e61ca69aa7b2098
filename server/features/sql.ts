import type { Principal } from '../auth/principal.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';

/** Digits kept in GeoJSON output: 7 decimals of a degree is about 1 cm. */
export const COORDINATE_DECIMALS = 7;

/**
 * SQL expression building the GeoJSON Feature of row `t` with the properties this principal
 * may read. Built in SQL so both drivers return the same JSON (ids, numbers, timestamps).
 */
export function featureJson(layer: LayerDef, p: Principal, alias = 't'): string {
  const props = readableProperties(layer, p).flatMap((prop) => [`'${prop.name}'`, `${alias}.${prop.name}`]);
  props.push(`'version'`, `${alias}.version`, `'updated_at'`, `${alias}.updated_at`);
  const geometry = layer.geometry ? `${geoJsonGeometry(layer, `${alias}.geom`)}::json` : 'NULL::json';
  return `json_build_object('type', 'Feature', 'id', ${alias}.id, 'geometry', ${geometry},
    'properties', json_build_object(${props.join(', ')}))`;
}

/**
 * A geometry as GeoJSON text, to COORDINATE_DECIMALS: polygons with counter-clockwise exterior
 * and clockwise interior rings, as RFC 7946 §3.1.6 asks (the database keeps whatever winding a
 * file or a drawing came with; GDAL and strict readers expect the standard's).
 */
export const geoJsonGeometry = (layer: LayerDef, expr: string) =>
  `ST_AsGeoJSON(${layer.geometry === 'MultiPolygon' ? `ST_ForcePolygonCCW(${expr})` : expr}, ${COORDINATE_DECIMALS})`;

/** A GeoJSON geometry parameter as stored: SRID 4326, polygons as MultiPolygon. */
export function geometryParam(layer: LayerDef, placeholder: string): string {
  const g = `ST_SetSRID(ST_GeomFromGeoJSON(${placeholder}::text), 4326)`;
  return layer.geometry === 'MultiPolygon' ? `ST_Multi(${g})` : g;
}
