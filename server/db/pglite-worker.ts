/**
 * The thread that owns the embedded database. PGlite is PostgreSQL compiled to WebAssembly and
 * runs a statement synchronously to its end: on the request thread a 2-second statement would
 * stop every other answer for 2 seconds, cached tiles included. Here it stops only this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { errorFields } from '../threads/errors.js';
import { yieldCpuToRequests } from '../threads/nice.js';
import type { Opened, Reply, Request, WorkerInput } from './pglite-protocol.js';

const input = workerData as WorkerInput;
// Heavy work: on a busy machine, answering requests comes first.
if (input.yieldCpu) yieldCpuToRequests();
const port = parentPort!;

/** The open transaction: its handle, and how to end it (true: commit). */
interface Open {
  tx: Transaction;
  end: (commit: boolean) => void;
  ended: Promise<void>;
}

/** Thrown inside PGlite's transaction to make it roll back. */
const ROLLBACK = Symbol('rollback');

async function begin(pg: PGlite): Promise<Open> {
  return new Promise<Open>((started, failed) => {
    let end!: (commit: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => (end = resolve));
    const ended = pg.transaction(async (tx) => {
      started({ tx, end, ended });
      if (!(await outcome)) throw ROLLBACK;
    }).then(() => undefined, (err: unknown) => {
      if (err !== ROLLBACK) throw err;
    });
    // A failure before the transaction opened (BEGIN itself) rejects the start.
    ended.catch(failed);
  });
}

async function main(): Promise<void> {
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      dataDir: input.dataDir,
      loadDataDir: input.loadDataDir ? new Blob([input.loadDataDir]) : undefined,
      extensions: { postgis },
    });
    await pg.exec(`SET TimeZone = '${input.timeZone}'`);
  } catch (err) {
    port.postMessage({ opened: false, error: errorFields(err) } satisfies Opened);
    return;
  }
  let open: Open | undefined;

  async function handle(req: Request): Promise<Omit<Reply & { ok: true }, 'id' | 'ok'>> {
    const q = open?.tx ?? pg;
    switch (req.op) {
      case 'query':
        return { rows: (await q.query(req.sql, req.params)).rows };
      case 'exec':
        await q.exec(req.sql);
        return {};
      case 'copy':
        // PGlite reads COPY … FROM '/dev/blob' from the blob given with the statement.
        await q.query(`COPY ${req.table} (${req.columns.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([req.rows]) });
        return {};
      case 'begin':
        open = await begin(pg);
        return {};
      case 'commit':
      case 'rollback': {
        const ending = open!;
        open = undefined;
        ending.end(req.op === 'commit');
        await ending.ended;
        return {};
      }
      case 'dump': {
        const dump = await (await pg.dumpDataDir('gzip')).arrayBuffer();
        return { dump };
      }
      case 'yield-cpu':
        yieldCpuToRequests();
        return {};
      case 'close':
        await pg.close();
        return {};
    }
  }

  port.on('message', (req: Request) => {
    handle(req).then(
      (result) => {
        const reply: Reply = { id: req.id, ok: true, ...result };
        port.postMessage(reply, result.dump ? [result.dump] : []);
        if (req.op === 'close') port.close();
      },
      (err: unknown) => port.postMessage({ id: req.id, ok: false, error: errorFields(err) } satisfies Reply));
  });
  port.postMessage({ opened: true } satisfies Opened);
}

void main();
