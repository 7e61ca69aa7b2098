import { parentPort } from 'node:worker_threads';
import { HttpError } from '../http/errors.js';
import { readSource } from './read.js';
import { MORE, type ReadAnswer, type ReadJob, type RowsPart } from './read-protocol.js';

/**
 * A worker thread that reads import files, one at a time (server/import/file-reader.ts starts
 * it, with a heap limit, and gives each file a deadline): a file's bytes in, the SourceTable or
 * the refusal out. Nothing here touches the database or the request; a file that exhausts the
 * worker's heap ends the worker, and the server answers 413.
 */

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

/** Rows per message: each message is taken apart on the server's thread in one go, so in slices. */
const ROWS_PER_MESSAGE = 5000;

let more: (() => void) | undefined;
const asked = () => new Promise<void>((resolve) => { more = resolve; });

/**
 * The answer, its rows first in slices, each sent when the server asks for it: copying a table
 * between threads costs the receiving thread about as much as reading it did, and in slices the
 * server serves other requests between them instead of waiting for the whole table (messages
 * that arrive together are taken apart in one go, hence the asking).
 */
async function send(a: ReadAnswer): Promise<void> {
  if (a.ok) {
    const { records, ...rest } = a.table;
    for (let i = 0; i < records.length; i += ROWS_PER_MESSAGE) {
      const next = asked();
      parentPort!.postMessage({ rows: records.slice(i, i + ROWS_PER_MESSAGE) } satisfies RowsPart);
      await next;
    }
    a = { ok: true, table: { ...rest, records: [] } };
  }
  parentPort!.postMessage(a);
}

parentPort!.on('message', (m: ReadJob | typeof MORE) => {
  if (m === MORE) more?.();
  else void answer(m).then(send);
});
