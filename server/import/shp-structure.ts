import type { ShapefileProblem } from '../http/import-messages.js';
import { refusal } from '../http/messages.js';
import { overLimit, type ImportLimits } from './limits.js';

/**
 * The structure of a .shp (and its .shx index) checked against the file before any shape is
 * built (ESRI Shapefile Technical Description, 1998): the header's file length, each record's
 * content length against the bytes left, each polygon's or line's part and point counts against
 * its content length, every index entry against a record of the .shp. A header may claim
 * anything; only what the file holds is read. Vertices are counted here from the point counts,
 * so a shape over the limit is refused before its coordinates become arrays.
 */

const damaged = (file: string, problem: ShapefileProblem, record?: number) =>
  refusal(400, 'damaged_shapefile', { file, problem, ...(record === undefined ? {} : { record }) }, { field: 'file' });

const FILE_CODE = 9994;
const HEADER = 100;
/** Shape types with parts and points (polylines and polygons, plain, Z and M). */
const WITH_PARTS = new Set([3, 5, 13, 15, 23, 25]);
const MULTIPOINT = new Set([8, 18, 28]);
const POINT = new Set([1, 11, 21]);

export interface ShpStructure {
  /** Records in the file, null shapes included. */
  records: number;
  /** Byte offset → content length (bytes) of each record, to check the index against. */
  offsets: Map<number, number>;
}

type Limits = Pick<ImportLimits, 'maxRows' | 'maxFeatureVertices' | 'maxFileVertices'>;

/** The file length the 100-byte header declares (in bytes), checked against the file. */
function declaredLength(bytes: Uint8Array, file: string): number {
  if (bytes.length < HEADER) throw damaged(file, 'header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0, false) !== FILE_CODE) throw damaged(file, 'header');
  const length = view.getInt32(24, false) * 2;
  if (length < HEADER || length > bytes.length) throw damaged(file, 'header');
  return length;
}

/** Points of one record (vertices), after checking its counts fit its content length. */
function pointsOf(view: DataView, content: number, length: number, type: number, record: number): number {
  if (type === 0) return 0;
  if (POINT.has(type)) {
    if (length < 20) throw damaged('.shp', 'record_length', record);
    return 1;
  }
  if (MULTIPOINT.has(type)) {
    const points = length >= 40 ? view.getInt32(content + 36, true) : -1;
    if (points < 0 || 40 + 16 * points > length) throw damaged('.shp', 'record_length', record);
    return points;
  }
  const parts = length >= 44 ? view.getInt32(content + 36, true) : -1;
  const points = length >= 44 ? view.getInt32(content + 40, true) : -1;
  if (parts < 0 || points < 0 || parts > points || 44 + 4 * parts + 16 * points > length) throw damaged('.shp', 'record_length', record);
  return points;
}

/** Walks the .shp's records, refusing any that reaches past the file or contradicts itself. */
export function checkShp(bytes: Uint8Array, limits: Limits): ShpStructure {
  const end = declaredLength(bytes, '.shp');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileType = view.getInt32(32, true);
  if (!POINT.has(fileType) && !MULTIPOINT.has(fileType) && !WITH_PARTS.has(fileType) && fileType !== 0) throw damaged('.shp', 'shape_type');
  const offsets = new Map<number, number>();
  let vertices = 0;
  let record = 0;
  for (let at = HEADER; at + 8 <= end; ) {
    record++;
    if (record > limits.maxRows) throw overLimit('too_many_rows', { max: limits.maxRows }, 'maxRows', limits.maxRows);
    const length = view.getInt32(at + 4, false) * 2;
    const content = at + 8;
    if (length < 4 || content + length > end) throw damaged('.shp', 'record_past_end', record);
    const type = view.getInt32(content, true);
    if (type !== 0 && type !== fileType) throw damaged('.shp', 'shape_type', record);
    const points = pointsOf(view, content, length, type, record);
    if (points > limits.maxFeatureVertices) {
      throw overLimit('feature_too_many_vertices', { max: limits.maxFeatureVertices, row: record }, 'maxFeatureVertices', limits.maxFeatureVertices);
    }
    vertices += points;
    if (vertices > limits.maxFileVertices) throw overLimit('file_too_many_vertices', { max: limits.maxFileVertices }, 'maxFileVertices', limits.maxFileVertices);
    offsets.set(at, length);
    at = content + length;
  }
  return { records: record, offsets };
}

/** The .shx must index exactly the .shp's records: each entry's offset and length those of a record. */
export function checkShx(bytes: Uint8Array, shp: ShpStructure): void {
  const end = declaredLength(bytes, '.shx');
  if ((end - HEADER) % 8 !== 0) throw damaged('.shx', 'header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = (end - HEADER) / 8;
  if (entries !== shp.records) throw damaged('.shx', 'header');
  for (let i = 0; i < entries; i++) {
    const at = HEADER + 8 * i;
    const offset = view.getInt32(at, false) * 2;
    const length = view.getInt32(at + 4, false) * 2;
    if (shp.offsets.get(offset) !== length) throw damaged('.shx', 'index', i + 1);
  }
}
