import type { RequestHandler, Response } from 'express';
import { inBackground } from '../db/priority.js';
import { refusal } from '../http/messages.js';

/**
 * At most `concurrency` jobs of a kind at a time, and at most `queue` more waiting; past that
 * a request is refused at once with 503 and a Retry-After estimated from how long recent jobs
 * took, instead of piling up until everything times out.
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Moving average of a job's duration, for Retry-After. */
  private averageMs = 1000;
  private warnedAt = -Infinity;

  /** `name` says what the slots are for in the log: `heavy jobs`, `password checks`. */
  constructor(readonly name: string, readonly concurrency: number, readonly queue: number) {}

  /**
   * Resolves with the function that frees the slot once the caller has one; rejects with 503 when
   * the queue is full. An aborted signal takes a waiting caller out of the queue.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        const seconds = Math.min(60, Math.max(1, Math.ceil((this.averageMs * (this.waiting.length / this.concurrency + 1)) / 1000)));
        // Once a minute at most: a flood would otherwise write a line per request.
        if (performance.now() - this.warnedAt > 60_000) {
          this.warnedAt = performance.now();
          console.warn(`${this.name}: ${this.running} running and ${this.waiting.length} waiting, the most allowed; refusing more with 503 for now`);
        }
        throw refusal(503, 'service_busy', { seconds }, { headers: { 'Retry-After': String(seconds) } });
      }
      await new Promise<void>((start, cancel) => {
        this.waiting.push(start);
        signal?.addEventListener('abort', () => {
          const at = this.waiting.indexOf(start);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          cancel(signal.reason);
        }, { once: true });
      });
    } else {
      this.running++;
    }
    const started = performance.now();
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
      // The slot passes straight to the next in line, so nobody can slip in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }

  /** For /api/health: jobs running and waiting, against their limits. */
  get state(): { running: number; waiting: number; limit: number; queue: number } {
    return { running: this.running, waiting: this.waiting.length, limit: this.concurrency, queue: this.queue };
  }

  /**
   * Holds a slot for the rest of the request, as background work (it yields the embedded
   * database to interactive requests), until the answer is sent or the client goes away.
   */
  hold(res: Response): Promise<void> {
    const gone = new AbortController();
    const onClose = () => gone.abort(new Error('the client went away'));
    res.once('close', onClose);
    return this.acquire(gone.signal).then((free) => {
      res.off('close', onClose);
      if (res.writableEnded || res.destroyed) free();
      else res.once('close', free);
    });
  }

  /** Express middleware: the rest of the route runs in a slot, in the background. */
  readonly middleware: RequestHandler = (_req, res, next) => {
    this.hold(res).then(() => inBackground(next), (err: unknown) => {
      if (!res.destroyed) next(err);
    });
  };
}
