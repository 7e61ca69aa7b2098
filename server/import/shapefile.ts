import { openShp } from 'shapefile';
import type { FileProblem } from '../http/import-messages.js';
import { message, refusal } from '../http/messages.js';
import { knownCrs, sridFromPrj, type Srid } from './crs.js';
import { readDbf } from './dbf.js';
import { encodingNamed, type DecodedText, type EncodingSource, type TextEncoding } from './encoding.js';
import type { ImportLimits } from './limits.js';
import { checkShp, checkShx } from './shp-structure.js';
import type { SourceRecord } from './table.js';
import { baseName } from './zip.js';

/**
 * A zipped Shapefile: the .shp (its structure and its .shx checked here, then read by the
 * `shapefile` library, which assembles polygon rings into GeoJSON), its .dbf attributes
 * (server/import/dbf.ts), the .prj naming its coordinate system and the
 * .cpg naming its text encoding. Without a .cpg the encoding of the .dbf's text is detected:
 * registers made on Traditional Chinese Windows are Big5.
 */

const unreadable = (problem: FileProblem) => refusal(400, 'unreadable_file', problem, { field: 'file' });

async function readShapes(shp: Uint8Array): Promise<unknown[]> {
  try {
    const source = await openShp(shp);
    const shapes: unknown[] = [];
    for (let r = await source.read(); !r.done; r = await source.read()) shapes.push(r.value);
    return shapes;
  } catch (err) {
    throw unreadable({ problem: 'shp_unreadable', detail: (err as Error).message });
  }
}

export interface ShapefileTable {
  columns: string[];
  records: SourceRecord[];
  declaredSrid?: Srid;
  encoding?: DecodedText;
  warnings: string[];
}

export async function readShapefile(files: Map<string, Uint8Array>, declared: { encoding: TextEncoding; how: EncodingSource } | undefined,
  limits: ImportLimits): Promise<ShapefileTable> {
  const byExt = (ext: string) => [...files].filter(([path]) => baseName(path).ext === ext);
  const shps = byExt('shp');
  if (shps.length === 0) throw unreadable({ problem: 'zip_no_shp', entries: [...files.keys()] });
  if (shps.length > 1) throw unreadable({ problem: 'zip_many_shp', files: shps.map(([p]) => p) });
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
      throw refusal(400, 'file_crs_unknown', { from: 'prj', wkt: wkt.length > 80 ? `${wkt.slice(0, 80)}…` : wkt, known: knownCrs() }, { field: 'crs' });
    }
  } else warnings.push(message('shapefile_no_prj', undefined));

  const cpg = sibling('cpg');
  const cpgName = cpg ? Buffer.from(cpg).toString('latin1').trim() : undefined;
  const cpgEncoding = cpgName ? encodingNamed(cpgName) : undefined;
  if (cpgName && !cpgEncoding) warnings.push(message('shapefile_cpg_unknown', { name: cpgName }));
  const textEncoding = declared ?? (cpgEncoding ? { encoding: cpgEncoding, how: 'file' as const } : undefined);

  const dbfBytes = sibling('dbf');
  if (!dbfBytes) warnings.push(message('shapefile_no_dbf', undefined));
  const read = dbfBytes ? readDbf(dbfBytes, textEncoding, limits) : undefined;
  const structure = checkShp(shp, limits);
  const shx = sibling('shx');
  if (shx) checkShx(shx, structure);
  const shapes = await readShapes(shp);
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
