/** A value of a row for COPY's text format: null and undefined are SQL NULL. */
export type CopyValue = string | number | boolean | null | undefined;

/** Backslash, tab, newline and carriage return would end a value or a row: COPY reads them escaped. */
const escape = (s: string): string => s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

function field(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`COPY value ${v} is not a finite number`);
    return String(v);
  }
  return escape(v);
}

/** Rows in COPY's text format (tab-separated values, one row per line), for Transaction.copyFrom. */
export function copyText(rows: readonly (readonly CopyValue[])[]): string {
  let out = '';
  for (const row of rows) out += `${row.map(field).join('\t')}\n`;
  return out;
}
