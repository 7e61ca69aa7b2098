import { z } from 'zod';
import { badRequest, forbidden } from '../http/errors.js';
import { MAX_ID } from '../http/numbers.js';
import { assertJsonText } from '../http/text.js';
import { parseDate, parseInstant } from '../http/time.js';
import type { LayerDef, PropertyDef, PropertyType } from './types.js';
import { INDICATOR_SIGNS, INDICATOR_TYPES } from './vocabularies.js';

/**
 * Validation of feature properties, derived from the registry's property declarations.
 * Values come out ready to bind as SQL parameters.
 */

/** Allowance for clock skew between a phone and the server when refusing future times. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const valuesOf = (choices: readonly { value: string }[]) => choices.map((c) => c.value);

function valueSchema(t: PropertyType): z.ZodType {
  switch (t.kind) {
    case 'text':
      return z.string().max(t.maxLength, `at most ${t.maxLength} characters`);
    case 'enum': {
      const values = valuesOf(t.choices);
      return z.string().refine((s) => values.includes(s), `must be one of ${values.join(', ')}`);
    }
    case 'integer':
      return z.number().int('must be a whole number').superRefine((n, ctx) => {
        const max = t.max === 'current-year' ? new Date().getFullYear() : t.max;
        if (n < t.min || n > max) ctx.addIssue({ code: 'custom', message: `must be between ${t.min} and ${max}` });
      });
    case 'number':
      return z.number().superRefine((n, ctx) => {
        const low = t.minExclusive ? n <= t.min : n < t.min;
        const high = t.maxExclusive ? n >= t.max : n > t.max;
        if (low || high) {
          const range = `${t.minExclusive ? '(' : '['}${t.min}, ${t.max}${t.maxExclusive ? ')' : ']'}`;
          ctx.addIssue({ code: 'custom', message: `must be in ${range}` });
        }
      });
    case 'boolean':
      return z.boolean();
    // Dates and times arrive here as parseTime made them (canonical text); anything else is not one.
    case 'date':
      return z.string({ error: 'must be a date YYYY-MM-DD' });
    case 'timestamp':
      return z.string({ error: 'must be an ISO 8601 time, e.g. 2026-03-01T21:30:00+08:00 (no offset means Asia/Taipei)' })
        .refine((s) => !t.notInFuture || Date.parse(s) <= Date.now() + FUTURE_TOLERANCE_MS, 'must not be in the future');
    case 'reference':
      return z.number().int().positive('must be the id of an existing feature').max(MAX_ID, 'must be the id of an existing feature');
    case 'ids':
      return z.array(z.number().int().positive().max(MAX_ID)).max(500);
    case 'indicators':
      return z.record(
        z.string().refine((k) => valuesOf(INDICATOR_TYPES).includes(k), `indicator type must be one of ${valuesOf(INDICATOR_TYPES).join(', ')}`),
        z.array(z.string().refine((s) => valuesOf(INDICATOR_SIGNS).includes(s), `sign must be one of ${valuesOf(INDICATOR_SIGNS).join(', ')}`)),
      );
  }
}

/** One schema per declared type, built once: an import validates every row against them. */
const schemas = new WeakMap<PropertyType, z.ZodType>();
function schemaOf(t: PropertyType): z.ZodType {
  let s = schemas.get(t);
  if (!s) schemas.set(t, (s = valueSchema(t)));
  return s;
}

/**
 * Dates and times are read by the one parser of the service (years 1–9999, offsets within
 * ±14:00; times without an offset are Taiwan time, as registers write them), whose refusal
 * names the field; other values go on to the schema, which refuses them.
 */
function parseTime(t: PropertyType, value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  if (t.kind === 'date') return parseDate(value, field).text;
  if (t.kind === 'timestamp') return parseInstant(value, field).text;
  return value;
}

export type PropertyValues = Record<string, unknown>;

/**
 * Validates properties for a create (required ones must be present) or a patch (any subset).
 * `writable` limits which properties may be set (a role allowed to change only some fields).
 * Throws a 400 naming the first bad property (403 for one the role may not change).
 */
export function parseProperties(
  layer: LayerDef,
  input: unknown,
  mode: 'create' | 'patch',
  writable?: readonly string[],
): PropertyValues {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badRequest('properties must be an object', 'properties');
  const out: PropertyValues = {};
  const byName = new Map<string, PropertyDef>(layer.properties.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const field = `properties.${name}`;
    const def = byName.get(name);
    if (!def) {
      // Read-only bookkeeping echoed back by clients that PATCH what they GOT is ignored.
      if (['version', 'updated_at', 'updated_by', 'created_at', 'created_by'].includes(name)) continue;
      throw badRequest(`unknown property "${name}" for layer ${layer.id}; known: ${layer.properties.filter((p) => !p.derived).map((p) => p.name).join(', ')}`, field);
    }
    if (def.derived) throw badRequest(`property "${name}" is derived by the server and cannot be set`, field);
    if (writable && !writable.includes(name)) throw forbidden(`your role may change only ${writable.join(', ')} on ${layer.id}, not ${name}`, field);
    if (value === null) {
      if (def.required) throw badRequest(`property "${name}" is required and cannot be null`, field);
      out[name] = null;
      continue;
    }
    // No NUL or lone surrogate in any text, however deep (imports do not pass the body check).
    assertJsonText(value, field);
    const parsed = schemaOf(def.type).safeParse(parseTime(def.type, value, field));
    if (!parsed.success) throw badRequest(`property "${name}" ${parsed.error.issues[0]!.message}`, field);
    out[name] = parsed.data;
  }
  if (mode === 'create') {
    const missing = layer.properties.filter((p) => p.required && out[p.name] === undefined);
    if (missing.length > 0) {
      throw badRequest(`missing required properties: ${missing.map((p) => p.name).join(', ')}`, `properties.${missing[0]!.name}`);
    }
  }
  return out;
}

/** The SQL type a property's parameter is cast to when written. */
export function sqlType(t: PropertyType): string {
  switch (t.kind) {
    case 'text':
    case 'enum':
      return 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamptz';
    case 'reference':
      return 'bigint';
    case 'ids':
      return 'bigint[]';
    case 'indicators':
      return 'jsonb';
  }
}

/** Binds a validated value as a parameter; JSON travels as text so both drivers agree. */
export const toParam = (t: PropertyType, value: unknown) =>
  t.kind === 'indicators' && value !== null ? JSON.stringify(value) : value;
