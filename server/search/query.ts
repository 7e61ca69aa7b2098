import { refusal } from '../http/messages.js';
import { parseInteger } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';

/**
 * The search box's request, checked at the edge like every other endpoint's: only `q` and
 * `limit`, each given once (server/http/parameters.ts); the query string's text was already
 * refused at the door if it is not UTF-8 or holds NUL or a lone surrogate (server/http/text.ts).
 * `q` is 1–100 characters once trimmed; `limit` (results per kind) 1–50. Text with no letter,
 * digit or ideograph (only punctuation) is a search for nothing, answered with no results
 * rather than refused.
 */

export const PARAMETERS = ['q', 'limit'] as const;
export const MAX_QUERY_CHARS = 100;
export const MAX_LIMIT = 50;
export const DEFAULT_LIMIT = 20;

export interface SearchRequest {
  q: string;
  /** Results per kind. */
  limit: number;
  /** False when the text has nothing to search by (punctuation, spaces, control characters). */
  searchable: boolean;
}

/** Something to search by: a letter, a digit or an ideograph of any script. */
const SEARCHABLE = /[\p{L}\p{N}]/u;

export function parseSearchRequest(query: Record<string, unknown>): SearchRequest {
  onlyParameters(query, PARAMETERS);
  const q = single(query.q ?? '', 'q').trim();
  if (q === '') throw refusal(400, 'search_query_missing', undefined, { field: 'q' });
  if ([...q].length > MAX_QUERY_CHARS) throw refusal(400, 'text_too_long', { field: 'q', max: MAX_QUERY_CHARS }, { field: 'q' });
  const limit = query.limit === undefined ? DEFAULT_LIMIT : parseInteger(single(query.limit, 'limit'), 'limit', 1, MAX_LIMIT);
  return { q, limit, searchable: SEARCHABLE.test(q) };
}
