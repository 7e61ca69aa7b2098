import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { HttpError } from './errors.js';
import { refusal } from './messages.js';

/**
 * Text as it arrives, checked before anything reads it. PostgreSQL cannot store NUL (U+0000) in
 * text, and a UTF-16 surrogate without its pair is not Unicode: the driver would silently turn
 * it into U+FFFD. Both are refused with the field they are in, as are query strings and bodies
 * whose bytes are not UTF-8 (which parsers would otherwise decode to U+FFFD without a word).
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The refusal for text that cannot be stored as it was sent, or null. */
export function textProblem(s: string, field: string): HttpError | null {
  if (s.includes('\u0000')) return refusal(400, 'text_nul', { field }, { field });
  if (LONE_SURROGATE.test(s)) return refusal(400, 'text_lone_surrogate', { field }, { field });
  return null;
}

export function assertText(s: string, field: string): string {
  const problem = textProblem(s, field);
  if (problem) throw problem;
  return s;
}

const pathOf = (base: string, key: string | number) =>
  (typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key);

/** Every string and member name of a parsed JSON value, with the path that names it (`properties.name`, `points[2].name`). */
export function assertJsonText(value: unknown, path = ''): void {
  if (typeof value === 'string') {
    assertText(value, path || 'body');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertJsonText(v, pathOf(path, i)));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assertText(k, pathOf(path, k));
      assertJsonText(v, pathOf(path, k));
    }
  }
}

/** `+` is a space in a query string; anything else must be percent-encoded UTF-8. */
function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The refusal for a query string that is not well-formed UTF-8 text, or null. */
export function queryProblem(search: string): HttpError | null {
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodeComponent(rawName);
    if (name === undefined) return refusal(400, 'query_not_utf8', { field: rawName }, { field: rawName });
    const problem = textProblem(name, name);
    if (problem) return problem;
    if (eq < 0) continue;
    const value = decodeComponent(part.slice(eq + 1));
    if (value === undefined) return refusal(400, 'query_not_utf8', { field: name }, { field: name });
    const bad = textProblem(value, name);
    if (bad) return bad;
  }
  return null;
}

const searchOf = (url: string | undefined) => {
  const q = (url ?? '').indexOf('?');
  return q < 0 ? '' : url!.slice(q + 1);
};

/** Refuses a request whose query string holds text that is not clean UTF-8 (see queryProblem). */
export const cleanQueryText: RequestHandler = (req, _res, next) => {
  next(queryProblem(searchOf(req.url)) ?? undefined);
};

/** For express.json's `verify`: the raw body must be UTF-8 (a declared other charset is the parser's to refuse). */
export function verifyUtf8(req: IncomingMessage, _res: unknown, body: Buffer): void {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if ((charset === undefined || charset === 'utf-8' || charset === 'utf8') && !isUtf8(body)) throw refusal(400, 'body_not_utf8', undefined);
}

/** After the JSON parser: no NUL and no lone surrogate anywhere in the body (JSON's \u escapes can carry both). */
export const cleanJsonText: RequestHandler = (req, _res, next) => {
  assertJsonText(req.body);
  next();
};
