import type { Worker } from 'node:worker_threads';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { inBackground } from '../db/priority.js';
import { HttpError } from '../http/errors.js';
import { startWorker } from '../threads/start.js';
import { errorFields } from '../threads/errors.js';
import type { FromThread, ToThread } from './thread-protocol.js';

/** An analysis thread's heap; past it the thread dies and its request fails, the service does not. */
const HEAP_MB = 2048;

/**
 * Threads that compute analyses (analysis-worker.ts), one job each at a time, started when
 * first needed and kept. Their statements run here, on `db`, as background work.
 */
export class AnalysisThreads {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private started = 0;

  constructor(private readonly db: Queryable, private readonly size: number) {}

  /** The answer of analysis `name` as JSON bytes; its refusals as HttpErrors. */
  async run(name: string, principal: Principal, input: unknown): Promise<Buffer> {
    const worker = await this.take();
    let healthy = true;
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const onMessage = (m: FromThread) => {
          if (m.type === 'query') {
            inBackground(() => this.db.query(m.sql, m.params)).then(
              ({ rows }) => worker.postMessage({ type: 'rows', id: m.id, rows } satisfies ToThread),
              (err: unknown) => worker.postMessage({ type: 'failed', id: m.id, error: errorFields(err) } satisfies ToThread));
            return;
          }
          done();
          if (m.type === 'answer') resolve(Buffer.from(m.json.buffer, m.json.byteOffset, m.json.byteLength));
          else reject(new HttpError(m.error.status, m.error.code, m.error.message, m.error.field, m.error.headers, m.error.details));
        };
        const onExit = (code: number) => {
          done();
          healthy = false;
          reject(new Error(`analysis thread exited (code ${code}) while computing ${name}`));
        };
        const done = () => {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('exit', onExit);
        worker.postMessage({ type: 'run', name, principal, input } satisfies ToThread);
      });
    } finally {
      this.give(worker, healthy);
    }
  }

  private take(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.started < this.size) {
      this.started++;
      const worker = startWorker(new URL('./analysis-worker.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
      // Idle threads do not keep the process alive.
      worker.unref();
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private give(worker: Worker, healthy: boolean): void {
    if (!healthy) {
      this.started--;
      const next = this.waiting.shift();
      if (next) void this.take().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }
}
