import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Runs the calling thread at a lower CPU priority than the request thread, so that on a small,
 * busy machine the scheduler gives a core to answering requests (cached tiles, health) before
 * heavy work. On Linux a thread has a nice value of its own, set through its thread id; where
 * that is not so (or not allowed), the thread keeps its priority.
 */
export function yieldCpuToRequests(nice = 10): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, nice);
  } catch {
    // Not Linux: nothing to do.
  }
}
