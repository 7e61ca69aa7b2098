import { z } from 'zod';
import { PARAMETER_RULES as RULES, refusal } from '../http/messages.js';
import { isDecimal } from '../http/numbers.js';
import { unknownParameter } from '../http/parameters.js';
import { assertJsonText } from '../http/text.js';

/**
 * Parameters of the analysis endpoints, validated with zod at the edge. Every endpoint takes
 * them as a query string (GET) or as a JSON object (POST) with the same names: in a query
 * string lists are comma-separated and objects (polygon, points) are JSON text. A bad value is
 * refused with analysis_parameter_invalid, whose sentence ends in one of PARAMETER_RULES' texts.
 */

/** Numbers in a query string are decimal text (`0x10`, ` 5` or an empty value are not numbers). */
const fromText = (v: unknown) => (typeof v === 'string' && isDecimal(v) ? Number(v) : v);

/** A type's error: the rule, or that the parameter is required when it is missing. */
export const typeError = (rule: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? RULES.required() : rule) });

/** Units of numbers, as the rule names them. */
const UNITS = { ' metres': '公尺', ' degrees': '度', ' days': '天' } as const;

/** A number in [min, max] (metres, degrees, days, shares…). */
export const number = (min: number, max: number, unit?: keyof typeof UNITS) => {
  const rule = RULES.number_range({ min, max, ...(unit === undefined ? {} : { unit: UNITS[unit] }) });
  return z.preprocess(fromText, z.number(typeError(rule)).min(min, rule).max(max, rule));
};

export const integer = (min: number, max: number) => {
  const rule = RULES.integer_range({ min, max });
  return z.preprocess(fromText, z.number(typeError(rule)).int(rule).min(min, rule).max(max, rule));
};

export const boolean = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean(typeError(RULES.not_boolean())));

/** A list: comma-separated text or a JSON array. */
export const list = <T extends z.ZodType>(item: T, max = 1000) => {
  const rule = RULES.list({ max });
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(item, typeError(rule)).min(1, rule).max(max, rule));
};

/** A JSON value given as text in a query string, or as itself in a JSON body. */
export const json = <T extends z.ZodType>(schema: T) => z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}, schema);

export const choice = <T extends string>(values: readonly T[]) => {
  const rule = RULES.not_a_choice({ values });
  return z.string(typeError(rule)).refine((s): s is T => (values as readonly string[]).includes(s), rule).transform((s) => s as T);
};

/** Text that a domain parser (bbox, datetime) reads afterwards; arrays of numbers are joined. */
export const text = z.preprocess((v) => (Array.isArray(v) ? v.join(',') : v), z.string(typeError(RULES.not_text())).max(100_000));

/** What zod's own checks found, for schemas that give no rule of their own. */
const zodRule: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': return issue.input === undefined ? RULES.required() : RULES.wrong_type({ expected: issue.expected });
    case 'too_small': return RULES.too_small({ min: issue.minimum, inclusive: issue.inclusive ?? true, origin: issue.origin });
    case 'too_big': return RULES.too_big({ max: issue.maximum, inclusive: issue.inclusive ?? true, origin: issue.origin });
    default: return RULES.invalid();
  }
};

/**
 * The parameters of one request against a schema; an unknown parameter or a bad value is a 400
 * whose `field` names it (`cellSize`, `points[3].lon`, …).
 */
export function parseParams<S extends z.ZodRawShape>(shape: S, input: unknown): z.infer<z.ZodObject<S>> {
  const source = input && typeof input === 'object' && !Array.isArray(input) ? input : input === undefined ? {} : null;
  if (source === null) throw refusal(400, 'analysis_parameters_not_object', undefined);
  const result = z.strictObject(shape).safeParse(source, { error: zodRule });
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
  throw refusal(400, 'analysis_parameter_invalid', { field, rule: issue.message }, field ? { field } : {});
}
