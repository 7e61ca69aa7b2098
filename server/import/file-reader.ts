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
import type { ReadAnswer, ReadJob } from './read-worker.js';
import type { SourceTable } from './table.js';

/**
 * Reads import files in worker threads, so that the worst file costs a worker and never the
 * server: each file gets a worker of its own with a heap of IMPORT_WORKER_HEAP_MB and
 * IMPORT_READ_TIMEOUT seconds; a worker that runs out of heap or time is ended and the import
 * answered 413 (nothing is written: reading comes before the transaction). At most
 * IMPORT_WORKERS files are read at once, so that their heaps add up to a known bound; others
 * wait their turn, and past a short queue the answer is 503 with Retry-After.
 */

export interface FileReader {
  read(bytes: Uint8Array, options: ReadOptions, signal: AbortSignal): Promise<SourceTable>;
}

/** Imports waiting for a worker, per worker, before more are turned away. */
const QUEUE_PER_WORKER = 4;
const RETRY_AFTER_SECONDS = 10;

const workerFile = new URL(`./read-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker running read-worker. Run from TypeScript sources (tsx, vitest), the worker registers
 * tsx's loader before importing it, since loaders given to the main thread do not reach workers.
 */
function startWorker(job: ReadJob, limits: ImportLimits): Worker {
  const options = {
    workerData: job,
    transferList: [job.bytes.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb },
  };
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

/** One file read in one worker, within the heap and the deadline. */
function readOnce(bytes: Uint8Array, options: ReadOptions, limits: ImportLimits, signal: AbortSignal): Promise<SourceTable> {
  return new Promise((resolve, reject) => {
    // The worker gets a copy of its own (transferred, not copied again), whatever buffer the bytes lie in.
    const worker = startWorker({ bytes: new Uint8Array(bytes), options, limits }, limits);
    let settled = false;
    const settle = (outcome: () => SourceTable) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', abort);
      void worker.terminate();
      try { resolve(outcome()); } catch (err) { reject(err); }
    };
    const abort = () => settle(() => { throw new ImportAborted(); });
    const deadline = setTimeout(() => {
      console.warn(`import: reading a file took more than ${limits.readTimeoutSeconds} s; its worker was stopped`);
      settle(() => { throw overLimit('import_timeout', { seconds: limits.readTimeoutSeconds }, 'readTimeoutSeconds', limits.readTimeoutSeconds); });
    }, limits.readTimeoutSeconds * 1000);
    signal.addEventListener('abort', abort);
    worker.once('message', (answer: ReadAnswer) => settle(() => fromAnswer(answer, limits)));
    worker.once('error', (err: Error & { code?: string }) => settle(() => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') throw outOfMemory(limits);
      return fromAnswer({ ok: false, failure: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) } }, limits);
    }));
    // A worker that ends without a word was ended from outside (by its heap limit, or the process).
    worker.once('exit', () => settle(() => { throw outOfMemory(limits); }));
  });
}

export function fileReader(limits: ImportLimits): FileReader {
  let running = 0;
  const waiting: (() => void)[] = [];
  /** A slot for one worker; a slot given up goes straight to the next in line. */
  const acquire = async () => {
    if (running < limits.workers) {
      running++;
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
    else running--;
  };
  return {
    async read(bytes, options, signal) {
      await acquire();
      try {
        if (signal.aborted) throw new ImportAborted();
        return await readOnce(bytes, options, limits, signal);
      } finally {
        release();
      }
    },
  };
}
