import { z } from 'zod';
import { badRequest } from '../http/errors.js';
import { isDecimal } from '../http/numbers.js';
import { unknownParameter } from '../http/parameters.js';
import { assertJsonText } from '../http/text.js';

/**
 * Parameters of the analysis endpoints, validated with zod at the edge. Every endpoint takes
 * them as a query string (GET) or as a JSON object (POST) with the same names: in a query
 * string lists are comma-separated and objects (polygon, points) are JSON text.
 */

/** Numbers in a query string are decimal text (`0x10`, ` 5` or an empty value are not numbers). */
const fromText = (v: unknown) => (typeof v === 'string' && isDecimal(v) ? Number(v) : v);

/** A number in [min, max] (metres, degrees, days, shares…). */
export const number = (min: number, max: number, what = '') =>
  z.preprocess(fromText, z.number({ error: `must be a number${what}` })
    .min(min, `must be at least ${min}${what}`).max(max, `must be at most ${max}${what}`));

export const integer = (min: number, max: number) =>
  z.preprocess(fromText, z.number({ error: 'must be a whole number' }).int('must be a whole number')
    .min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const boolean = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'must be true or false' }));

/** A list: comma-separated text or a JSON array. */
export const list = <T extends z.ZodType>(item: T, max = 1000) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(item, { error: 'must be a comma-separated list' }).min(1, 'must not be empty').max(max, `at most ${max} values`));

/** A JSON value given as text in a query string, or as itself in a JSON body. */
export const json = <T extends z.ZodType>(schema: T) => z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}, schema);

export const choice = <T extends string>(values: readonly T[]) =>
  z.string({ error: `must be one of ${values.join(', ')}` }).refine((s): s is T => (values as readonly string[]).includes(s), `must be one of ${values.join(', ')}`)
    .transform((s) => s as T);

/** Text that a domain parser (bbox, datetime) reads afterwards; arrays of numbers are joined. */
export const text = z.preprocess((v) => (Array.isArray(v) ? v.join(',') : v), z.string({ error: 'must be text' }).max(100_000));

/**
 * The parameters of one request against a schema; an unknown parameter or a bad value is a 400
 * whose `field` names it (`cellSize`, `points[3].lon`, …).
 */
export function parseParams<S extends z.ZodRawShape>(shape: S, input: unknown): z.infer<z.ZodObject<S>> {
  const source = input && typeof input === 'object' && !Array.isArray(input) ? input : input === undefined ? {} : null;
  if (source === null) throw badRequest('parameters must be a JSON object (POST) or a query string (GET)');
  const result = z.strictObject(shape).safeParse(source);
  if (result.success) {
    // JSON given as text in a query string may hold \u0000 or a lone surrogate once parsed.
    assertJsonText(result.data);
    return result.data;
  }
  // An unknown name first: a misspelt parameter also shows as a missing one.
  const unknown = result.error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown) throw unknownParameter(unknown.keys[0]!, Object.keys(shape));
  const issue = result.error.issues[0]!;
  const field = issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
  throw badRequest(`${field} ${issue.message}`, field || undefined);
}
