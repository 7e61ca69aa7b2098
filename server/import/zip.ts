import { inflateRawSync } from 'node:zlib';
import type { ArchiveProblem } from '../http/import-messages.js';
import { refusal } from '../http/messages.js';
import { overLimit, type ImportLimits } from './limits.js';

/**
 * The files in a zip archive (a zipped Shapefile, a KMZ), read by its central directory
 * (APPNOTE 6.3.10) and checked against the archive before anything is inflated: the number of
 * entries, where each lies, and the sizes they announce, whose sum may not pass the expansion
 * limit. Each entry is then inflated by zlib with its announced size as the most it may give
 * (`maxOutputLength`), so an entry that lies about its size is stopped as it passes it rather
 * than expanded first and measured after: a bomb of 1 GiB zero-filled entries costs nothing
 * but its own bytes. A damaged, cut-off or lying archive is a 400 that says what is wrong.
 */

const damaged = (problem: ArchiveProblem, entry?: string) =>
  refusal(400, 'damaged_archive', { problem, ...(entry ? { entry } : {}) }, { field: 'file' });

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes and may be followed by a comment of up to 65,535. */
const END_SEARCH = 22 + 0xffff;

interface Entry {
  path: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  localOffset: number;
}

type Reader = ReturnType<typeof reader>;

/** Little-endian reads of the archive, and whether a range lies inside it. */
function reader(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inside = (at: number, length: number) => at >= 0 && at + length <= bytes.length;
  return {
    inside,
    u16: (at: number) => view.getUint16(at, true),
    u32: (at: number) => view.getUint32(at, true),
    /** A 64-bit size or offset; above 2^53 is not a size any file here has. */
    u64: (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32,
  };
}

/** Offset of the end-of-central-directory record, searched from the end (it may carry a comment). */
function endRecord(bytes: Uint8Array, r: Reader): number {
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - END_SEARCH); at--) {
    if (r.u32(at) === END_OF_DIRECTORY) return at;
  }
  throw damaged('no_directory');
}

/** Entry count, size and offset of the central directory, from the end record (or its ZIP64 form). */
function directory(bytes: Uint8Array, r: Reader): { count: number; size: number; offset: number } {
  const end = endRecord(bytes, r);
  let count = r.u16(end + 10);
  let size = r.u32(end + 12);
  let offset = r.u32(end + 16);
  const locator = end - 20;
  if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && r.inside(locator, 20) && r.u32(locator) === ZIP64_END_LOCATOR) {
    const at = r.u64(locator + 8);
    if (!r.inside(at, 56) || r.u32(at) !== ZIP64_END_OF_DIRECTORY) throw damaged('directory_past_end');
    count = r.u64(at + 32);
    size = r.u64(at + 40);
    offset = r.u64(at + 48);
  }
  return { count, size, offset };
}

/** The sizes and offset a ZIP64 "extra field" holds for the fields the entry marked 0xffffffff. */
function zip64Extra(r: Reader, from: number, length: number, e: Entry): void {
  for (let at = from; at + 4 <= from + length;) {
    const id = r.u16(at);
    const size = r.u16(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = () => { const v = r.inside(field, 8) ? r.u64(field) : Infinity; field += 8; return v; };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localOffset === 0xffffffff) e.localOffset = next();
      return;
    }
    at += 4 + size;
  }
}

function entries(bytes: Uint8Array, r: Reader, limits: Pick<ImportLimits, 'maxEntries' | 'maxExpandedBytes'>): Entry[] {
  const dir = directory(bytes, r);
  // Every entry takes at least 46 bytes of the directory, and the directory lies in the file.
  if (!r.inside(dir.offset, dir.size) || dir.count * 46 > dir.size) throw damaged('directory_past_end');
  if (dir.count > limits.maxEntries) throw overLimit('archive_too_many_entries', { found: dir.count, max: limits.maxEntries }, 'maxEntries', limits.maxEntries);
  const out: Entry[] = [];
  let expanded = 0;
  for (let i = 0, at = dir.offset; i < dir.count; i++) {
    if (!r.inside(at, 46) || r.u32(at) !== DIRECTORY_ENTRY) throw damaged('directory_past_end');
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    if (!r.inside(at + 46, nameLength + extraLength + commentLength)) throw damaged('directory_past_end');
    const flags = r.u16(at + 8);
    // Bit 11: the name is UTF-8; otherwise code page 437, which for the names that matter here (ASCII) is the same.
    const path = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const e: Entry = {
      path, method: r.u16(at + 10), encrypted: (flags & 1) === 1,
      compressedSize: r.u32(at + 20), size: r.u32(at + 24), localOffset: r.u32(at + 42),
    };
    zip64Extra(r, at + 46 + nameLength, extraLength, e);
    expanded += e.size;
    if (expanded > limits.maxExpandedBytes) throw overLimit('archive_too_large', { max: limits.maxExpandedBytes }, 'maxExpandedBytes', limits.maxExpandedBytes);
    out.push(e);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/** The bytes of one entry, inflated to at most the size it announced. */
function contents(bytes: Uint8Array, r: Reader, e: Entry): Uint8Array {
  if (!r.inside(e.localOffset, 30) || r.u32(e.localOffset) !== LOCAL_HEADER) throw damaged('entry_past_end', e.path);
  const start = e.localOffset + 30 + r.u16(e.localOffset + 26) + r.u16(e.localOffset + 28);
  if (!r.inside(start, e.compressedSize)) throw damaged('entry_past_end', e.path);
  if (e.encrypted || (e.method !== STORED && e.method !== DEFLATED)) {
    throw refusal(400, 'unsupported_archive', { entry: e.path, encrypted: e.encrypted }, { field: 'file' });
  }
  const data = bytes.subarray(start, start + e.compressedSize);
  if (e.method === STORED) {
    if (e.compressedSize !== e.size) throw damaged('size_mismatch', e.path);
    return data;
  }
  let out: Buffer;
  try {
    // zlib stops once the output passes maxOutputLength (ERR_BUFFER_TOO_LARGE): the entry lied.
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
  } catch (err) {
    throw damaged((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'size_mismatch' : 'entry_past_end', e.path);
  }
  if (out.length !== e.size) throw damaged('size_mismatch', e.path);
  return out;
}

/** The files of a zip archive by path (folders and macOS resource forks left out), within the limits. */
export function unzip(bytes: Uint8Array, limits: Pick<ImportLimits, 'maxEntries' | 'maxExpandedBytes'>): Map<string, Uint8Array> {
  const r = reader(bytes);
  const files = new Map<string, Uint8Array>();
  for (const e of entries(bytes, r, limits)) {
    if (e.path.endsWith('/') || e.path.startsWith('__MACOSX/')) continue;
    files.set(e.path, contents(bytes, r, e));
  }
  return files;
}

export const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06);

/** Name of a path without folders, lower-cased, and its extension. */
export function baseName(path: string): { stem: string; ext: string } {
  const file = path.split('/').pop()!.toLowerCase();
  const dot = file.lastIndexOf('.');
  return dot < 0 ? { stem: file, ext: '' } : { stem: file.slice(0, dot), ext: file.slice(dot + 1) };
}
