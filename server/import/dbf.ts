import iconv from 'iconv-lite';
import { refusal } from '../http/messages.js';
import { decodeText, type DecodedText, type EncodingSource, type TextEncoding } from './encoding.js';
import { overLimit, type ImportLimits } from './limits.js';

/**
 * A Shapefile's .dbf (dBase III): its attributes, read here to decode text the way CSV is
 * decoded, skip deleted records and keep dates as dates. The header is checked against the
 * file before a record is looked at: the field descriptors must fit the header, the record
 * length must be the fields' lengths plus the deletion flag, and the records the header counts
 * must be in the file, so a header that claims 100,000,000 records of no length is refused by
 * arithmetic, not by counting them.
 */

const damaged = () => refusal(400, 'damaged_shapefile', { file: '.dbf', problem: 'header' }, { field: 'file' });

export interface Dbf {
  columns: string[];
  /** One entry per record, in file order; null for a record marked deleted. */
  rows: (Record<string, unknown> | null)[];
}

interface Field { name: Uint8Array; type: string; offset: number; length: number }

const HEADER = 32;
const DESCRIPTOR = 32;
const END_OF_FIELDS = 0x0d;
const END_OF_FILE = 0x1a;

type Limits = Pick<ImportLimits, 'maxRows' | 'maxColumns' | 'maxCells'>;

/** Field descriptors, and how many records the header counts, checked against the file. */
function header(bytes: Uint8Array, limits: Limits): { fields: Field[]; count: number; headerLength: number; recordLength: number } {
  if (bytes.length < HEADER + 1) throw damaged();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  if (headerLength < HEADER + 1 || headerLength > bytes.length) throw damaged();
  const fields: Field[] = [];
  let offset = 1; // the deletion flag
  for (let at = HEADER; at + DESCRIPTOR <= headerLength && bytes[at] !== END_OF_FIELDS; at += DESCRIPTOR) {
    if (fields.length >= limits.maxColumns) {
      throw overLimit('too_many_columns', { found: Math.floor((headerLength - HEADER) / DESCRIPTOR), max: limits.maxColumns }, 'maxColumns', limits.maxColumns);
    }
    const raw = bytes.subarray(at, at + 11);
    const end = raw.indexOf(0);
    const length = bytes[at + 16]!;
    fields.push({ name: raw.subarray(0, end < 0 ? 11 : end), type: String.fromCharCode(bytes[at + 11]!), offset, length });
    offset += length;
  }
  // The record is the deletion flag and the fields, nothing less; and the records are all there
  // (the end-of-file mark after them may be missing).
  if (recordLength < offset || headerLength + count * recordLength > bytes.length + 1) throw damaged();
  if (count > limits.maxRows) throw overLimit('too_many_rows', { max: limits.maxRows }, 'maxRows', limits.maxRows);
  if (count * fields.length > limits.maxCells) throw overLimit('too_many_cells', { max: limits.maxCells }, 'maxCells', limits.maxCells);
  return { fields, count, headerLength, recordLength };
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

export function readDbf(bytes: Uint8Array, declared: { encoding: TextEncoding; how: EncodingSource } | undefined, limits: Limits): { dbf: Dbf; decoded: DecodedText } {
  const { fields, count, headerLength, recordLength } = header(bytes, limits);
  const starts: number[] = [];
  for (let i = 0; i < count && bytes[headerLength + i * recordLength] !== END_OF_FILE; i++) starts.push(headerLength + i * recordLength);
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
