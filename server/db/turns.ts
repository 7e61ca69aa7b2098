import { currentPriority, type Priority } from './priority.js';

/**
 * Turns at a database that does one thing at a time (embedded PGlite): a turn is one statement
 * or one whole transaction. Waiting interactive turns are given before background ones, each
 * kind first come first served, so a tile or a sign-in waits for at most the statement in
 * progress, not for every queued statement of an analysis or an export.
 */
export class Turns {
  private readonly waiting: Record<Priority, (() => void)[]> = { interactive: [], background: [] };
  private held = false;

  /** Resolves when it is the caller's turn (at the priority of its work); call the returned function to end it. */
  async take(): Promise<() => void> {
    const priority = currentPriority();
    // A turn passes straight from its holder to the next in line, so nobody can slip in between.
    if (this.held) await new Promise<void>((granted) => this.waiting[priority].push(granted));
    else this.held = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const next = this.waiting.interactive.shift() ?? this.waiting.background.shift();
      this.held = next !== undefined;
      next?.();
    };
  }

  /** Runs fn in a turn of its own. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const end = await this.take();
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** Whether a statement or transaction has the database now. */
  get busy(): boolean {
    return this.held;
  }
}
