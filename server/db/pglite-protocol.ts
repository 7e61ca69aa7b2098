import type { ErrorFields } from '../threads/errors.js';

/**
 * What the main thread and the thread that owns the embedded database (pglite-worker.ts) say
 * to each other. The main thread decides whose turn it is (server/db/turns.ts): a statement, or
 * a transaction's statements between its begin and its commit or rollback. PGlite itself keeps
 * the order of what arrives within a turn.
 */
export type Request =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'copy'; table: string; columns: readonly string[]; rows: string }
  | { id: number; op: 'begin' | 'commit' | 'rollback' | 'dump' | 'close' | 'yield-cpu' };

export type Reply =
  | { id: number; ok: true; rows?: unknown[]; dump?: ArrayBuffer }
  | { id: number; ok: false; error: ErrorFields };

/** The first message from the thread: open, or why not. */
export type Opened = { opened: true } | { opened: false; error: ErrorFields };

export interface WorkerInput {
  dataDir?: string;
  /** A dump (dumpDataDir) to start from. */
  loadDataDir?: ArrayBuffer;
  timeZone: string;
  /** Give way to the request thread from the start; otherwise only once told ('yield-cpu'). */
  yieldCpu: boolean;
}
