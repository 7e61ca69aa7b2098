import { refusal } from './messages.js';

/**
 * Numbers as they arrive in text (query strings, path segments, register cells): decimal
 * notation only, so `0x1`, `1e3` for an integer, ` 1` or an empty string are refused rather than
 * read as something else, and each is checked against the range of the column it is compared
 * with or stored in, so that the database is never the one to refuse it.
 */

/** PostgreSQL `integer`. */
export const INT4 = { min: -2_147_483_648, max: 2_147_483_647 } as const;
/**
 * Largest feature id accepted. Ids are `bigint` in the database and handed out from 1 upward;
 * above 2^53 − 1 JavaScript numbers could not tell two ids apart, so none is ever handed out.
 */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Whether text is a number in decimal notation (`0x10`, ` 5`, `Infinity` and the empty string are not). */
export const isDecimal = (s: string) => DECIMAL.test(s);

/** A whole number in decimal digits, from min to max. */
export function parseInteger(s: string, field: string, min: number, max: number): number {
  const n = INTEGER.test(s) ? Number(s) : NaN;
  if (!(n >= min && n <= max)) throw refusal(400, 'integer_out_of_range', { field, min, max }, { field });
  return n === 0 ? 0 : n;
}

/** A finite number in decimal notation (an exponent is allowed: 1.5e2). */
export function parseDecimal(s: string, field: string): number {
  const n = isDecimal(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) throw refusal(400, 'number_not_decimal', { field }, { field });
  return n;
}

/** Whether text is a feature id: decimal digits, 1 to MAX_ID. */
export function idValue(s: string): number | undefined {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : 0;
  return n >= 1 && n <= MAX_ID ? n : undefined;
}

/** A feature id, or a 400 naming the field. */
export function parseId(s: string, field: string): number {
  const n = idValue(s);
  if (n === undefined) throw refusal(400, 'id_invalid', { field, value: s, max: MAX_ID }, { field });
  return n;
}
