import type { MultiPolygon, Polygon } from 'geojson';

/**
 * An area as little-endian WKB MultiPolygon, in hex: ST_GeomFromWKB(decode(hex, 'hex')) reads it
 * about 25× faster than ST_GeomFromGeoJSON reads the same area in the embedded database
 * (13,652 basic areas, 400,000 vertices: 45 ms against 1.1 s), which parses GeoJSON in WASM.
 */
export function multiPolygonWkbHex(area: Polygon | MultiPolygon): string {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  let bytes = 9;
  for (const rings of polygons) {
    bytes += 9;
    for (const ring of rings) bytes += 4 + ring.length * 16;
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  const uint32 = (v: number) => { at = out.writeUInt32LE(v, at); };
  /** Byte order 1 (little-endian), then the geometry type. */
  const header = (type: number) => { at = out.writeUInt8(1, at); uint32(type); };
  header(6);
  uint32(polygons.length);
  for (const rings of polygons) {
    header(3);
    uint32(rings.length);
    for (const ring of rings) {
      uint32(ring.length);
      for (const p of ring) {
        at = out.writeDoubleLE(p[0]!, at);
        at = out.writeDoubleLE(p[1]!, at);
      }
    }
  }
  return out.toString('hex');
}
