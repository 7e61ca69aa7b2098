import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from '../http/errors.js';
import type { ImportLimits } from './limits.js';
import { readSource, type ReadOptions } from './read.js';

/**
 * The worker thread that reads one import file (server/import/file-reader.ts starts it, with a
 * heap limit and a deadline): the file's bytes in, the SourceTable or the refusal out. Nothing
 * here touches the database or the request; a file that exhausts the worker's heap ends the
 * worker, and the server answers 413.
 */

export interface ReadJob {
  bytes: Uint8Array;
  options: ReadOptions;
  limits: ImportLimits;
}

/** What the worker answers: the table, or an error as plain data (classes do not cross threads). */
export type ReadAnswer =
  | { ok: true; table: Awaited<ReturnType<typeof readSource>> }
  | { ok: false; refusal: Pick<HttpError, 'status' | 'code' | 'message' | 'field' | 'headers' | 'details'> }
  | { ok: false; failure: { name: string; message: string; stack?: string } };

async function answer(job: ReadJob): Promise<ReadAnswer> {
  try {
    return { ok: true, table: await readSource(job.bytes, job.options, job.limits) };
  } catch (err) {
    if (err instanceof HttpError) {
      const { status, code, message, field, headers, details } = err;
      return { ok: false, refusal: { status, code, message, field, headers, details } };
    }
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, failure: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
  }
}

parentPort!.postMessage(await answer(workerData as ReadJob));
