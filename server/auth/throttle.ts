/**
 * Slows password guessing: after MAX_FAILURES failed sign-ins for one username within WINDOW_MS,
 * further attempts wait until the window has passed. Per process; behind a load balancer each
 * instance counts separately, which still bounds guessing to MAX_FAILURES × instances per window.
 */
const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
/** Past this many usernames, those whose failures have all aged out are forgotten. */
const SWEEP_ABOVE = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  private recent(username: string, now: number): number[] {
    const list = (this.failures.get(username) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length) this.failures.set(username, list);
    else this.failures.delete(username);
    return list;
  }

  retryAfterSeconds(username: string, now = Date.now()): number {
    const list = this.recent(username, now);
    return list.length >= MAX_FAILURES ? Math.ceil((list[0]! + WINDOW_MS - now) / 1000) : 0;
  }

  failed(username: string, now = Date.now()): void {
    // Guesses at many made-up usernames must not grow the map without end.
    if (this.failures.size >= SWEEP_ABOVE) for (const name of [...this.failures.keys()]) this.recent(name, now);
    this.failures.set(username, [...this.recent(username, now), now]);
  }

  succeeded(username: string): void {
    this.failures.delete(username);
  }
}
