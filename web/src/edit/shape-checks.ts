import { area, bbox, difference, featureCollection, intersect } from '@turf/turf';
import type { Feature as GeoFeature, MultiPolygon, Polygon } from 'geojson';
import { listFeatures, type Feature } from '../map/features.js';

type Area = Polygon | MultiPolygon;

export interface Overlap {
  id: number;
  label: string;
  squareMetres: number;
  shape: Area;
}

export interface ShapeReport {
  squareMetres: number;
  overlaps: Overlap[];
  /** The part outside the planner's precinct (the server refuses more than 1 m² of it). */
  outside: { squareMetres: number; shape: Area } | null;
}

/** The server's tolerance for a shape sticking out of the precinct (server/features/write.ts). */
export const OUTSIDE_TOLERANCE_M2 = 1;

const asFeature = (g: Area): GeoFeature<Area> => ({ type: 'Feature', geometry: g, properties: {} });

/**
 * What a planner should know before saving a shape: its area, where it overlaps other shapes of
 * the same layer, and how much of it lies outside their precinct. Areas on the ellipsoid (turf),
 * which agrees with the server's TWD97 figures to well under a percent at this scale.
 */
export async function checkShape(shape: Area, layerId: string, labelProp: string, selfId: number | undefined,
  precinct: Area | null): Promise<ShapeReport> {
  const [w, s, e, n] = bbox(shape);
  const neighbours: Feature[] = await listFeatures(layerId, { bbox: `${w},${s},${e},${n}` }, 1000);
  const overlaps: Overlap[] = [];
  for (const f of neighbours) {
    if (f.id === selfId || !f.geometry) continue;
    const common = intersect(featureCollection([asFeature(shape), asFeature(f.geometry as Area)]));
    const m2 = common ? area(common) : 0;
    if (common && m2 >= 1) overlaps.push({ id: f.id, label: String(f.properties[labelProp] ?? `#${f.id}`), squareMetres: m2, shape: common.geometry });
  }
  let outside: ShapeReport['outside'] = null;
  if (precinct) {
    const out = difference(featureCollection([asFeature(shape), asFeature(precinct)]));
    const m2 = out ? area(out) : 0;
    if (out && m2 > OUTSIDE_TOLERANCE_M2) outside = { squareMetres: m2, shape: out.geometry };
  }
  return { squareMetres: area(asFeature(shape)), overlaps: overlaps.sort((a, b) => b.squareMetres - a.squareMetres), outside };
}
