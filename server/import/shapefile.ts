import iconv from 'iconv-lite';
import { openShp } from 'shapefile';
import { HttpError } from '../http/errors.js';
import { sridFromPrj, type Srid } from './crs.js';
import { decodeText, encodingNamed, type DecodedText, type EncodingSource, type TextEncoding } from './encoding.js';
import type { SourceRecord } from './table.js';
import { baseName } from './zip.js';

/**
 * A zipped Shapefile: the .shp (read by the `shapefile` library, which assembles polygon rings
 * into GeoJSON), its .dbf attributes (read here, to decode text the way CSV is decoded, skip
 * deleted records and keep dates as dates), the .prj naming its coordinate system and the
 * .cpg naming its text encoding. Without a .cpg the encoding of the .dbf's text is detected:
 * registers made on Traditional Chinese Windows are Big5.
 */

const unreadable = (message: string) => new HttpError(400, 'unreadable_file', message, 'file');

interface Dbf {
  columns: string[];
  /** One entry per record, in file order; null for a record marked deleted. */
  rows: (Record<string, unknown> | null)[];
}

interface Field { name: Uint8Array; type: string; offset: number; length: number }

function readDbf(bytes: Uint8Array, declared: { encoding: TextEncoding; how: EncodingSource } | undefined): { dbf: Dbf; decoded: DecodedText } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 32) throw unreadable('the .dbf is too short to be a dBase file');
  const count = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  if (headerLength + count * recordLength > bytes.length + 1) throw unreadable(`the .dbf is cut short: its header promises ${count} records`);
  const fields: Field[] = [];
  for (let at = 32, offset = 1; at + 32 <= headerLength && bytes[at] !== 0x0d; at += 32) {
    const raw = bytes.subarray(at, at + 11);
    const end = raw.indexOf(0);
    const length = bytes[at + 16]!;
    fields.push({ name: raw.subarray(0, end < 0 ? 11 : end), type: String.fromCharCode(bytes[at + 11]!), offset, length });
    offset += length;
  }
  const starts: number[] = [];
  for (let i = 0; i < count && bytes[headerLength + i * recordLength] !== 0x1a; i++) starts.push(headerLength + i * recordLength);
  // The encoding is settled on the text alone (field names and character values), not on the
  // binary header, whose lengths and counts are not text.
  const text = [...fields.map((f) => f.name), ...starts.flatMap((start) => fields.filter((f) => f.type === 'C')
    .map((f) => bytes.subarray(start + f.offset, start + f.offset + f.length)))];
  const decoded = decodeText(Buffer.concat(text.flatMap((t) => [t, Buffer.from([0x0a])])), declared);
  const decode = (b: Uint8Array) => (decoded.encoding === 'big5' ? iconv.decode(Buffer.from(b), 'cp950') : new TextDecoder(decoded.encoding).decode(b));
  const names = fields.map((f) => decode(f.name).trim());
  const rows: Dbf['rows'] = starts.map((start) => {
    if (bytes[start] === 0x2a) return null;
    return Object.fromEntries(fields.map((f, k) => [names[k]!, fieldValue(f, bytes.subarray(start + f.offset, start + f.offset + f.length), decode)]));
  });
  return { dbf: { columns: names, rows }, decoded };
}

function fieldValue(f: Field, raw: Uint8Array, decode: (b: Uint8Array) => string): unknown {
  const ascii = () => Buffer.from(raw).toString('latin1').trim();
  switch (f.type) {
    case 'C':
      return decode(raw).trim() || null;
    case 'N':
    case 'F': {
      const s = ascii();
      return s === '' || Number.isNaN(Number(s)) ? null : Number(s);
    }
    case 'L': {
      const s = ascii().toUpperCase();
      return 'TY'.includes(s) && s ? true : 'FN'.includes(s) && s ? false : null;
    }
    case 'D': {
      const s = ascii();
      return /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
    }
    default:
      return null;
  }
}

async function readShapes(shp: Uint8Array): Promise<unknown[]> {
  try {
    const source = await openShp(shp);
    const shapes: unknown[] = [];
    for (let r = await source.read(); !r.done; r = await source.read()) shapes.push(r.value);
    return shapes;
  } catch (err) {
    throw unreadable(`the .shp cannot be read (${(err as Error).message}); is the archive complete?`);
  }
}

export interface ShapefileTable {
  columns: string[];
  records: SourceRecord[];
  declaredSrid?: Srid;
  encoding?: DecodedText;
  warnings: string[];
}

export async function readShapefile(files: Map<string, Uint8Array>, declared?: { encoding: TextEncoding; how: EncodingSource }): Promise<ShapefileTable> {
  const byExt = (ext: string) => [...files].filter(([path]) => baseName(path).ext === ext);
  const shps = byExt('shp');
  if (shps.length === 0) throw unreadable(`the zip holds no .shp file (it has ${[...files.keys()].join(', ') || 'nothing'})`);
  if (shps.length > 1) throw unreadable(`the zip holds ${shps.length} shapefiles (${shps.map(([p]) => p).join(', ')}); send one per import`);
  const [shpPath, shp] = shps[0]!;
  const stem = baseName(shpPath).stem;
  const sibling = (ext: string) => byExt(ext).find(([p]) => baseName(p).stem === stem)?.[1];
  const warnings: string[] = [];

  const prj = sibling('prj');
  let declaredSrid: Srid | undefined;
  if (prj) {
    const wkt = Buffer.from(prj).toString('latin1');
    declaredSrid = sridFromPrj(wkt);
    if (declaredSrid === undefined) {
      throw new HttpError(400, 'invalid_request', `the .prj names a coordinate system this service does not transform (${wkt.slice(0, 80)}…); send crs= to say which it is`, 'crs');
    }
  } else warnings.push('the Shapefile has no .prj; its coordinate system is guessed from the values');

  const cpg = sibling('cpg');
  const cpgName = cpg ? Buffer.from(cpg).toString('latin1').trim() : undefined;
  const cpgEncoding = cpgName ? encodingNamed(cpgName) : undefined;
  if (cpgName && !cpgEncoding) warnings.push(`the .cpg names encoding "${cpgName}", which is not UTF-8 or Big5; the text was detected instead`);
  const textEncoding = declared ?? (cpgEncoding ? { encoding: cpgEncoding, how: 'file' as const } : undefined);

  const shapes = await readShapes(shp);
  const dbfBytes = sibling('dbf');
  if (!dbfBytes) warnings.push('the Shapefile has no .dbf: its shapes carry no attributes');
  const read = dbfBytes ? readDbf(dbfBytes, textEncoding) : undefined;
  const records: SourceRecord[] = [];
  shapes.forEach((geometry, i) => {
    const cells = read ? read.dbf.rows[i] : {};
    if (cells === null) return; // deleted in the .dbf
    records.push({ row: i + 1, cells: cells ?? {}, geometry });
  });
  return {
    columns: read?.dbf.columns ?? [], records, warnings,
    ...(declaredSrid ? { declaredSrid } : {}), ...(read ? { encoding: read.decoded } : {}),
  };
}
