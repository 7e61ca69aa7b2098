import type { ScryptOptions } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start.js';

export interface ScryptJob {
  id: number;
  password: string;
  salt: Uint8Array;
  length: number;
  params: ScryptOptions;
}

export type ScryptResult = { id: number; key: Uint8Array } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (key: Buffer) => void; reject: (err: Error) => void }>();

function thread(): Worker {
  if (worker) return worker;
  const w = startWorker(new URL('./scrypt-worker.ts', import.meta.url));
  w.on('message', (r: ScryptResult) => {
    const call = waiting.get(r.id);
    waiting.delete(r.id);
    if (waiting.size === 0) w.unref();
    if ('key' in r) call?.resolve(Buffer.from(r.key));
    else call?.reject(new Error(r.error));
  });
  w.on('exit', (code) => {
    worker = undefined;
    for (const call of waiting.values()) call.reject(new Error(`the password thread exited (code ${code})`));
    waiting.clear();
  });
  return (worker = w);
}

/**
 * scrypt in a thread of its own at a lower CPU priority (scrypt-worker.ts), one key at a time,
 * instead of Node's shared thread pool, where it would compete with the request thread and
 * with compressing tiles on equal terms.
 */
export function scryptInThread(password: string, salt: Buffer, length: number, params: ScryptOptions): Promise<Buffer> {
  const w = thread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    // The thread keeps the process alive while it has work, and only then.
    if (waiting.size === 0) w.ref();
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, password, salt: new Uint8Array(salt), length, params } satisfies ScryptJob);
  });
}
