/**
 * The thread that derives scrypt keys (scrypt-thread.ts): one at a time, at a lower CPU
 * priority than the request thread, so that a flood of sign-ins, each costing a core for about
 * 50 ms, cannot take the cores that answer everyone's requests.
 */
import { scryptSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { yieldCpuToRequests } from '../threads/nice.js';
import type { ScryptJob, ScryptResult } from './scrypt-thread.js';

// Heavy work: on a busy machine, answering requests comes first.
yieldCpuToRequests();
const port = parentPort!;

port.on('message', (job: ScryptJob) => {
  let result: ScryptResult;
  try {
    const key = scryptSync(job.password, job.salt, job.length, job.params);
    result = { id: job.id, key: new Uint8Array(key) };
  } catch (err) {
    result = { id: job.id, error: (err as Error).message };
  }
  port.postMessage(result);
});
