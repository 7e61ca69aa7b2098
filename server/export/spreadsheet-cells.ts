/**
 * CSV cells that a spreadsheet will not run. Excel, LibreOffice and Google Sheets take a cell
 * that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a name typed
 * as `=HYPERLINK("http://…", "點此")` would become a live link (or worse) in the file a
 * colleague opens. As OWASP's CSV Injection page recommends, such a cell is written with a
 * single quote before it, inside double quotes: the spreadsheet shows the text, quote hidden.
 * A plain number (-3.5) is not a formula and is left alone, so figures stay figures.
 * The import reads the quote back off (restoreFormulaText), so an export imports as it was.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a cell's text would be read as a formula. */
export const looksLikeFormula = (s: string) => FORMULA_START.test(s) && !PLAIN_NUMBER.test(s);

/** One CSV cell (RFC 4180 quoting), neutralised when it would be a formula. */
export function csvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  if (looksLikeFormula(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The text of a cell this service neutralised, as it was. */
export const restoreFormulaText = (cell: string) => (cell.startsWith("'") && looksLikeFormula(cell.slice(1)) ? cell.slice(1) : cell);
