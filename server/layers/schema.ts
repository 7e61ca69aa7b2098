import { z } from 'zod';
import { PROPERTY_RULES, refusal } from '../http/messages.js';
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

type Rule = keyof typeof PROPERTY_RULES;
/** A rule's text from the catalogue, as zod's message for the check that enforces it. */
const rule = <R extends Rule>(r: R, ...params: Parameters<(typeof PROPERTY_RULES)[R]>): string =>
  (PROPERTY_RULES[r] as (...p: unknown[]) => string)(...params);
/** zod's option for a value of the wrong JSON type. */
const wrongType = <R extends Rule>(r: R, ...params: Parameters<(typeof PROPERTY_RULES)[R]>) => ({ error: rule(r, ...params) });

/** Ids a list property (a drone survey's target places) may hold. */
const MAX_IDS = 500;

function valueSchema(t: PropertyType): z.ZodType {
  switch (t.kind) {
    case 'text':
      return z.string(wrongType('not_text')).max(t.maxLength, rule('text_too_long', { max: t.maxLength }));
    case 'enum': {
      const values = valuesOf(t.choices);
      return z.string(wrongType('not_text')).refine((s) => values.includes(s), rule('not_a_choice', { choices: t.choices }));
    }
    case 'integer':
      return z.number(wrongType('not_integer')).int(rule('not_integer')).superRefine((n, ctx) => {
        const max = t.max === 'current-year' ? new Date().getFullYear() : t.max;
        if (n < t.min || n > max) ctx.addIssue({ code: 'custom', message: rule('integer_range', { min: t.min, max }) });
      });
    case 'number':
      return z.number(wrongType('not_number')).superRefine((n, ctx) => {
        const low = t.minExclusive ? n <= t.min : n < t.min;
        const high = t.maxExclusive ? n >= t.max : n > t.max;
        if (low || high) ctx.addIssue({ code: 'custom', message: rule('number_range', t) });
      });
    case 'boolean':
      return z.boolean(wrongType('not_boolean'));
    // Dates and times arrive here as parseTime made them (canonical text); anything else is not one.
    case 'date':
      return z.string(wrongType('not_date'));
    case 'timestamp':
      return z.string(wrongType('not_time'))
        .refine((s) => !t.notInFuture || Date.parse(s) <= Date.now() + FUTURE_TOLERANCE_MS, rule('in_future'));
    case 'reference':
      return z.number(wrongType('not_reference')).int(rule('not_reference')).positive(rule('not_reference')).max(MAX_ID, rule('not_reference'));
    case 'ids': {
      const notIds = rule('not_ids', { max: MAX_IDS });
      const id = z.number({ error: notIds }).int(notIds).positive(notIds).max(MAX_ID, notIds);
      return z.array(id, { error: notIds }).max(MAX_IDS, notIds);
    }
    case 'indicators':
      return z.record(
        z.string().refine((k) => valuesOf(INDICATOR_TYPES).includes(k), rule('not_indicator_type', { choices: INDICATOR_TYPES })),
        z.array(z.string().refine((s) => valuesOf(INDICATOR_SIGNS).includes(s), rule('not_indicator_sign', { choices: INDICATOR_SIGNS })),
          wrongType('not_indicators')),
        wrongType('not_indicators'),
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

/** A property as people and programs both recognise it: 「方位角」（azimuth）. */
const named = (p: { name: string; label: string }) => `「${p.label}」（${p.name}）`;

/** A layer's property by its name, as refusals name it (the name alone if the layer has none such). */
export const namedProperty = (layer: LayerDef, name: string): string =>
  named(layer.properties.find((p) => p.name === name) ?? { name, label: name });

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
  if (typeof input !== 'object' || Array.isArray(input)) throw refusal(400, 'properties_not_object', undefined, { field: 'properties' });
  const out: PropertyValues = {};
  const byName = new Map<string, PropertyDef>(layer.properties.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const field = `properties.${name}`;
    const def = byName.get(name);
    if (!def) {
      // Read-only bookkeeping echoed back by clients that PATCH what they GOT is ignored.
      if (['version', 'updated_at', 'updated_by', 'created_at', 'created_by'].includes(name)) continue;
      const known = layer.properties.filter((p) => !p.derived).map(named).join('、');
      throw refusal(400, 'property_unknown', { name, layer: layer.title, known }, { field });
    }
    if (def.derived) throw refusal(400, 'property_derived', { label: def.label, name }, { field });
    if (writable && !writable.includes(name)) {
      const allowed = writable.map((w) => namedProperty(layer, w)).join('、');
      throw refusal(403, 'property_not_writable', { layer: layer.title, label: def.label, name, writable: allowed }, { field });
    }
    if (value === null) {
      if (def.required) throw refusal(400, 'property_required', { label: def.label, name }, { field });
      out[name] = null;
      continue;
    }
    // No NUL or lone surrogate in any text, however deep (imports do not pass the body check).
    assertJsonText(value, field);
    const parsed = schemaOf(def.type).safeParse(parseTime(def.type, value, field));
    if (!parsed.success) throw refusal(400, 'property_invalid', { label: def.label, name, rule: parsed.error.issues[0]!.message }, { field });
    out[name] = parsed.data;
  }
  if (mode === 'create') {
    const missing = layer.properties.filter((p) => p.required && out[p.name] === undefined);
    if (missing.length > 0) {
      throw refusal(400, 'properties_missing', { fields: missing.map(named).join('、') }, { field: `properties.${missing[0]!.name}` });
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
