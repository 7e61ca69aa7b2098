import { zipSync } from 'fflate';
import iconv from 'iconv-lite';

/**
 * Register files made in the tests, the way the tools that make them write them: Shapefiles
 * (.shp/.shx/.dbf/.prj/.cpg, zipped) as ArcGIS and QGIS write them, with Big5 or UTF-8 text;
 * Big5 CSV as Excel saves it on Traditional Chinese Windows; KML as Google Earth writes it.
 */

/** ESRI WKT of TWD97 / TM2 zone 121 (EPSG:3826), as ArcGIS writes it into a .prj. */
export const TWD97_PRJ = 'PROJCS["TWD_1997_TM_Taiwan",GEOGCS["GCS_TWD_1997",DATUM["D_TWD_1997",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",250000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",121.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
/** TWD67 / TM2 zone 121 (EPSG:3828). */
export const TWD67_PRJ = 'PROJCS["TWD_1967_TM_Taiwan",GEOGCS["GCS_TWD_1967",DATUM["D_TWD_1967",SPHEROID["GRS_1967_Truncated",6378160.0,298.25]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",250000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",121.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

export const big5 = (text: string) => iconv.encode(text, 'cp950');

type XY = [number, number];
export type ShapeRecord = { point: XY } | { rings: XY[][] };
export interface DbfField { name: string; type: 'C' | 'N'; length: number; decimals?: number }

/** Signed area of a ring (positive: counter-clockwise). */
const signedArea = (ring: XY[]) => ring.reduce((s, [x1, y1], i) => {
  const [x2, y2] = ring[(i + 1) % ring.length]!;
  return s + x1 * y2 - x2 * y1;
}, 0) / 2;

/** Shapefile rings: the outer one clockwise, holes counter-clockwise (ESRI's rule). */
const oriented = (rings: XY[][]) => rings.map((r, i) => ((signedArea(r) > 0) === (i === 0) ? [...r].reverse() : r));

function shpAndShx(records: ShapeRecord[]): { shp: Buffer; shx: Buffer } {
  const polygon = records.length > 0 && 'rings' in records[0]!;
  const contents = records.map((r) => {
    if ('point' in r) {
      const b = Buffer.alloc(20);
      b.writeInt32LE(1, 0);
      b.writeDoubleLE(r.point[0], 4);
      b.writeDoubleLE(r.point[1], 12);
      return b;
    }
    const rings = oriented(r.rings);
    const points = rings.flat();
    const b = Buffer.alloc(44 + 4 * rings.length + 16 * points.length);
    b.writeInt32LE(5, 0);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
    b.writeInt32LE(rings.length, 36);
    b.writeInt32LE(points.length, 40);
    let start = 0;
    rings.forEach((ring, i) => { b.writeInt32LE(start, 44 + 4 * i); start += ring.length; });
    points.forEach(([x, y], i) => { b.writeDoubleLE(x, 44 + 4 * rings.length + 16 * i); b.writeDoubleLE(y, 52 + 4 * rings.length + 16 * i); });
    return b;
  });
  const all = records.flatMap((r) => ('point' in r ? [r.point] : r.rings.flat()));
  const header = (lengthBytes: number) => {
    const h = Buffer.alloc(100);
    h.writeInt32BE(9994, 0);
    h.writeInt32BE(lengthBytes / 2, 24);
    h.writeInt32LE(1000, 28);
    h.writeInt32LE(polygon ? 5 : 1, 32);
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => h.writeDoubleLE(v, 36 + 8 * i));
    return h;
  };
  const shpRecords = contents.map((c, i) => {
    const rh = Buffer.alloc(8);
    rh.writeInt32BE(i + 1, 0);
    rh.writeInt32BE(c.length / 2, 4);
    return Buffer.concat([rh, c]);
  });
  const shpLength = 100 + shpRecords.reduce((n, r) => n + r.length, 0);
  let offset = 100;
  const shxRecords = contents.map((c) => {
    const b = Buffer.alloc(8);
    b.writeInt32BE(offset / 2, 0);
    b.writeInt32BE(c.length / 2, 4);
    offset += 8 + c.length;
    return b;
  });
  return { shp: Buffer.concat([header(shpLength), ...shpRecords]), shx: Buffer.concat([header(100 + 8 * records.length), ...shxRecords]) };
}

