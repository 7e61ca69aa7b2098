import { request } from 'node:http';
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

/** One request on a connection of its own: the status and the body's bytes; rejects when there is no answer. */
function call(url: string, method: string, headers: Record<string, string>, body?: string | Uint8Array, timeoutMs = 600_000): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // A server may answer (413) and close before a large body is sent: the answer is what counts.
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.end(body);
  });
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
