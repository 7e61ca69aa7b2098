import { CsvError, parse } from 'csv-parse/sync';
import { restoreFormulaText } from '../export/spreadsheet-cells.js';
import { HttpError } from '../http/errors.js';
import type { SourceRecord } from './table.js';

/**
 * CSV and other delimited text (Excel's tab-separated "Unicode text", semicolons): the first
 * row is the header. A row with another number of cells than the header is kept and reported
 * as broken; a quote that never closes stops the file, with the line it opens on.
 */

/** The delimiter the header line uses most, outside quotes. */
function delimiterOf(text: string): string {
  const line = text.slice(0, text.search(/\r?\n|$/));
  const outside = line.replace(/"[^"]*"/g, '');
  const counts = [',', '\t', ';', '|'].map((d) => [d, outside.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

export function readCsv(text: string): { columns: string[]; records: SourceRecord[] } {
  let rows: string[][];
  try {
    rows = parse(text, { delimiter: delimiterOf(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (err) {
    const e = err as CsvError & { lines?: number };
    const where = e.lines ? ` (line ${e.lines})` : '';
    const what = e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is never closed' : e.message;
    throw new HttpError(400, 'unreadable_file', `the CSV cannot be read: ${what}${where}; fix that line and send it again`, 'file');
  }
  const [header, ...body] = rows;
  if (!header || header.every((h) => h.trim() === '')) throw new HttpError(400, 'unreadable_file', 'the file is empty: the first row must name the columns', 'file');
  const columns = header.map((h, i) => h.trim() || `column ${i + 1}`);
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate) throw new HttpError(400, 'unreadable_file', `the header names column "${duplicate}" twice; give each column its own name`, 'file');
  const records: SourceRecord[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    // A cell an export neutralised ('=…, see spreadsheet-cells.ts) is read as the text it was.
    const record: SourceRecord = { row: i + 2, cells: Object.fromEntries(columns.map((c, k) => [c, restoreFormulaText(cells[k] ?? '')])) };
    if (cells.length !== columns.length) record.problem = `the row has ${cells.length} cells, the header ${columns.length}: a delimiter or quote is missing or extra`;
    records.push(record);
  });
  return { columns, records };
}
