import { createServer, type Server, type Socket } from 'node:net';

/**
 * A slow mobile link in front of a local server, at the TCP level, so it holds for every request
 * the browser makes (MapLibre's worker fetches tiles outside the page, where DevTools'
 * throttling does not reach): each direction delayed by half the round trip, and everything sent
 * to the browser sharing one downlink of `downKbps`, as on one phone's connection.
 */
export interface LinkProfile { rttMs: number; downKbps: number }

/** Chrome DevTools' "Slow 4G"-like profile the issue names: 150 ms RTT, 1.6 Mbit/s down. */
export const SLOW_4G: LinkProfile = { rttMs: 150, downKbps: 1600 };

const TICK_MS = 5;

export async function slowLink(target: { host: string; port: number }, profile: LinkProfile):
  Promise<{ port: number; bytesDown: () => number; close: () => Promise<void> }> {
  const half = profile.rttMs / 2;
  const bytesPerTick = (profile.downKbps * 1000) / 8 / (1000 / TICK_MS);
  // Chunks on their way to the browser, in arrival order: delivered after half the round trip,
  // as fast as the shared downlink allows.
  const queue: { socket: Socket; chunk: Buffer; at: number; end?: boolean }[] = [];
  const sockets = new Set<Socket>();
  let budget = 0;
  let down = 0;
  const pump = setInterval(() => {
    budget = Math.min(budget + bytesPerTick, bytesPerTick * 4);
    const now = performance.now();
    while (queue.length && queue[0]!.at <= now) {
      const head = queue[0]!;
      if (head.end) {
        queue.shift();
        head.socket.end();
        continue;
      }
      if (budget <= 0) break;
      const n = Math.min(head.chunk.length, Math.floor(budget) || 1);
      if (!head.socket.destroyed) head.socket.write(head.chunk.subarray(0, n));
      budget -= n;
      down += n;
      if (n === head.chunk.length) queue.shift();
      else head.chunk = head.chunk.subarray(n);
    }
  }, TICK_MS);

  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = new (client.constructor as typeof Socket)();
    sockets.add(upstream);
    upstream.connect(target.port, target.host);
    client.on('data', (chunk) => { setTimeout(() => upstream.write(chunk), half); });
    client.on('end', () => setTimeout(() => upstream.end(), half));
    upstream.on('data', (chunk) => queue.push({ socket: client, chunk, at: performance.now() + half }));
    upstream.on('end', () => queue.push({ socket: client, chunk: Buffer.alloc(0), at: performance.now() + half, end: true }));
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    /** Every byte sent down the link so far: what the phone received, headers and all. */
    bytesDown: () => down,
    close: () => new Promise<void>((resolve) => {
      clearInterval(pump);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
