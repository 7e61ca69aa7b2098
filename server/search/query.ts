import type { Request } from 'express';
import { refusal } from '../http/messages.js';

/**
 * The search box's request, checked at the edge: `q` given once, valid UTF-8 when
 * percent-decoded (a lone surrogate's bytes are not), no control characters, at most 100
 * characters; `limit` (results per kind) 1–50. Text with no letter, digit or ideograph (only
 * punctuation) is a search for nothing, answered with no results rather than refused.
 */

export const MAX_QUERY_CHARS = 100;
export const MAX_LIMIT = 50;
export const DEFAULT_LIMIT = 20;

export interface SearchRequest {
  q: string;
  /** Results per kind. */
  limit: number;
  /** False when the text has nothing to search by (punctuation, spaces). */
  searchable: boolean;
}

/** The raw values of a parameter in a query string, percent-decoded to bytes ('+' is a space). */
function rawValues(search: string, name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const pair of search.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      const hex = value.slice(i + 1, i + 3);
      // A % not followed by two hex digits is a letter, as the search has always taken it (100%).
      if (c === '%' && /^[0-9a-f]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (c === '+') bytes.push(0x20);
      else bytes.push(...Buffer.from(c, 'utf8'));
    }
    out.push(Uint8Array.from(bytes));
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Something to search by: a letter, a digit or an ideograph of any script. */
const SEARCHABLE = /[\p{L}\p{N}]/u;

export function parseSearchRequest(req: Request): SearchRequest {
  const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  const values = rawValues(search, 'q');
  if (values.length > 1) throw refusal(400, 'search_query_repeated', undefined, { field: 'q' });
  let text: string;
  try {
    text = strictUtf8.decode(values[0] ?? new Uint8Array());
  } catch {
    throw refusal(400, 'search_query_encoding', undefined, { field: 'q' });
  }
  if (CONTROL.test(text)) throw refusal(400, 'search_query_control', undefined, { field: 'q' });
  const q = text.trim();
  if (q === '') throw refusal(400, 'search_query_missing', undefined, { field: 'q' });
  const length = [...q].length;
  if (length > MAX_QUERY_CHARS) throw refusal(400, 'search_query_too_long', { max: MAX_QUERY_CHARS, length }, { field: 'q' });
  return { q, limit: parseLimit(req.query.limit), searchable: SEARCHABLE.test(q) };
}

function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw refusal(400, 'search_limit', { max: MAX_LIMIT }, { field: 'limit' });
  return n;
}
