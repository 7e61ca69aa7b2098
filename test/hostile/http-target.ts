import { connect } from 'node:net';
import type { Role } from '../../server/layers/types.js';
import type { HostileRequest } from './cases.js';
import type { Snapshot, Target } from './runner.js';

/**
 * A service under test reached over HTTP at `baseUrl`, signed in as the demo roles with
 * `password`. Its snapshot, unless one is given, is every layer's features as the admin lists
 * them (rows and the sum of their versions): what a client can see of a write. Each request has
 * a connection of its own: a kept-alive one may be closed by the server while a large case is
 * being built, and a failed request would then be the client's doing, not the server's.
 */

/**
 * One request on a connection of its own, written while the answer is read, as curl does: a
 * server may answer 413 and close before a large body is sent, and the answer is what counts
 * (Node's http client would report only the broken pipe). Resolves with the status and the
 * body; rejects when there is no answer at all.
 */
function call(url: string, method: string, headers: Record<string, string>, body?: string | Uint8Array, timeoutMs = 600_000): Promise<{ status: number; body: Buffer }> {
  const { hostname, port, pathname, search } = new URL(url);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const head = [`${method} ${pathname}${search} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', `Content-Length: ${payload.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // Writing may fail once the server has answered and closed: what it answered is still read.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(raw.subarray(0, 20).toString('latin1'))?.[1];
      if (split < 0 || !status) {
        reject(new Error('the server closed the connection without an answer'));
        return;
      }
      const chunked = /^transfer-encoding:\s*chunked/im.test(raw.subarray(0, split).toString('latin1'));
      resolve({ status: Number(status), body: chunked ? unchunk(raw.subarray(split + 4)) : raw.subarray(split + 4) });
    });
    // Not ended: a server may take a half-closed connection for a client gone. It closes the
    // connection itself after its answer (Connection: close).
    socket.write(head);
    socket.write(payload);
  });
}

/** A chunked transfer-encoded body, joined. */
function unchunk(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < b.length;) {
    const eol = b.indexOf('\r\n', at);
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export async function httpTarget(baseUrl: string, password: string, snapshot?: () => Promise<Snapshot>): Promise<Target> {
  const tokens = new Map<Role, string>();
  for (const role of ['admin', 'planner', 'officer', 'community'] as const) {
    const res = await call(`${baseUrl}/api/login`, 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ username: role, password }));
    if (res.status !== 200) throw new Error(`cannot sign in as ${role}: ${res.status} ${res.body.toString()}`);
    tokens.set(role, (JSON.parse(res.body.toString()) as { token: string }).token);
  }
  const auth = (role: Role): Record<string, string> => (tokens.has(role) ? { Authorization: `Bearer ${tokens.get(role)}` } : {});
  const get = async (role: Role, path: string) => {
    const res = await call(`${baseUrl}${path}`, 'GET', auth(role));
    if (res.status !== 200) throw new Error(`GET ${path} as ${role}: ${res.status}`);
    return new Uint8Array(res.body);
  };
  const listed = async (): Promise<Snapshot> => {
    const out: Snapshot = {};
    const { layers } = JSON.parse(Buffer.from(await get('admin', '/api/layers')).toString()) as { layers: { id: string }[] };
    for (const { id } of layers) {
      let rows = 0;
      let versions = 0;
      for (let path: string | undefined = `/api/layers/${id}/features?limit=10000`; path;) {
        const page = JSON.parse(Buffer.from(await get('admin', path)).toString()) as { features: { properties: { version: number } }[]; links: { rel: string; href: string }[] };
        rows += page.features.length;
        versions += page.features.reduce((s, f) => s + f.properties.version, 0);
        path = page.links.find((l) => l.rel === 'next')?.href;
      }
      out[id] = { rows, versions };
    }
    return out;
  };
  return {
    get,
    snapshot: snapshot ?? listed,
    async send(r: HostileRequest) {
      const res = await call(`${baseUrl}${r.path}`, r.method, { 'Content-Type': r.contentType, ...auth(r.role), ...r.headers }, r.body);
      const text = res.body.toString();
      let body: Record<string, any>;
      try { body = JSON.parse(text) as Record<string, any>; } catch { body = { text: text.slice(0, 300) }; }
      return { status: res.status, body };
    },
    async health() {
      try {
        return (await call(`${baseUrl}/api/health`, 'GET', {}, undefined, 10_000)).status;
      } catch {
        return 0;
      }
    },
  };
}
