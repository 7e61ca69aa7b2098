import { unzipSync } from 'fflate';
import { HttpError } from '../http/errors.js';

/** The files in a zip archive by path; a damaged or cut-off archive is a 400 that says so. */
export function unzip(bytes: Uint8Array): Map<string, Uint8Array> {
  try {
    return new Map(Object.entries(unzipSync(bytes)).filter(([path]) => !path.endsWith('/') && !path.startsWith('__MACOSX/')));
  } catch (err) {
    throw new HttpError(400, 'unreadable_file', `the zip archive is damaged or incomplete (${(err as Error).message}); send the whole file again`, 'file');
  }
}

export const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06);

/** Name of a path without folders, lower-cased, and its extension. */
export function baseName(path: string): { stem: string; ext: string } {
  const file = path.split('/').pop()!.toLowerCase();
  const dot = file.lastIndexOf('.');
  return dot < 0 ? { stem: file, ext: '' } : { stem: file.slice(0, dot), ext: file.slice(dot + 1) };
}
