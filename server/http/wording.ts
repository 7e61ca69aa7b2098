/** How numbers and sizes read in every message of the catalogue. */

/** 1,234,567 */
export function n(x: number): string {
  return x.toLocaleString('en-US');
}

/** Bytes as people read them: 64 MB, 512 KB. */
export function size(bytes: number): string {
  return bytes >= 2 ** 20 ? `${n(Math.round((bytes / 2 ** 20) * 10) / 10)} MB` : `${n(Math.ceil(bytes / 2 ** 10))} KB`;
}
