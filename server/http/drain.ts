import type { Server } from 'node:http';

/** Counts the requests being answered, for a graceful stop. */
export function countRequests(server: Server): () => number {
  let inFlight = 0;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });
  return () => inFlight;
}

/**
 * Stops accepting connections and lets the requests in flight finish: idle keep-alive
 * connections are closed at once and busy ones after their answer (the app sets
 * `Connection: close` while stopping). Past `deadlineMs` the remaining connections are cut.
 * Resolves with the number of requests cut.
 */
export async function drain(server: Server, inFlight: () => number, deadlineMs: number): Promise<number> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A connection that finishes its request between two checks is idle until the next.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), deadlineMs); });
  try {
    if ((await Promise.race([closed, late])) !== 'late') return 0;
    const cut = inFlight();
    server.closeAllConnections();
    await closed;
    return cut;
  } finally {
    clearInterval(idle);
    clearTimeout(timer);
  }
}
