import { isIPv6 } from 'node:net';

/**
 * Who a client is, for budgets and sign-in throttling: its address as Express gives it
 * (`req.ip`: the socket's, or the one a trusted proxy forwarded, per TRUST_PROXY). An IPv4
 * address counts as itself; an IPv6 one by its /64, since a single subscriber is handed a
 * whole /64 and could otherwise take a fresh address for every request.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled in, leading zeros dropped. */
function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.split('%')[0]!.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => (parseInt(g, 16) || 0).toString(16));
}
