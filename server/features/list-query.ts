import type { Principal } from '../auth/principal.js';
import { badRequest } from '../http/errors.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';

export interface ListQuery {
  bbox?: [number, number, number, number];
  /** property name → accepted values (any of them matches) */
  filters: Map<string, string[]>;
  datetime?: { start?: string; end?: string };
  limit: number;
  /** id after which the page starts */
  after?: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
/** Parameters that are not property filters. `f` is OGC's format switch, always JSON here. */
const RESERVED = new Set(['bbox', 'limit', 'cursor', 'datetime', 'f']);
const FILTERABLE_KINDS = new Set(['text', 'enum', 'boolean', 'integer', 'reference']);

export const encodeCursor = (id: number) => Buffer.from(`id:${id}`).toString('base64url');

/** The URL of the page after a cursor: the same path and query, with the cursor replaced. */
export function nextPageUrl(path: string, query: Record<string, unknown>, cursor: string): string {
  const next = new URLSearchParams(query as Record<string, string>);
  next.set('cursor', cursor);
  return `${path}?${next}`;
}

function decodeCursor(s: string): number {
  const m = /^id:(\d+)$/.exec(Buffer.from(s, 'base64url').toString());
  if (!m) throw badRequest('cursor is not one this server gave out; start again without cursor', 'cursor');
  return Number(m[1]);
}

function parseBbox(s: string): [number, number, number, number] {
  const n = s.split(',').map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x))) {
    throw badRequest('bbox must be minLon,minLat,maxLon,maxLat in degrees, e.g. 120.1,22.9,120.3,23.1', 'bbox');
  }
  const [minLon, minLat, maxLon, maxLat] = n as [number, number, number, number];
  if (n.some((x) => Math.abs(x) > 1000)) throw badRequest('bbox looks like projected metres (TWD97?); give degrees', 'bbox');
  if ([minLon, maxLon].some((x) => Math.abs(x) > 180)) throw badRequest('bbox longitude outside ±180°; give minLon,minLat,maxLon,maxLat in degrees', 'bbox');
  if (minLat > 90 || maxLat > 90 || minLat < -90) {
    throw badRequest('bbox latitude outside ±90°; is the order minLat,minLon,...? It must be minLon,minLat,maxLon,maxLat', 'bbox');
  }
  if (minLon > maxLon || minLat > maxLat) throw badRequest('bbox minimum must not exceed its maximum', 'bbox');
  return [minLon, minLat, maxLon, maxLat];
}

function parseDatetime(s: string): { start?: string; end?: string } {
  const [a, b] = s.includes('/') ? s.split('/') : [s, s];
  const bound = (x: string | undefined) => {
    if (!x || x === '..') return undefined;
    if (Number.isNaN(Date.parse(x))) throw badRequest(`datetime "${x}" is not an ISO 8601 date or time`, 'datetime');
    return x;
  };
  return { start: bound(a), end: bound(b) };
}

const single = (v: unknown, name: string): string => {
  if (typeof v !== 'string') throw badRequest(`query parameter ${name} given more than once`, name);
  return v;
};

/** Parses and checks a feature listing's query string against the layer's declaration. */
export function parseListQuery(layer: LayerDef, p: Principal, query: Record<string, unknown>): ListQuery {
  const q: ListQuery = { filters: new Map(), limit: DEFAULT_LIMIT };
  const filterable = new Map(readableProperties(layer, p)
    .filter((prop) => FILTERABLE_KINDS.has(prop.type.kind)).map((prop) => [prop.name, prop]));
  for (const [name, raw] of Object.entries(query)) {
    const value = single(raw, name);
    if (name === 'bbox') q.bbox = parseBbox(value);
    else if (name === 'limit') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`, 'limit');
      q.limit = n;
    } else if (name === 'cursor') q.after = decodeCursor(value);
    else if (name === 'datetime') {
      if (!layer.temporal) throw badRequest(`layer ${layer.id} has no time property to filter by datetime`, 'datetime');
      q.datetime = parseDatetime(value);
    } else if (name === 'f') continue;
    else if (filterable.has(name)) q.filters.set(name, value.split(','));
    else {
      throw badRequest(`unknown query parameter "${name}"; use bbox, limit, cursor${layer.temporal ? ', datetime' : ''} or a property: ${[...filterable.keys()].join(', ')}`, name);
    }
  }
  return q;
}

/** Appends the WHERE conditions of a listing (not access rules) to `where`, params to `params`. */
export function listConditions(layer: LayerDef, q: ListQuery, params: unknown[], where: string[]): void {
  if (q.bbox) {
    params.push(...q.bbox);
    const n = params.length;
    where.push(`t.geom && ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, 4326)`,
      `ST_Intersects(t.geom, ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, 4326))`);
  }
  for (const [name, values] of q.filters) {
    const prop = layer.properties.find((x) => x.name === name)!;
    const cast = { boolean: 'boolean', integer: 'integer', reference: 'bigint' }[prop.type.kind as string] ?? 'text';
    for (const v of values) {
      if (prop.type.kind === 'enum' && !prop.type.choices.some((c) => c.value === v)) {
        throw badRequest(`${name} "${v}" is not one of ${prop.type.choices.map((c) => c.value).join(', ')}`, name);
      }
      if (cast === 'boolean' && v !== 'true' && v !== 'false') throw badRequest(`${name} must be true or false`, name);
      if ((cast === 'integer' || cast === 'bigint') && !/^-?\d+$/.test(v)) throw badRequest(`${name} must be a whole number`, name);
    }
    params.push(values);
    where.push(`t.${name} = ANY($${params.length}::${cast}[])`);
  }
  if (q.datetime?.start) {
    params.push(q.datetime.start);
    where.push(`t.${layer.temporal} >= $${params.length}::timestamptz`);
  }
  if (q.datetime?.end) {
    params.push(q.datetime.end);
    where.push(`t.${layer.temporal} <= $${params.length}::timestamptz`);
  }
}
