/**
 * The hostile side of the flood benchmark (flood.ts), in a process of its own so that its load
 * generator does not share an event loop with the one measuring tiles. Usage:
 *   tsx scripts/bench/flooder.ts <url> <search-analysis|login> <seconds> <clients> <address prefix>
 * Floods the service with `clients` connections, each request from one of `clients` addresses
 * (X-Forwarded-For, which the service believes from loopback), and prints its answers' status
 * counts as one JSON line (requests given up on after GIVE_UP_SECONDS count as `timeouts`).
 */
import autocannon from 'autocannon';

const [url, kind, seconds, clients, prefix] = process.argv.slice(2) as [string, 'search-analysis' | 'login', string, string, string];
const n = Number(clients);
let i = 0;
const random = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const words = ['民族', '中正', '公園', '派出所', '第1', 'P01', '路口', '里', '大樓', '監視'];

/** A request an attacker would send: parameters varied, so that no answer is the same as the last. */
function next(): { method: 'GET' | 'POST'; path: string; body?: string } {
  const k = i++;
  if (kind === 'login') {
    const username = k % 2 ? 'admin' : `guess-${k % 500}`;
    return { method: 'POST', path: '/api/login', body: JSON.stringify({ username, password: `wrong-${k}` }) };
  }
  switch (k % 4) {
    case 0: return { method: 'GET', path: `/api/search?q=${encodeURIComponent(words[k % words.length]! + (k % 7))}` };
    case 1: {
      const w = random(120.15, 120.25);
      const s = random(22.95, 23.03);
      return { method: 'GET', path: `/api/analysis/coverage/union?bbox=${w.toFixed(5)},${s.toFixed(5)},${(w + 0.02).toFixed(5)},${(s + 0.02).toFixed(5)}` };
    }
    case 2: return { method: 'GET', path: `/api/analysis/hotspots?cellSize=${150 + (k % 100)}` };
    default: return { method: 'GET', path: `/api/analysis/hot-hours?hour=${k % 24}` };
  }
}

/** An attacker does not wait for slow answers: it gives up and sends the next request. */
const GIVE_UP_SECONDS = 2;

const result = await autocannon({
  url, connections: n, duration: Number(seconds), timeout: GIVE_UP_SECONDS,
  requests: [{
    setupRequest: (req) => {
      const r = next();
      return {
        ...req, method: r.method, path: r.path, body: r.body,
        headers: { ...req.headers, 'x-forwarded-for': `${prefix}.${i % n}`, ...(r.body ? { 'content-type': 'application/json' } : {}) },
      };
    },
  }],
});
const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
console.log(JSON.stringify({ requests: result.requests.total, errors: result.errors, timeouts: result.timeouts, statuses }));
