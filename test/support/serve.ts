import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisBuckets } from '../../server/limits/redis-buckets.js';
import { MemoryBuckets, type Buckets } from '../../server/limits/token-bucket.js';

export interface Served {
  url: string;
  /**
   * A request from `address` (sent as X-Forwarded-For, which the app believes from loopback, as
   * it would from a proxy there); resolves with the status, headers and parsed JSON body.
   */
  send(path: string, opts?: { method?: string; body?: unknown; address?: string; token?: string; signal?: AbortSignal }): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** Serves an app on a free loopback port, for tests that need real concurrent connections. */
export async function serve(app: RequestListener): Promise<Served> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async send(path, { method = 'GET', body, address, token, signal } = {}) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (address) headers['X-Forwarded-For'] = address;
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {} };
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export const testPrefix = () => `test-${randomBytes(4).toString('hex')}:`;

const inMemory = new Map<string, MemoryBuckets>();

/**
 * Budget buckets as the service keeps them: in Redis when REDIS_URL is set (under `prefix`, so
 * two calls with one prefix are two instances' connections to the same buckets), else in memory
 * (one store per prefix, standing in for what instances would share).
 */
export async function testBuckets(prefix = testPrefix()): Promise<Buckets> {
  const url = process.env.REDIS_URL;
  if (url) {
    // Connected, so that no request is counted locally while it connects.
    const buckets = new RedisBuckets(url, prefix);
    while (!buckets.available) await new Promise((r) => setTimeout(r, 10));
    return buckets;
  }
  let memory = inMemory.get(prefix);
  if (!memory) inMemory.set(prefix, (memory = new MemoryBuckets()));
  return memory;
}
