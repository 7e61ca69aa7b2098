import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { ImportAborted } from './aborted.js';
import { overLimit, type ImportLimits } from './limits.js';
import type { ReadOptions } from './read.js';
import { MORE, type ReadAnswer, type ReadJob, type RowsPart } from './read-protocol.js';
import type { SourceRecord, SourceTable } from './table.js';

/**
 * Reads import files in worker threads, so that the worst file costs a worker and never the
 * server. Each worker has a heap of IMPORT_WORKER_HEAP_MB and reads one file at a time, each
 * within IMPORT_READ_TIMEOUT seconds; a worker that runs out of heap or time is ended and the
 * import answered 413 (nothing is written: reading comes before the transaction). At most
 * IMPORT_WORKERS workers exist, so that their heaps add up to a known bound; files beyond them
 * wait their turn, and past a short queue the answer is 503 with Retry-After. A worker that read
 * a file well reads the next (starting one and loading the parsers costs 0.2–3 s, more than
 * most files take to read) and ends after a minute without work.
 */

export interface FileReader {
  read(bytes: Uint8Array, options: ReadOptions, signal: AbortSignal): Promise<SourceTable>;
}

/** Imports waiting for a worker, per worker, before more are turned away. */
const QUEUE_PER_WORKER = 4;
const RETRY_AFTER_SECONDS = 10;
/** An idle worker ends after this long, giving its heap back. */
const IDLE_MS = 60_000;

const workerFile = new URL(`./read-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker running read-worker. Run from TypeScript sources (tsx, vitest), the worker registers
 * tsx's loader before importing it, since loaders given to the main thread do not reach workers.
 */
function startWorker(limits: ImportLimits): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb } };
  if (!workerFile.pathname.endsWith('.ts')) return new Worker(workerFile, options);
  return new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); });`,
    { ...options, eval: true });
}

/** tsx's ESM API (its `register`), found through the package's own exports map. */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

function fromAnswer(answer: ReadAnswer, limits: ImportLimits): SourceTable {
  if (answer.ok) return answer.table;
  if ('refusal' in answer) {
    const r = answer.refusal;
    throw new HttpError(r.status, r.code, r.message, r.field, r.headers, r.details);
  }
  // A string or array past V8's sizes, a stack exhausted: the file needs more than a worker has.
  if (answer.failure.name === 'RangeError') throw outOfMemory(limits);
  // A parser failing on a file is the file's fault as far as the client can act on it; the
  // stack is logged for whoever maintains the parsers.
  console.error(`import: reading a file failed: ${answer.failure.stack ?? answer.failure.message}`);
  throw refusal(400, 'unreadable_file', { reason: answer.failure.message }, { field: 'file' });
}

function outOfMemory(limits: ImportLimits): HttpError {
  console.warn(`import: reading a file needed more than ${limits.workerHeapMb} MB; its worker was stopped`);
  return overLimit('import_out_of_memory', { mb: limits.workerHeapMb }, 'workerHeapMb', limits.workerHeapMb);
}

/**
 * One file read by `worker`, within its heap and the deadline. Resolves with the table and
 * whether the worker may read another file (not after it was ended, failed or was aborted).
 */
function readOnce(worker: Worker, bytes: Uint8Array, options: ReadOptions, limits: ImportLimits, signal: AbortSignal): Promise<{ table?: SourceTable; error?: unknown; reusable: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (reusable: boolean, outcome: () => SourceTable) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', abort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      try { resolve({ table: outcome(), reusable }); } catch (error) { resolve({ error, reusable }); }
    };
    const rows: SourceRecord[] = [];
    const onMessage = (m: ReadAnswer | RowsPart) => {
      if ('rows' in m) {
        for (const r of m.rows) rows.push(r);
        // The next slice once other work has had its turn.
        setImmediate(() => { if (!settled) worker.postMessage(MORE); });
        return;
      }
      settle(true, () => {
        const table = fromAnswer(m, limits);
        table.records = rows;
        return table;
      });
    };
    const onError = (err: Error & { code?: string }) => settle(false, () => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') throw outOfMemory(limits);
      return fromAnswer({ ok: false, failure: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) } }, limits);
    });
    // A worker that ends without a word was ended from outside (by its heap limit, or the process).
    const onExit = () => settle(false, () => { throw outOfMemory(limits); });
    const abort = () => settle(false, () => { throw new ImportAborted(); });
    const deadline = setTimeout(() => settle(false, () => {
      console.warn(`import: reading a file took more than ${limits.readTimeoutSeconds} s; its worker was stopped`);
      throw overLimit('import_timeout', { seconds: limits.readTimeoutSeconds }, 'readTimeoutSeconds', limits.readTimeoutSeconds);
    }), limits.readTimeoutSeconds * 1000);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    signal.addEventListener('abort', abort);
    // The worker gets a copy of its own, transferred rather than copied again.
    const copy = new Uint8Array(bytes);
    worker.postMessage({ bytes: copy, options, limits } satisfies ReadJob, [copy.buffer as ArrayBuffer]);
  });
}

export function fileReader(limits: ImportLimits): FileReader {
  let busy = 0;
  const waiting: (() => void)[] = [];
  const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
  /** A slot for one read; a slot given up goes straight to the next in line. */
  const acquire = async () => {
    if (busy < limits.workers) {
      busy++;
      return;
    }
    if (waiting.length >= limits.workers * QUEUE_PER_WORKER) {
      throw refusal(503, 'service_busy', { seconds: RETRY_AFTER_SECONDS }, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  };
  const forget = (worker: Worker) => {
    const i = idle.findIndex((e) => e.worker === worker);
    if (i < 0) return;
    clearTimeout(idle[i]!.timer);
    idle.splice(i, 1);
  };
  /** An idle worker, or a new one; it keeps the process alive only while it works. */
  const take = (): Worker => {
    const spare = idle.pop();
    if (spare) clearTimeout(spare.timer);
    let worker = spare?.worker;
    if (!worker) {
      worker = startWorker(limits);
      // An idle worker that ends (its idle time out, or anything else) is not handed out again.
      worker.once('exit', () => forget(worker!));
    }
    worker.ref();
    return worker;
  };
  const giveBack = (worker: Worker) => {
    worker.unref();
    idle.push({ worker, timer: setTimeout(() => void worker.terminate(), IDLE_MS).unref() });
  };
  return {
    async read(bytes, options, signal) {
      await acquire();
      try {
        if (signal.aborted) throw new ImportAborted();
        const worker = take();
        const { table, error, reusable } = await readOnce(worker, bytes, options, limits, signal);
        if (reusable) giveBack(worker);
        else void worker.terminate();
        if (error !== undefined) throw error;
        return table!;
      } finally {
        release();
      }
    },
  };
}
