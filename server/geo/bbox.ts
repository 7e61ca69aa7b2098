import { refusal } from '../http/messages.js';
import { parseDecimal } from '../http/numbers.js';

/** [west, south, east, north] in WGS84 degrees. */
export type Bbox = [number, number, number, number];

export interface BboxOptions {
  /**
   * Also take OGC API Features' 3D form, minLon,minLat,minHeight,maxLon,maxLat,maxHeight, by its
   * footprint (nothing stored here has a height). /api takes exactly four numbers.
   */
  allow3d?: boolean;
  field?: string;
}

/**
 * `minLon,minLat,maxLon,maxLat`: four finite decimal numbers, longitudes within ±180°, latitudes
 * within ±90°, west below east and south below north.
 *
 * Antimeridian: RFC 7946 (§5.2) and OGC let a box whose west is greater than its east cross the
 * 180th meridian. Everything this service keeps lies around Taiwan (118–123° E), so such a box
 * is refused with a message saying so, rather than read as the rest of the world.
 */
export function parseBbox(s: string, { allow3d = false, field = 'bbox' }: BboxOptions = {}): Bbox {
  const parts = s.split(',');
  const count = allow3d ? '4 或 6' : '4';
  if (parts.length !== 4 && !(allow3d && parts.length === 6)) throw refusal(400, 'bbox_format', { field, count }, { field });
  let all: number[];
  try {
    all = parts.map((x) => parseDecimal(x, field));
  } catch {
    throw refusal(400, 'bbox_format', { field, count }, { field });
  }
  const n = all.length === 6 ? [all[0]!, all[1]!, all[3]!, all[4]!] : all;
  const [west, south, east, north] = n as Bbox;
  if (n.some((x) => Math.abs(x) > 1000)) throw refusal(400, 'bbox_projected', { field }, { field });
  if ([west, east].some((x) => Math.abs(x) > 180) || [south, north].some((x) => Math.abs(x) > 90)) {
    throw refusal(400, 'bbox_out_of_range', { field }, { field });
  }
  if (west > east) throw refusal(400, 'bbox_antimeridian', { field }, { field });
  if (!(west < east && south < north)) throw refusal(400, 'bbox_empty', { field }, { field });
  return [west, south, east, north];
}
