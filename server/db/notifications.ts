import pg from 'pg';
import type { LogEvent } from '../log.js';
import type { Listener } from './db.js';

/** Waits before connecting again after the listening connection was lost: 0.5 s, doubling to 5 s. */
const retryDelay = (attempt: number) => Math.min(500 * 2 ** attempt, 5000);

/**
 * One connection of its own (outside the pool, which hands connections from query to query)
 * that LISTENs on every channel asked for and passes each NOTIFY on. When it breaks, listeners
 * hear `lost` at once and `listening` once it is back and subscribed again.
 */
export class Notifications {
  private readonly channels = new Map<string, Set<Listener>>();
  private client: pg.Client | undefined;
  private connected = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly config: pg.ClientConfig, private readonly log: LogEvent) {}

  listen(channel: string, on: Listener): () => void {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(on);
    if (this.connected) {
      this.client!.query(`LISTEN ${pg.escapeIdentifier(channel)}`).then(() => on.listening(), (err: Error) => this.drop(err));
    } else if (!this.client && !this.retry) {
      void this.connect();
    }
    return () => void set.delete(on);
  }

  private async connect(): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (n) => {
      for (const on of this.channels.get(n.channel) ?? []) on.message(n.payload ?? '');
    });
    client.on('error', (err) => this.drop(err));
    client.on('end', () => this.drop(new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.drop(err as Error);
      return;
    }
    if (this.client !== client) return;
    if (this.attempt > 0) this.log('info', 'db.listening', { channels: [...this.channels.keys()].join(',') });
    this.connected = true;
    this.attempt = 0;
    for (const set of this.channels.values()) for (const on of set) on.listening();
  }

  private drop(err: Error): void {
    const client = this.client;
    if (!client || this.closed) return;
    this.client = undefined;
    const wasConnected = this.connected;
    this.connected = false;
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => undefined);
    if (wasConnected) {
      this.log('warn', 'db.listen_lost', { reason: err.message });
      for (const set of this.channels.values()) for (const on of set) on.lost();
    }
    this.retry = setTimeout(() => void this.connect(), retryDelay(this.attempt++));
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }
}
