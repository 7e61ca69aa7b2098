import { mkdir } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start.js';
import { lockDataDir } from './data-dir-lock.js';
import { TIME_ZONE, type Db, type Queryable, type Transaction } from './db.js';
import { fromFields } from '../threads/errors.js';
import type { Opened, Reply, Request, WorkerInput } from './pglite-protocol.js';
import { Turns } from './turns.js';

/**
 * Embedded PostgreSQL + PostGIS in WebAssembly. `dataDir` persists it on disk; without one it
 * lives in memory. `loadDataDir` starts from a dump (used by tests to skip migrations).
 */
export interface PgliteOptions {
  dataDir?: string;
  loadDataDir?: Blob;
  /**
   * The service's own start: its thread runs at full priority until serveRequestsFirst, since
   * nothing waits on the start but the start itself (creating the database and seeding the demo
   * take 0.5 s less on two cores). Otherwise it gives way to the request thread from the start.
   */
  startUpFirst?: boolean;
}

export interface EmbeddedDb extends Db {
  /** The whole database as a tarball, for loadDataDir. */
  dumpDataDir(): Promise<Blob>;
}

/** A request before the line numbers it (Omit applied to each kind of request). */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type Op = WithoutId<Request>;

/** Raised for every call once the database thread is gone; answered as 503 like a lost server. */
const gone = (why: string) => Object.assign(new Error(`the embedded database stopped: ${why}`), { code: '57P01' });

/** Requests to the database thread and their answers, matched by id. */
class Line {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply & { ok: true }) => void; reject: (e: Error) => void }>();
  private stopped: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply);
      else call.reject(fromFields(reply.error));
    });
    worker.on('error', (err) => this.stop(gone(err.message)));
    worker.on('exit', (code) => this.stop(gone(`exit code ${code}`)));
  }

  send(op: Op): Promise<Reply & { ok: true }> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...op, id });
    });
  }

  get alive(): boolean {
    return !this.stopped;
  }

  private stop(err: Error): void {
    this.stopped ??= err;
    for (const call of this.pending.values()) call.reject(this.stopped);
    this.pending.clear();
  }
}

function queryable(send: Line['send']): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return { rows: (await send({ op: 'query', sql, params })).rows as T[] };
    },
    async exec(sql: string) {
      await send({ op: 'exec', sql });
    },
  };
}

function transaction(send: Line['send']): Transaction {
  return {
    ...queryable(send),
    async copyFrom(table, columns, rows) {
      await send({ op: 'copy', table, columns, rows });
    },
  };
}

/**
 * PGlite in a thread of its own (pglite-worker.ts), so that its statements, which run
 * synchronously in WebAssembly, never hold up the request thread: cached tiles, health and
 * everything not needing the database are answered while an analysis or an import runs. The
 * database still does one statement (or transaction) at a time; Turns gives waiting
 * interactive work its turn before background work.
 */
export async function openPglite(opts: PgliteOptions = {}): Promise<EmbeddedDb> {
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  const release = opts.dataDir ? await lockDataDir(opts.dataDir) : async () => undefined;
  const input: WorkerInput = { dataDir: opts.dataDir, timeZone: TIME_ZONE, yieldCpu: !opts.startUpFirst };
  const transfer: ArrayBuffer[] = [];
  if (opts.loadDataDir) transfer.push((input.loadDataDir = await opts.loadDataDir.arrayBuffer()));
  const worker = startWorker(new URL('./pglite-worker.ts', import.meta.url), { workerData: input, transferList: transfer });
  const opened = await new Promise<Opened>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  if (!opened.opened) {
    await worker.terminate();
    await release();
    throw fromFields(opened.error);
  }
  const line = new Line(worker);
  const turns = new Turns();
  const send = (op: Op) => line.send(op);
  const own = queryable(send);
  const tx = transaction(send);
  const query: Db['query'] = (sql, params) => turns.run(() => own.query(sql, params));
  return {
    kind: 'pglite',
    query,
    exec: (sql) => turns.run(() => own.exec(sql)),
    async transaction(fn) {
      const end = await turns.take();
      try {
        await send({ op: 'begin' });
        let result;
        try {
          result = await fn(tx);
        } catch (err) {
          await send({ op: 'rollback' }).catch(() => undefined);
          throw err;
        }
        await send({ op: 'commit' });
        return result;
      } finally {
        end();
      }
    },
    // Busy is alive: the thread is in a statement (or a transaction) and answers when it ends.
    async ping() {
      if (!line.alive) throw gone('the thread has exited');
      if (!turns.busy) await query('SELECT 1');
    },
    async serveRequestsFirst() {
      await turns.run(() => send({ op: 'yield-cpu' }));
    },
    dumpDataDir: async () => new Blob([(await turns.run(() => send({ op: 'dump' }))).dump!]),
    async close() {
      if (!line.alive) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await turns.run(() => send({ op: 'close' }));
      await exited;
      await release();
    },
  };
}
