import type { HttpError } from '../http/errors.js';
import type { ImportLimits } from './limits.js';
import type { ReadOptions } from './read.js';
import type { SourceRecord, SourceTable } from './table.js';

/** What the server and a reading worker (read-worker.ts, file-reader.ts) say to each other. */

/** A file to read. */
export interface ReadJob {
  bytes: Uint8Array;
  options: ReadOptions;
  limits: ImportLimits;
}

/** A slice of the table's rows, ahead of the answer; the server asks for the next with MORE. */
export interface RowsPart { rows: SourceRecord[] }
export const MORE = 'more';

/** The answer: the table (its rows sent before it), or an error as plain data (classes do not cross threads). */
export type ReadAnswer =
  | { ok: true; table: SourceTable }
  | { ok: false; refusal: Pick<HttpError, 'status' | 'code' | 'message' | 'field' | 'headers' | 'details'> }
  | { ok: false; failure: { name: string; message: string; stack?: string } };