function dbf(fields: DbfField[], rows: (string | number | null)[][], encode: (s: string) => Buffer, deleted: number[] = []): Buffer {
  const recordLength = 1 + fields.reduce((n, f) => n + f.length, 0);
  const headerLength = 32 + 32 * fields.length + 1;
  const head = Buffer.alloc(headerLength);
  head[0] = 0x03;
  head[1] = 126; head[2] = 1; head[3] = 1;
  head.writeUInt32LE(rows.length, 4);
  head.writeUInt16LE(headerLength, 8);
  head.writeUInt16LE(recordLength, 10);
  fields.forEach((f, i) => {
    const at = 32 + 32 * i;
    encode(f.name).copy(head, at, 0, 10);
    head[at + 11] = f.type.charCodeAt(0);
    head[at + 16] = f.length;
    head[at + 17] = f.decimals ?? 0;
  });
  head[headerLength - 1] = 0x0d;
  const body = rows.map((row, r) => {
    const rec = Buffer.alloc(recordLength, 0x20);
    if (deleted.includes(r)) rec[0] = 0x2a;
    let at = 1;
    fields.forEach((f, i) => {
      const v = row[i];
      const text = v === null || v === undefined ? Buffer.alloc(0) : f.type === 'N'
        ? Buffer.from(String(typeof v === 'number' ? v.toFixed(f.decimals ?? 0) : v).padStart(f.length), 'latin1')
        : encode(String(v));
      text.copy(rec, at, 0, f.length);
      at += f.length;
    });
    return rec;
  });
  return Buffer.concat([head, ...body, Buffer.from([0x1a])]);
}

export interface ShapefileSpec {
  name?: string;
  records: ShapeRecord[];
  fields: DbfField[];
  rows: (string | number | null)[][];
  prj?: string | null;
  /** Text encoding of the .dbf; `cpg` writes a .cpg naming it. */
  encoding?: 'big5' | 'utf-8';
  cpg?: string | null;
  /** Record indexes marked deleted in the .dbf. */
  deleted?: number[];
}

/** A zipped Shapefile. */
export function shapefileZip(spec: ShapefileSpec): Uint8Array {
  const name = spec.name ?? 'layer';
  const encode = spec.encoding === 'big5' ? big5 : (s: string) => Buffer.from(s, 'utf8');
  const { shp, shx } = shpAndShx(spec.records);
  const files: Record<string, Uint8Array> = {
    [`${name}.shp`]: shp, [`${name}.shx`]: shx, [`${name}.dbf`]: dbf(spec.fields, spec.rows, encode, spec.deleted),
  };
  if (spec.prj !== null) files[`${name}.prj`] = Buffer.from(spec.prj ?? TWD97_PRJ);
  if (spec.cpg) files[`${name}.cpg`] = Buffer.from(spec.cpg);
  return zipSync(files);
}

/** A KML document of placemarks, as Google Earth writes it (ExtendedData/Data). */
export function kmlDoc(placemarks: { name: string; point?: XY; rings?: XY[][]; data?: Record<string, string> }[]): string {
  const coords = (r: XY[]) => r.map(([x, y]) => `${x},${y},0`).join(' ');
  const body = placemarks.map((p) => `<Placemark><name>${p.name}</name>${p.data ? `<ExtendedData>${Object.entries(p.data).map(([k, v]) => `<Data name="${k}"><value>${v}</value></Data>`).join('')}</ExtendedData>` : ''}${
    p.point ? `<Point><coordinates>${p.point[0]},${p.point[1]},0</coordinates></Point>` : ''}${
    p.rings ? `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(p.rings[0]!)}</coordinates></LinearRing></outerBoundaryIs></Polygon>` : ''}</Placemark>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>匯入測試</name>\n${body}\n</Document></kml>\n`;
}

/** CSV text with CRLF line ends, as Excel writes it. */
export const csvText = (rows: (string | number)[][]) => rows.map((r) => r.map((c) => {
  const s = String(c);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}).join(',')).join('\r\n') + '\r\n';
