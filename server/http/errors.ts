import type { ErrorRequestHandler } from 'express';
import { GeometryError } from '../geo/geojson.js';
import { ThrottledLog } from '../log.js';
import { refusal } from './messages.js';

/**
 * An error with an HTTP status and a message a person can act on. `field` names the part of
 * the request at fault (e.g. `properties.azimuth`, `geometry.coordinates[0][3]`, `bbox`).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
    /** More for a program to act on (an import's columns and what they could be mapped to). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * PostgreSQL error codes that mean "this input broke a rule", mapped to client errors: the
 * status and the catalogue code, whose text keeps PostgreSQL's own account in brackets.
 */
const PG_CLIENT_ERRORS: Record<string, [number, 'conflict' | 'invalid_reference' | 'invalid_value' | 'missing_value' | 'invalid_geometry']> = {
  '23505': [409, 'conflict'],          // unique_violation
  '23503': [400, 'invalid_reference'], // foreign_key_violation
  '23514': [400, 'invalid_value'],     // check_violation
  '23502': [400, 'missing_value'],     // not_null_violation
  '22P02': [400, 'invalid_value'],     // invalid_text_representation
  XX000: [400, 'invalid_geometry'],    // PostGIS/GEOS errors on malformed geometry
};

const isConnectionError = (err: { code?: string; message?: string }) =>
  ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001'].includes(err.code ?? '') ||
  /terminat|Connection terminated|connect ECONNREFUSED/i.test(err.message ?? '');

/**
 * The database did not do it in time: a statement cancelled by statement_timeout (57014), no
 * connection free within PG_ACQUIRE_TIMEOUT_MS, or no answer at all (the client's own timeout).
 */
const isTimeout = (err: { code?: string; message?: string }) =>
  err.code === '57014' || /timeout exceeded when trying to connect|Query read timeout/.test(err.message ?? '');

/** What a client is told to wait before trying again after a 503. */
const RETRY_SECONDS = 5;
const retry = { headers: { 'Retry-After': String(RETRY_SECONDS) } };

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof GeometryError) return new HttpError(400, err.code, err.message, err.path);
  const e = err as { type?: string; status?: number; code?: string; message?: string; detail?: string; limit?: number; charset?: string; encoding?: string };
  // The body parser's refusals (body-parser, raw-body), by their type.
  if (e.type === 'entity.too.large') {
    return refusal(413, 'body_too_large', { max: e.limit ?? 0 });
  }
  if (e.type === 'entity.parse.failed') {
    return refusal(400, 'malformed_json', { detail: e.message ?? '' });
  }
  if (e.type === 'charset.unsupported') return refusal(415, 'body_charset', { charset: e.charset ?? '' });
  if (e.type === 'encoding.unsupported') return refusal(415, 'body_encoding', { encoding: e.encoding ?? '' });
  if (e.type === 'request.aborted') return refusal(400, 'body_cut_off', undefined);
  if (e.type === 'request.size.invalid') return refusal(400, 'body_length_mismatch', undefined);
  if (e.code && PG_CLIENT_ERRORS[e.code]) {
    const [status, code] = PG_CLIENT_ERRORS[e.code]!;
    return refusal(status, code, { detail: [e.message, e.detail].filter(Boolean).join(': ') });
  }
  // Other errors Express and its parsers raise with a client status (e.g. a URL that is not
  // valid percent-encoding) keep it, with their own account in brackets.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return refusal(e.status, 'invalid_request', { detail: e.message || `HTTP ${e.status}` });
  }
  if (isTimeout(e)) return refusal(503, 'database_busy', { seconds: RETRY_SECONDS }, retry);
  if (isConnectionError(e)) return refusal(503, 'database_unavailable', { seconds: RETRY_SECONDS }, retry);
  return refusal(500, 'internal', undefined);
}

/** The JSON body of an error answer. */
export const errorBody = (h: HttpError) => ({
  error: { code: h.code, message: h.message, ...(h.field ? { field: h.field } : {}), ...(h.details ? { details: h.details } : {}) },
});

/** 503s come in floods while a dependency is down: one line per code every 10 s, with the count. */
const refusals = new ThrottledLog(10_000);

/** Turns any error into its HTTP answer; unexpected ones are logged, 503s counted in the log. */
export function answerFor(err: unknown): HttpError {
  const h = toHttpError(err);
  if (h.status === 503) {
    refusals.event(h.code, 'warn', 'http.503', { code: h.code, reason: (err as Error | undefined)?.message });
  } else if (h.status >= 500) {
    console.error(err);
  }
  return h;
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const h = answerFor(err);
  res.status(h.status).set(h.headers).json(errorBody(h));
};
