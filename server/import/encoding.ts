import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { EncodingProblem } from '../http/import-messages.js';
import { message, refusal } from '../http/messages.js';

/**
 * Text encodings of Taiwanese registers: UTF-8 (with or without a byte-order mark), Big5 as
 * Windows writes it (code page 950, what Excel saves as "CSV" on a Traditional Chinese
 * system), and UTF-16 (Excel's "Unicode text"), which always starts with a byte-order mark.
 */
export type TextEncoding = 'utf-8' | 'big5' | 'utf-16le' | 'utf-16be';

/** How the encoding was settled: told by the caller, by the file itself, or found by trying. */
export type EncodingSource = 'parameter' | 'saved' | 'bom' | 'file' | 'detected';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  how: EncodingSource;
  warnings: string[];
}

const NAMES: Record<string, TextEncoding> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'utf-8-sig': 'utf-8',
  big5: 'big5', cp950: 'big5', 'cp-950': 'big5', ms950: 'big5', 'windows-950': 'big5', '950': 'big5',
  'big5-hkscs': 'big5', 'ansi 950': 'big5', 'x-mac-chinesetrad': 'big5',
  'utf-16le': 'utf-16le', 'utf-16': 'utf-16le', 'utf-16be': 'utf-16be',
};

/** An encoding name as people and files (Shapefile .cpg, XML prologs) write it; undefined when unknown. */
export function encodingNamed(name: string): TextEncoding | undefined {
  return NAMES[name.trim().toLowerCase().replace(/_/g, '-')];
}

/** The `encoding` parameter: utf-8 or big5 (cp950 and the other names of Big5 accepted). */
export function parseEncodingParam(name: string): TextEncoding {
  const e = encodingNamed(name);
  if (!e) throw refusal(400, 'encoding_unknown', { value: name }, { field: 'encoding' });
  return e;
}

/** What files are written in: UTF-8 (with a BOM, for Excel) or Big5. */
export type OutputEncoding = 'utf-8' | 'big5';

/** The `encoding` parameter of an export: any name of UTF-8 or Big5 that imports accept. */
export function parseOutputEncodingParam(name: string): OutputEncoding {
  const e = encodingNamed(name);
  if (e !== 'utf-8' && e !== 'big5') throw refusal(400, 'encoding_not_written', { value: name }, { field: 'encoding' });
  return e;
}

const BOMS: [TextEncoding, number[]][] = [
  ['utf-8', [0xef, 0xbb, 0xbf]],
  ['utf-16le', [0xff, 0xfe]],
  ['utf-16be', [0xfe, 0xff]],
];

function bomOf(bytes: Uint8Array): [TextEncoding, number] | undefined {
  for (const [enc, bom] of BOMS) if (bom.every((b, i) => bytes[i] === b)) return [enc, bom.length];
  return undefined;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

const lineAtByte = (b: Uint8Array, offset: number) => {
  let line = 1;
  for (let i = 0; i < offset; i++) if (b[i] === 0x0a) line++;
  return line;
};

const lineAtChar = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** An encoding as people write it: UTF-8, Big5, UTF-16LE. */
const encodingLabel = (e: TextEncoding) => (e === 'big5' ? 'Big5' : e.toUpperCase());

const wrongEncoding = (problem: EncodingProblem) => refusal(400, 'wrong_encoding', problem, { field: 'encoding' });

function decodeAs(bytes: Uint8Array, encoding: TextEncoding): string {
  if (encoding === 'big5') return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'cp950');
  return new TextDecoder(encoding).decode(bytes);
}

/**
 * Bytes to text. A byte-order mark decides; otherwise a `declared` encoding (the parameter, a
 * saved mapping, a .cpg file) is checked rather than trusted; otherwise valid UTF-8 is UTF-8
 * and anything else is tried as Big5. Text that is neither is refused with the line where it
 * goes wrong, rather than imported as mojibake.
 */
export function decodeText(bytes: Uint8Array, declared?: { encoding: TextEncoding; how: EncodingSource }): DecodedText {
  const warnings: string[] = [];
  const bom = bomOf(bytes);
  if (bom) {
    const [encoding, length] = bom;
    if (declared && declared.encoding !== encoding) {
      warnings.push(message('encoding_bom', { bom: encodingLabel(encoding), declared: encodingLabel(declared.encoding) }));
    }
    return { text: decodeAs(bytes.subarray(length), encoding), encoding, how: 'bom', warnings };
  }
  const utf8 = isUtf8(bytes);
  const wanted = declared?.encoding ?? (utf8 ? 'utf-8' : 'big5');
  const how = declared?.how ?? 'detected';
  if (wanted === 'utf-8') {
    if (!utf8) {
      const at = firstInvalidUtf8(bytes);
      const big5 = !decodeAs(bytes, 'big5').includes('\ufffd');
      throw wrongEncoding({ problem: 'not_utf8', byte: bytes[at]!, line: lineAtByte(bytes, at), big5 });
    }
    return { text: decodeAs(bytes, 'utf-8'), encoding: 'utf-8', how, warnings };
  }
  const text = decodeAs(bytes, wanted);
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) {
    const line = lineAtChar(text, bad);
    throw wrongEncoding(declared ? { problem: 'not_declared', encoding: wanted, line, utf8 } : { problem: 'neither', line });
  }
  if (utf8 && /[^\x00-\x7f]/.test(text)) {
    warnings.push(message('encoding_also_utf8', undefined));
  }
  return { text, encoding: wanted, how, warnings };
}

/**
 * Text to bytes for a download: UTF-8 with a byte-order mark (so Excel opens it as UTF-8), or
 * Big5 for older tools, where characters Big5 lacks become "?" (counted in `replaced`).
 */
export function encodeText(text: string, encoding: OutputEncoding, opts: { bom: boolean } = { bom: true }): { bytes: Buffer; replaced: number } {
  if (encoding === 'utf-8') {
    const utf8 = Buffer.from(text, 'utf8');
    return { bytes: opts.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]) : utf8, replaced: 0 };
  }
  const bytes = iconv.encode(text, 'cp950');
  const questionMarks = (s: string) => s.split('?').length - 1;
  return { bytes, replaced: questionMarks(iconv.decode(bytes, 'cp950')) - questionMarks(text) };
}
