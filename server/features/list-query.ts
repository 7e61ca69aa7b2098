import type { Principal } from '../auth/principal.js';
import { TIME_ZONE } from '../db/db.js';
import { badRequest } from '../http/errors.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';

export interface ListQuery {
  bbox?: [number, number, number, number];
  /** property name → accepted values (any of them matches) */
  filters: Map<string, string[]>;
  /** Inclusive bounds; a bare date (YYYY-MM-DD) stands for that whole day in Taiwan time. */
  datetime?: { start?: string; end?: string };
  /** Hours of the day (0–23) and ISO days of the week (1 Monday … 7 Sunday), Taiwan time. */
  hours?: number[];
  weekdays?: number[];
  limit: number;
  /** id after which the page starts */
  after?: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
/** Parameters that are not property filters. `f` is OGC's format switch, always JSON here. */
const FILTERABLE_KINDS = new Set(['text', 'enum', 'boolean', 'integer', 'reference']);

/**
 * Where callers differ. /api refuses what it cannot honour exactly; OGC API Features asks that
 * a limit above the maximum mean the maximum (17-069r4, Req. 22 C) and that `datetime` match
 * every feature that has no time (Req. 25 C), so its routes turn both on.
 */
export interface ListQueryOptions {
  clampLimit?: boolean;
  datetimeMatchesUntimed?: boolean;
}

/** Properties a listing may filter by equality (`?name=a,b`): the readable scalar ones. */
export const filterableProperties = (layer: LayerDef, p: Principal): PropertyDef[] =>
  readableProperties(layer, p).filter((prop) => FILTERABLE_KINDS.has(prop.type.kind));

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

export function parseBbox(s: string): [number, number, number, number] {
  const all = s.split(',').map(Number);
  if ((all.length !== 4 && all.length !== 6) || all.some((x) => !Number.isFinite(x))) {
    throw badRequest('bbox must be minLon,minLat,maxLon,maxLat in degrees, e.g. 120.1,22.9,120.3,23.1', 'bbox');
  }
  // A 3D box (minLon,minLat,minHeight,maxLon,maxLat,maxHeight, as OGC API Features allows)
  // is taken by its footprint: nothing stored here has a height.
  const n = all.length === 6 ? [all[0]!, all[1]!, all[3]!, all[4]!] : all;
  const [minLon, minLat, maxLon, maxLat] = n as [number, number, number, number];
  if (n.some((x) => Math.abs(x) > 1000)) throw badRequest('bbox looks like projected metres (TWD97?); give degrees', 'bbox');
  if ([minLon, maxLon].some((x) => Math.abs(x) > 180)) throw badRequest('bbox longitude outside ±180°; give minLon,minLat,maxLon,maxLat in degrees', 'bbox');
  if (minLat > 90 || maxLat > 90 || minLat < -90) {
    throw badRequest('bbox latitude outside ±90°; is the order minLat,minLon,...? It must be minLon,minLat,maxLon,maxLat', 'bbox');
  }
  if (minLon > maxLon || minLat > maxLat) throw badRequest('bbox minimum must not exceed its maximum', 'bbox');
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * One bound of `datetime`: an RFC 3339 date-time, or a date for the whole day. A time without
 * an offset is Taiwan time (the database session's zone). `YYYY-MM-DDT` is taken as a date
 * because GDAL's OAPIF driver writes dates that way. Checked here so that nothing the
 * database cannot read reaches it.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})T?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

function parseInstant(x: string): string {
  const refuse = () => badRequest(`datetime "${x}" is not an ISO 8601 (RFC 3339) date or date-time, e.g. 2025-03-01 or 2025-03-01T08:00:00+08:00`, 'datetime');
  const date = DATE.exec(x);
  const m = date ?? DATE_TIME.exec(x);
  if (!m) throw refuse();
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || sec > 60) throw refuse();
  return date ? `${m[1]}-${m[2]}-${m[3]}` : `${x.slice(0, 10)}T${x.slice(11).toUpperCase()}`;
}

/**
 * A set of whole numbers in a cycle, as `20-23`, `22-2` (wrapping past the end: 22, 23, 0, 1, 2)
 * or `6,7`, or any mix of them: `hour=22-2,12`. `names` may stand for the numbers from `first` on.
 */
