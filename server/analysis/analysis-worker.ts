/**
 * A thread that computes analyses (threads.ts), so that their arithmetic — a kernel density
 * over 100,000 cells, Gi* on 20,000, re-aiming 200 cameras — never holds up the request thread.
 * The database stays with the request thread: statements go there and their rows come back.
 */
import { parentPort } from 'node:worker_threads';
import type { Queryable } from '../db/db.js';
import { answerFor } from '../http/errors.js';
import { fromFields } from '../threads/errors.js';
import { yieldCpuToRequests } from '../threads/nice.js';
import { ANALYSES } from './endpoints.js';
import type { FromThread, ToThread } from './thread-protocol.js';

// Heavy work: on a busy machine, answering requests comes first.
yieldCpuToRequests();
const port = parentPort!;
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (err: Error) => void }>();
let nextId = 1;

const db: Queryable = {
  query<T>(sql: string, params: unknown[] = []) {
    const id = nextId++;
    return new Promise<{ rows: T[] }>((resolve, reject) => {
      waiting.set(id, { resolve: (rows) => resolve({ rows: rows as T[] }), reject });
      post({ type: 'query', id, sql, params });
    });
  },
  async exec(sql: string) {
    await db.query(sql);
  },
};

async function run(name: string, m: Extract<ToThread, { type: 'run' }>): Promise<void> {
  try {
    const answer = await ANALYSES[name]!.run(db, m.principal, m.input);
    // Encoded here too: a large answer's JSON is work the request thread is spared.
    const json = new TextEncoder().encode(JSON.stringify(answer));
    post({ type: 'answer', json }, [json.buffer as ArrayBuffer]);
  } catch (err) {
    const h = answerFor(err);
    post({ type: 'refused', error: { status: h.status, code: h.code, message: h.message, field: h.field, headers: h.headers, details: h.details } });
  }
}

port.on('message', (m: ToThread) => {
  if (m.type === 'run') {
    void run(m.name, m);
    return;
  }
  // A statement's error keeps its fields (code 22P02, …), so answerFor maps it as it would here.
  const call = waiting.get(m.id);
  waiting.delete(m.id);
  if (m.type === 'rows') call?.resolve(m.rows);
  else call?.reject(fromFields(m.error));
});
