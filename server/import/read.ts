import type { FileProblem } from '../http/import-messages.js';
import { refusal } from '../http/messages.js';
import { textProblem } from '../http/text.js';
import { readCsv } from './csv.js';
import { decodeText, encodingNamed, type EncodingSource, type TextEncoding } from './encoding.js';
import { parseJson, readGeoJson, readJsonTable } from './geojson.js';
import { readKml, xmlDeclaredEncoding } from './kml.js';
import { overLimit, type ImportLimits } from './limits.js';
import { readShapefile } from './shapefile.js';
import { checkTable } from './table-limits.js';
import type { FileFormat, SourceTable } from './table.js';
import { baseName, isZip, unzip } from './zip.js';

/**
 * A file in any format the import takes, read into a SourceTable. The format is the one asked
 * for, or found from the bytes (a zip holding a .shp or a .kml; XML; JSON) and the file name,
 * and otherwise CSV. Everything it makes is within the import's limits (server/import/limits.ts);
 * it runs in a worker thread (server/import/read-worker.ts), so that a file that would take more
 * than that costs a worker, not the server.
 */

export interface ReadOptions {
  format?: FileFormat;
  filename?: string;
  encoding?: { encoding: TextEncoding; how: EncodingSource };
}

const unreadable = (problem: FileProblem) => refusal(400, 'unreadable_file', problem, { field: 'file' });

const EXTENSIONS: Record<string, FileFormat> = {
  csv: 'csv', txt: 'csv', tsv: 'csv', geojson: 'geojson', json: 'geojson', kml: 'kml', kmz: 'kmz', zip: 'shapefile',
};

function sniff(bytes: Uint8Array, filename: string | undefined): FileFormat | 'zip' {
  if (isZip(bytes)) return 'zip';
  const ext = filename ? baseName(filename).ext : '';
  if (ext === 'shp' || ext === 'dbf') {
    throw unreadable({ problem: 'shapefile_loose' });
  }
  // The first character that is not a byte-order mark or white space tells XML and JSON apart.
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').replace(/\0/g, '').trimStart();
  if (head.startsWith('<')) return 'kml';
  if (head.startsWith('{')) return 'geojson';
  if (head.startsWith('[')) return 'json';
  const byName = EXTENSIONS[ext];
  return byName && byName !== 'shapefile' && byName !== 'kmz' ? byName : 'csv';
}

function zipFormat(files: Map<string, Uint8Array>): 'shapefile' | 'kmz' {
  const exts = [...files.keys()].map((p) => baseName(p).ext);
  if (exts.includes('shp')) return 'shapefile';
  if (exts.includes('kml')) return 'kmz';
  throw unreadable({ problem: 'zip_no_layer', entries: [...files.keys()] });
}

export async function readSource(bytes: Uint8Array, opts: ReadOptions, limits: ImportLimits): Promise<SourceTable> {
  const table = await readFormat(bytes, opts, limits);
  checkTable(table, limits);
  // Column names are kept (a source's saved mapping): they must be text the database can hold.
  const bad = table.columns.find((c) => textProblem(c, 'file'));
  if (bad !== undefined) throw refusal(400, 'column_name_invalid', { column: bad }, { field: 'file' });
  return table;
}

async function readFormat(bytes: Uint8Array, opts: ReadOptions, limits: ImportLimits): Promise<SourceTable> {
  if (bytes.length === 0) throw unreadable({ problem: 'no_bytes' });
  const sniffed = opts.format ?? sniff(bytes, opts.filename);
  const files = sniffed === 'zip' || sniffed === 'shapefile' || sniffed === 'kmz' ? unzip(bytes, limits) : undefined;
  const format: FileFormat = sniffed === 'zip' ? zipFormat(files!) : sniffed;

  if (format === 'shapefile') {
    const t = await readShapefile(files!, opts.encoding, limits);
    return {
      format, columns: t.columns, records: t.records, geometries: true, warnings: [...t.warnings, ...(t.encoding?.warnings ?? [])],
      ...(t.encoding ? { encoding: { name: t.encoding.encoding, how: t.encoding.how } } : {}),
      ...(t.declaredSrid ? { declaredSrid: t.declaredSrid } : {}),
    };
  }
  const kml = format === 'kmz' ? [...files!].find(([p]) => baseName(p).ext === 'kml') : undefined;
  if (format === 'kmz' && !kml) throw unreadable({ problem: 'kmz_no_kml', entries: [...files!.keys()] });
  const textBytes = kml ? kml[1] : bytes;
  if ((format === 'kml' || format === 'kmz') && textBytes.length > limits.maxKmlBytes) {
    throw overLimit('kml_too_large', { found: textBytes.length, max: limits.maxKmlBytes }, 'maxKmlBytes', limits.maxKmlBytes);
  }
  const prolog = format === 'kml' || format === 'kmz' ? xmlDeclaredEncoding(textBytes) : undefined;
  const prologEncoding = prolog ? encodingNamed(prolog) : undefined;
  const decoded = decodeText(textBytes, opts.encoding ?? (prologEncoding ? { encoding: prologEncoding, how: 'file' } : undefined));
  const base = { format, encoding: { name: decoded.encoding, how: decoded.how }, warnings: decoded.warnings };
  switch (format) {
    case 'csv':
      return { ...base, ...readCsv(decoded.text, limits), geometries: false };
    case 'json': {
      const doc = parseJson(decoded.text, limits.maxDepth);
      const features = Array.isArray(doc) && doc.length > 0 && (doc[0] as { type?: unknown })?.type === 'Feature';
      return features ? { ...base, format: 'geojson', ...readGeoJson(doc), geometries: true } : { ...base, ...readJsonTable(doc), geometries: false };
    }
    case 'geojson':
      return { ...base, ...readGeoJson(parseJson(decoded.text, limits.maxDepth)), geometries: true };
    case 'kml':
    case 'kmz':
      // KML is WGS84 by definition (OGC 07-147r2).
      return { ...base, ...readKml(decoded.text), geometries: true, declaredSrid: 4326 };
  }
}