function parseCycle(s: string, field: string, first: number, last: number, help: string, names: readonly string[] = []): number[] {
  const out = new Set<number>();
  const refuse = () => badRequest(`${field} must be ${help}`, field);
  const value = (x: string) => {
    const named = names.indexOf(x.toLowerCase());
    return named >= 0 ? first + named : /^\d{1,2}$/.test(x) ? Number(x) : NaN;
  };
  for (const part of s.split(',').map((x) => x.trim())) {
    const ends = part.split('-');
    if (ends.length > 2) throw refuse();
    const a = value(ends[0]!);
    const b = value(ends[1] ?? ends[0]!);
    if (!(a >= first && a <= last && b >= first && b <= last)) throw refuse();
    const size = last - first + 1;
    for (let i = a; ; i = first + ((i - first + 1) % size)) {
      out.add(i);
      if (i === b) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

/** Hours of the day, Taiwan time: `20-23`, `22-2` (past midnight), `8,12-13`. */
export const parseHours = (s: string, field = 'hour') =>
  parseCycle(s, field, 0, 23, 'whole numbers from 0 to 23 or ranges of them, e.g. 20-23 or 22-2');

/** ISO 8601 days of the week as numbers 1 (Monday) … 7 (Sunday) or names mon … sun. */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const parseWeekdays = (s: string, field = 'weekday') =>
  parseCycle(s, field, 1, 7, `whole numbers from 1 (Monday) to 7 or ranges of them, or one of ${WEEKDAY_NAMES.join(', ')}, e.g. 1-5 or sat,sun`, WEEKDAY_NAMES);

export function parseDatetime(s: string): { start?: string; end?: string } {
  const parts = s.split('/');
  if (parts.length > 2) throw badRequest('datetime must be one instant or an interval start/end (either end may be ..)', 'datetime');
  const [a, b = a] = parts as [string, string?];
  // `..` and an empty bound both leave that end open.
  const bound = (x: string | undefined) => (!x || x === '..' ? undefined : parseInstant(x));
  const q = { start: bound(a), end: bound(b) };
  if (parts.length === 1 && q.start === undefined) throw badRequest('datetime needs an instant or an interval, not ".."', 'datetime');
  return q;
}

const single = (v: unknown, name: string): string => {
  if (typeof v !== 'string') throw badRequest(`query parameter ${name} given more than once`, name);
  return v;
};

/** The SQL type a filter's values are compared as. */
const filterCast = (prop: PropertyDef) => ({ boolean: 'boolean', integer: 'integer', reference: 'bigint' }[prop.type.kind as string] ?? 'text');

/** A property filter's values ("a,b" means a or b), each checked against the property's type. */
function parseFilterValues(prop: PropertyDef, value: string): string[] {
  const name = prop.name;
  const values = value.split(',');
  const cast = filterCast(prop);
  for (const v of values) {
    if (prop.type.kind === 'enum' && !prop.type.choices.some((c) => c.value === v)) {
      throw badRequest(`${name} "${v}" is not one of ${prop.type.choices.map((c) => c.value).join(', ')}`, name);
    }
    if (cast === 'boolean' && v !== 'true' && v !== 'false') throw badRequest(`${name} must be true or false`, name);
    if ((cast === 'integer' || cast === 'bigint') && !/^-?\d+$/.test(v)) throw badRequest(`${name} must be a whole number`, name);
  }
  return values;
}

/** Parses and checks a feature listing's query string against the layer's declaration. */
export function parseListQuery(layer: LayerDef, p: Principal, query: Record<string, unknown>, options: ListQueryOptions = {}): ListQuery {
  const q: ListQuery = { filters: new Map(), limit: DEFAULT_LIMIT };
  const filterable = new Map(filterableProperties(layer, p).map((prop) => [prop.name, prop]));
  for (const [name, raw] of Object.entries(query)) {
    const value = single(raw, name);
    if (name === 'bbox') q.bbox = parseBbox(value);
    else if (name === 'limit') {
      const n = Number(value);
      const tooMany = n > MAX_LIMIT && !options.clampLimit;
      if (!/^\d+$/.test(value) || n < 1 || tooMany) throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`, 'limit');
      q.limit = Math.min(n, MAX_LIMIT);
    } else if (name === 'cursor') q.after = decodeCursor(value);
    else if (name === 'datetime') {
      if (!layer.temporal && !options.datetimeMatchesUntimed) throw badRequest(`layer ${layer.id} has no time property to filter by datetime`, 'datetime');
      const datetime = parseDatetime(value);
      if (layer.temporal) q.datetime = datetime;
    } else if (name === 'hour' || name === 'weekday') {
      if (!layer.temporal) throw badRequest(`layer ${layer.id} has no time property to filter by ${name}`, name);
      if (name === 'hour') q.hours = parseHours(value);
      else q.weekdays = parseWeekdays(value);
    } else if (name === 'f') continue;
    else if (filterable.has(name)) q.filters.set(name, parseFilterValues(filterable.get(name)!, value));
    else {
      throw badRequest(`unknown query parameter "${name}"; use bbox, limit, cursor${layer.temporal ? ', datetime, hour, weekday' : ''} or a property: ${[...filterable.keys()].join(', ')}`, name);
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
    params.push(values);
    where.push(`t.${name} = ANY($${params.length}::${filterCast(prop)}[])`);
  }
  where.push(...hourWeekdayConditions(`t.${layer.temporal}`, q.hours, q.weekdays, params));
  if (q.datetime?.start) {
    params.push(q.datetime.start);
    where.push(`t.${layer.temporal} >= $${params.length}::timestamptz`);
  }
  if (q.datetime?.end) {
    params.push(q.datetime.end);
    // A date as the end takes in that whole day.
    where.push(DATE.test(q.datetime.end)
      ? `t.${layer.temporal} < ($${params.length}::date + 1)::timestamptz`
      : `t.${layer.temporal} <= $${params.length}::timestamptz`);
  }
}

/**
 * SQL conditions that a timestamp column falls in these hours of the day (0–23) and ISO
 * weekdays (1 Monday … 7 Sunday), read in Taiwan time whatever the session's zone; shared by
 * the feature API's and the analysis's filters. Parameters are appended to `params`.
 */
export function hourWeekdayConditions(column: string, hours: readonly number[] | undefined, weekdays: readonly number[] | undefined,
  params: unknown[]): string[] {
  const local = `(${column} AT TIME ZONE '${TIME_ZONE}')`;
  const where: string[] = [];
  if (hours) {
    params.push(hours);
    where.push(`EXTRACT(hour FROM ${local})::int = ANY($${params.length}::int[])`);
  }
  if (weekdays) {
    params.push(weekdays);
    where.push(`EXTRACT(isodow FROM ${local})::int = ANY($${params.length}::int[])`);
  }
  return where;
}
