import type { Principal } from '../auth/principal.js';
import { TIME_ZONE } from '../db/db.js';
import { parseBbox, type Bbox } from '../geo/bbox.js';
import type { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { idValue, parseId, parseInteger } from '../http/numbers.js';
import { single, unknownParameter } from '../http/parameters.js';
import { parseTimeBound, type TimeValue } from '../http/time.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';

export interface ListQuery {
  bbox?: Bbox;
  /** property name → accepted values (any of them matches), deduplicated, in canonical spelling */
  filters: Map<string, string[]>;
  /** Inclusive bounds; a date stands for that whole day in Taiwan time. */
  datetime?: { start?: TimeValue; end?: TimeValue };
  /** Hours of the day (0–23) and ISO days of the week (1 Monday … 7 Sunday), Taiwan time. */
  hours?: number[];
  weekdays?: number[];
  limit: number;
  /** id after which the page starts */
  after?: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
/** Most values one property filter may list ("a,b,…"). */
export const MAX_FILTER_VALUES = 100;
const FILTERABLE_KINDS = new Set(['text', 'enum', 'boolean', 'integer', 'reference']);

/**
 * Where callers differ. /api refuses what it cannot honour exactly; OGC API Features asks that
 * a limit above the maximum mean the maximum (17-069r4, Req. 22 C), that `datetime` match
 * every feature that has no time (Req. 25 C) and that a bbox may have six numbers (3D), so its
 * routes turn those on. `alsoAccepted` names a caller's own parameters in the refusal of an
 * unknown one.
 */
export interface ListQueryOptions {
  clampLimit?: boolean;
  datetimeMatchesUntimed?: boolean;
  bbox3d?: boolean;
  alsoAccepted?: readonly string[];
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
  const id = m && encodeCursor(Number(m[1])) === s ? idValue(m[1]!) : undefined;
  if (id === undefined) throw refusal(400, 'cursor_invalid', undefined, { field: 'cursor' });
  return id;
}

/**
 * A set of whole numbers in a cycle, as `20-23`, `22-2` (wrapping past the end: 22, 23, 0, 1, 2)
 * or `6,7`, or any mix of them: `hour=22-2,12`. `names` may stand for the numbers from `first` on.
 */
function parseCycle(s: string, first: number, last: number, refuse: () => HttpError, names: readonly string[] = []): number[] {
  const out = new Set<number>();
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
  parseCycle(s, 0, 23, () => refusal(400, 'hours_invalid', { field }, { field }));

/** ISO 8601 days of the week as numbers 1 (Monday) … 7 (Sunday) or names mon … sun. */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const parseWeekdays = (s: string, field = 'weekday') =>
  parseCycle(s, 1, 7, () => refusal(400, 'weekdays_invalid', { field, names: WEEKDAY_NAMES }, { field }), WEEKDAY_NAMES);

/**
 * `datetime`: one instant or an interval `start/end`, either end open as `..` (or empty). Each
 * bound is a date (that whole day, Taiwan time) or an RFC 3339 date-time (no offset: Taiwan time).
 */
export function parseDatetime(s: string, field = 'datetime'): { start?: TimeValue; end?: TimeValue } {
  const parts = s.split('/');
  if (parts.length > 2) throw refusal(400, 'datetime_interval', { field }, { field });
  const [a, b = a] = parts as [string, string?];
  const bound = (x: string | undefined) => (!x || x === '..' ? undefined : parseTimeBound(x, field));
  const q = { start: bound(a), end: bound(b) };
  if (parts.length === 1 && q.start === undefined) throw refusal(400, 'datetime_open', { field }, { field });
  return q;
}

/** How a boolean filter may be written, and the one way it is then written (cache keys). */
const BOOLEAN_WORDS: Record<string, 'true' | 'false'> = { true: 'true', false: 'false', 1: 'true', 0: 'false' };

/** The SQL type a filter's values are compared as. */
const filterCast = (prop: PropertyDef) => ({ boolean: 'boolean', integer: 'integer', reference: 'bigint' }[prop.type.kind as string] ?? 'text');

/**
 * A property filter's values ("a,b" means a or b), each checked against the property's
 * declaration (a choice of the list, a number in its range, an id, text no longer than the
 * property holds) and written one way, so that equal filters are equal text (cache keys).
 */
export function parseFilterValues(prop: PropertyDef, value: string): string[] {
  const name = prop.name;
  const t = prop.type;
  const listed = value.split(',');
  if (listed.length > MAX_FILTER_VALUES) throw refusal(400, 'too_many_values', { field: name, max: MAX_FILTER_VALUES }, { field: name });
  return [...new Set(listed)].map((v) => {
    switch (t.kind) {
      case 'enum':
        if (!t.choices.some((c) => c.value === v)) throw refusal(400, 'filter_not_a_choice', { field: name, value: v, choices: t.choices }, { field: name });
        return v;
      case 'boolean': {
        // GDAL writes `-where "lpr = 1"` as lpr=1: 1 and 0 are true and false, as in SQL.
        const b = Object.hasOwn(BOOLEAN_WORDS, v.toLowerCase()) ? BOOLEAN_WORDS[v.toLowerCase()] : undefined;
        if (b === undefined) throw refusal(400, 'filter_not_boolean', { field: name }, { field: name });
        return b;
      }
      case 'integer':
        return String(parseInteger(v, name, t.min, t.max === 'current-year' ? new Date().getFullYear() : t.max));
      case 'reference':
        return String(parseId(v, name));
      case 'text':
        if ([...v].length > t.maxLength) throw refusal(400, 'text_too_long', { field: name, max: t.maxLength }, { field: name });
        return v;
      default:
        throw refusal(400, 'filter_not_filterable', { field: name }, { field: name });
    }
  }).sort();
}

/** Parses and checks a feature listing's query string against the layer's declaration. */
export function parseListQuery(layer: LayerDef, p: Principal, query: Record<string, unknown>, options: ListQueryOptions = {}): ListQuery {
  const q: ListQuery = { filters: new Map(), limit: DEFAULT_LIMIT };
  const filterable = new Map(filterableProperties(layer, p).map((prop) => [prop.name, prop]));
  for (const [name, raw] of Object.entries(query)) {
    const value = single(raw, name);
    if (name === 'bbox' && layer.geometry) q.bbox = parseBbox(value, { allow3d: options.bbox3d });
    else if (name === 'limit') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && (n <= MAX_LIMIT || options.clampLimit))) throw refusal(400, 'limit_out_of_range', { max: MAX_LIMIT }, { field: 'limit' });
      q.limit = Math.min(n, MAX_LIMIT);
    } else if (name === 'cursor') q.after = decodeCursor(value);
    else if (name === 'datetime') {
      if (!layer.temporal && !options.datetimeMatchesUntimed) throw refusal(400, 'layer_untimed', { layer: layer.title, field: 'datetime' }, { field: 'datetime' });
      const datetime = parseDatetime(value);
      if (layer.temporal) q.datetime = datetime;
    } else if (name === 'hour' || name === 'weekday') {
      if (!layer.temporal) throw refusal(400, 'layer_untimed', { layer: layer.title, field: name }, { field: name });
      if (name === 'hour') q.hours = parseHours(value);
      else q.weekdays = parseWeekdays(value);
    } else if (name === 'f') continue;
    else if (filterable.has(name)) q.filters.set(name, parseFilterValues(filterable.get(name)!, value));
    else throw unknownParameter(name, [...(options.alsoAccepted ?? []), ...listParameters(layer), ...filterable.keys()]);
  }
  return q;
}

/** The parameters of a listing besides property filters (a layer without positions has no bbox). */
const listParameters = (layer: LayerDef) => [...(layer.geometry ? ['bbox'] : []), 'limit', 'cursor', ...(layer.temporal ? ['datetime', 'hour', 'weekday'] : [])];

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
  const { start, end } = q.datetime ?? {};
  if (start) {
    params.push(start.text);
    where.push(`t.${layer.temporal} >= $${params.length}::timestamptz`);
  }
  if (end) {
    params.push(end.text);
    // A date as the end takes in that whole day.
    where.push(end.kind === 'date'
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
