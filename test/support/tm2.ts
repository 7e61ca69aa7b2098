/**
 * Transverse Mercator by Snyder's series (USGS Professional Paper 1395, pp. 61–64), written here
 * independently of PostGIS so tests can check the import's transformations against it. Accurate
 * to well under a millimetre within a degree of the central meridian, as TM2 zones are.
 */
export interface Ellipsoid { a: number; f: number }
export const GRS80: Ellipsoid = { a: 6378137, f: 1 / 298.257222101 };
/** TWD67's ellipsoid, GRS 1967 Modified. */
export const GRS67: Ellipsoid = { a: 6378160, f: 1 / 298.25 };

const K0 = 0.9999;
const FALSE_EASTING = 250000;
const rad = (d: number) => (d * Math.PI) / 180;

/** (lon, lat) in degrees on `e` to TM2 (easting, northing) in metres, central meridian `lon0`. */
export function tm2(lon: number, lat: number, { e = GRS80, lon0 = 121 }: { e?: Ellipsoid; lon0?: number } = {}): [number, number] {
  const e2 = e.f * (2 - e.f);
  const ep2 = e2 / (1 - e2);
  const phi = rad(lat);
  const [s, c, t] = [Math.sin(phi), Math.cos(phi), Math.tan(phi)];
  const N = e.a / Math.sqrt(1 - e2 * s * s);
  const T = t * t;
  const C = ep2 * c * c;
  const A = rad(lon - lon0) * c;
  const e4 = e2 * e2;
  const e6 = e4 * e2;
  const M = e.a * ((1 - e2 / 4 - (3 * e4) / 64 - (5 * e6) / 256) * phi
    - ((3 * e2) / 8 + (3 * e4) / 32 + (45 * e6) / 1024) * Math.sin(2 * phi)
    + ((15 * e4) / 256 + (45 * e6) / 1024) * Math.sin(4 * phi)
    - ((35 * e6) / 3072) * Math.sin(6 * phi));
  const x = K0 * N * (A + ((1 - T + C) * A ** 3) / 6 + ((5 - 18 * T + T * T + 72 * C - 58 * ep2) * A ** 5) / 120);
  const y = K0 * (M + N * t * ((A * A) / 2 + ((5 - T + 9 * C + 4 * C * C) * A ** 4) / 24 + ((61 - 58 * T + T * T + 600 * C - 330 * ep2) * A ** 6) / 720));
  return [x + FALSE_EASTING, y];
}

/** Degrees, minutes, seconds to degrees. */
export const dms = (d: number, m: number, s: number) => d + m / 60 + s / 3600;

/** Metres between two (lon, lat) points on the sphere of the mean Earth radius (enough for metres). */
export function metresBetween([lon1, lat1]: [number, number], [lon2, lat2]: [number, number]): number {
  const R = 6371008.8;
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}
