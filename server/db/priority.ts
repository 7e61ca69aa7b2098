import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How urgently a piece of work needs the database. Interactive work is what a person waits on
 * while looking at the map (tiles, features, sign-in, health); background work is what they
 * expect to take a while (analysis, imports, exports, roll-ups). Where the database can run
 * only one statement at a time (embedded PGlite), queued interactive statements go first.
 */
export type Priority = 'interactive' | 'background';

const current = new AsyncLocalStorage<Priority>();

/** Runs fn, and everything it starts, as background work. */
export function inBackground<T>(fn: () => T): T {
  return current.run('background', fn);
}

/** The priority of the work now running: interactive unless started by inBackground. */
export function currentPriority(): Priority {
  return current.getStore() ?? 'interactive';
}
