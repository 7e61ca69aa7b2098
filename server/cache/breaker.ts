import type { LogEvent } from '../log.js';

export interface BreakerOptions {
  /** What it guards, for the log (`redis`). */
  dependency: string;
  /** How long the dependency is left alone after a failure before it is probed. */
  retryMs: number;
  /** A cheap command that resolves when the dependency answers in time (Redis: PING). */
  probe: () => Promise<unknown>;
  log: LogEvent;
  /**
   * Starts open for this reason until the first probe succeeds (a connection still being
   * made): callers do without the dependency meanwhile instead of failing on it.
   */
  startOpen?: string;
}

export interface BreakerState {
  open: boolean;
  /** When it opened (ISO time), while open. */
  since?: string;
  /** The failure that opened it, while open. */
  reason?: string;
}

/**
 * A circuit breaker: the first failure (an error or a timeout) opens it, and while it is open
 * callers do without the dependency instead of waiting on it. Every `retryMs` a probe is sent
 * (half-open); the first that succeeds closes it. Probes run on a timer, never on a caller's
 * request, so nobody waits for a dependency that has not proved it answers again.
 */
export class Breaker {
  private openedAt: number | null = null;
  private reason = '';
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  /** Whether the log has heard why it is open (not yet while still connecting at start). */
  private announced = true;

  constructor(private readonly o: BreakerOptions) {
    if (o.startOpen) {
      this.openedAt = Date.now();
      this.reason = o.startOpen;
      this.announced = false;
      this.schedule();
    }
  }

  get isOpen(): boolean {
    return this.openedAt !== null;
  }

  state(): BreakerState {
    if (this.openedAt === null) return { open: false };
    return { open: true, since: new Date(this.openedAt).toISOString(), reason: this.reason };
  }

  /** Opens on a failure (already open: nothing changes, but a failure to connect at start is logged). */
  trip(err: Error): void {
    if (this.stopped || (this.openedAt !== null && this.announced)) return;
    this.reason = err.message;
    this.announced = true;
    this.o.log('warn', 'breaker.open', { dependency: this.o.dependency, reason: err.message, retry_ms: this.o.retryMs });
    if (this.openedAt !== null) return;
    this.openedAt = Date.now();
    this.schedule();
  }

  /** Probes at once if open (the dependency says it is back, e.g. reconnected). */
  probeNow(): void {
    if (this.openedAt === null || this.probing || this.stopped) return;
    clearTimeout(this.timer);
    void this.probe();
  }

  /** No more probes (shutting down). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.probe(), this.o.retryMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.probing = true;
    try {
      await this.o.probe();
    } catch {
      if (!this.stopped) this.schedule();
      return;
    } finally {
      this.probing = false;
    }
    if (this.stopped || this.openedAt === null) return;
    const openMs = Date.now() - this.openedAt;
    this.openedAt = null;
    // Connected at start without a failure: nothing was said, nothing to take back.
    if (this.announced) this.o.log('info', 'breaker.closed', { dependency: this.o.dependency, open_ms: openMs });
    this.announced = true;
  }
}
