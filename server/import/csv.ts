import { CsvError, parse } from 'csv-parse/sync';
import { restoreFormulaText } from '../export/spreadsheet-cells.js';
import { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { overLimit, type ImportLimits } from './limits.js';
import type { SourceRecord } from './table.js';

/**
 * CSV and other delimited text (Excel's tab-separated "Unicode text", semicolons): the first
 * row is the header. A row with another number of cells than the header is kept and reported
 * as broken; a quote that never closes stops the file, with the line it opens on. Rows, cells
 * in a row and the characters of a line are counted as the parser goes, and the first to pass
 * its limit stops it: a line of 100 MB or a header of 100,000 columns is refused, not held.
 */

/** The header line, within the line limit. */
function headerLine(text: string, maxLineChars: number): string {
  const end = text.slice(0, maxLineChars + 2).search(/\r?\n/);
  if (end < 0 && text.length > maxLineChars) throw overLimit('line_too_long', { line: 1, max: maxLineChars }, 'maxLineChars', maxLineChars);
  return text.slice(0, end < 0 ? text.length : end);
}

/** The delimiter the header line uses most, outside quotes. */
function delimiterOf(line: string): string {
  const outside = line.replace(/"[^"]*"/g, '');
  const counts = [',', '\t', ';', '|'].map((d) => [d, outside.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

type Limits = Pick<ImportLimits, 'maxRows' | 'maxColumns' | 'maxCells' | 'maxLineChars'>;

export function readCsv(text: string, limits: Limits): { columns: string[]; records: SourceRecord[] } {
  let rows: string[][];
  let count = 0;
  let width = 0;
  /** Checked on each record as it is parsed; the header is a record too, hence maxRows + 1. */
  const bounded = (record: string[]) => {
    if (record.length > limits.maxColumns) throw overLimit('too_many_columns', { found: record.length, max: limits.maxColumns }, 'maxColumns', limits.maxColumns);
    if (++count > limits.maxRows + 1) throw overLimit('too_many_rows', { max: limits.maxRows }, 'maxRows', limits.maxRows);
    width ||= record.length;
    const cells = (count - 1) * width;
    if (cells > limits.maxCells) throw overLimit('too_many_cells', { max: limits.maxCells }, 'maxCells', limits.maxCells);
    return record;
  };
  try {
    rows = parse(text, {
      delimiter: delimiterOf(headerLine(text, limits.maxLineChars)), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true,
      max_record_size: limits.maxLineChars, on_record: bounded,
    }) as string[][];
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const e = err as CsvError & { lines?: number };
    if (e.code === 'CSV_MAX_RECORD_SIZE') throw overLimit('line_too_long', { line: e.lines ?? count + 1, max: limits.maxLineChars }, 'maxLineChars', limits.maxLineChars);
    const line = e.lines ? { line: e.lines } : {};
    throw refusal(400, 'unreadable_file', e.code === 'CSV_QUOTE_NOT_CLOSED' ? { problem: 'csv_quote', ...line } : { problem: 'csv_record', detail: e.message, ...line },
      { field: 'file' });
  }
  const [header, ...body] = rows;
  if (!header || header.every((h) => h.trim() === '')) throw refusal(400, 'unreadable_file', { problem: 'empty' }, { field: 'file' });
  const columns = header.map((h, i) => h.trim() || `column ${i + 1}`);
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate) throw refusal(400, 'unreadable_file', { problem: 'duplicate_column', column: duplicate }, { field: 'file' });
  const records: SourceRecord[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    // A cell an export neutralised ('=…, see spreadsheet-cells.ts) is read as the text it was.
    const record: SourceRecord = { row: i + 2, cells: Object.fromEntries(columns.map((c, k) => [c, restoreFormulaText(cells[k] ?? '')])) };
    if (cells.length !== columns.length) record.problem = { problem: 'cell_count', cells: cells.length, columns: columns.length };
    records.push(record);
  });
  return { columns, records };
}
