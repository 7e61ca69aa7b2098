import type { LayerInfo, PropertyInfo } from '../app/registry.js';
import { h } from '../lib/dom.js';
import { datetimeLocalValue } from '../lib/format.js';

/** Options for a reference or id-list property: the features a person may pick from. */
export type OptionsFor = (prop: PropertyInfo) => { value: number; label: string }[];

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FeatureForm {
  element: HTMLElement;
  /** The values as the feature API takes them (only properties with a value, or null to clear). */
  values(): Record<string, unknown>;
  /** Only the values that differ from the ones the form started with (for a PATCH). */
  changed(): Record<string, unknown>;
  /** Shows the server's message next to the input it names (`properties.adopter`). Returns false if none. */
  showError(field: string | undefined, message: string): boolean;
  clearErrors(): void;
}

const LONG_TEXT = 200;

/**
 * The limit a field's value must keep, beside its label, in the unit its label names:
 * 「上限 120 公尺」, 「1990–2026」, 「上限 60 字」. The server checks the same (server/layers/schema.ts).
 */
export function limitText(prop: PropertyInfo): string | null {
  if (prop.type === 'text' && prop.maxLength) return `上限 ${prop.maxLength} 字`;
  if (prop.type !== 'integer' && prop.type !== 'number') return null;
  const unit = /（([^（）]+)）$/.exec(prop.label)?.[1] ?? '';
  // Years and metres read without a separator (2026, 1000); large counts with one.
  const num = (n: number) => n.toLocaleString('zh-TW', { useGrouping: Math.abs(n) >= 10_000 });
  const at = (n: number) => `${num(n)}${unit ? ` ${unit}` : ''}`;
  const { min, max } = prop;
  if (min !== undefined && max !== undefined) {
    return prop.minExclusive ? `大於 ${num(min)}，上限 ${at(max)}` : `${num(min)}–${at(max)}`;
  }
  if (max !== undefined) return `上限 ${at(max)}`;
  if (min !== undefined) return `${prop.minExclusive ? '大於' : '下限'} ${at(min)}`;
  return null;
}

function inputFor(prop: PropertyInfo, value: unknown, optionsFor: OptionsFor): Input | HTMLElement {
  switch (prop.type) {
    case 'enum':
      return h('select', { name: prop.name, required: prop.required },
        prop.required ? null : h('option', { value: '' }, '—'),
        (prop.choices ?? []).map((c) => h('option', { value: c.value, selected: c.value === value }, c.label)));
    case 'boolean':
      return h('input', { type: 'checkbox', name: prop.name, checked: value === true });
    case 'integer':
    case 'number':
      return h('input', {
        type: 'number', name: prop.name, required: prop.required, value: value ?? '',
        min: prop.min, max: prop.max, step: prop.type === 'integer' ? 1 : 'any',
      });
    case 'date':
      return h('input', { type: 'date', name: prop.name, required: prop.required, value: value ?? '' });
    case 'timestamp':
      return h('input', { type: 'datetime-local', name: prop.name, required: prop.required,
        value: value ? datetimeLocalValue(new Date(String(value))) : '' });
    case 'reference':
      return h('select', { name: prop.name, required: prop.required },
        h('option', { value: '' }, '—'),
        optionsFor(prop).map((o) => h('option', { value: String(o.value), selected: o.value === value }, o.label)));
    case 'ids': {
      const picked = new Set((value as number[] | null) ?? []);
      const options = optionsFor(prop);
      return h('div', { class: 'id-list', dataset: { name: prop.name } },
        options.length === 0 ? h('p', { class: 'legend-note' }, '範圍內沒有可選的項目') : null,
        options.map((o) => h('label', {}, h('input', { type: 'checkbox', value: String(o.value), checked: picked.has(o.value) }), o.label)));
    }
    default:
      return (prop.maxLength ?? 0) > LONG_TEXT
        ? h('textarea', { name: prop.name, required: prop.required, maxLength: prop.maxLength, rows: 3 }, String(value ?? ''))
        : h('input', { type: 'text', name: prop.name, required: prop.required, maxLength: prop.maxLength, value: value ?? '' });
  }
}

function readValue(prop: PropertyInfo, input: Input | HTMLElement): unknown {
  if (prop.type === 'ids') return [...input.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => Number(i.value));
  const el = input as Input;
  if (prop.type === 'boolean') return (el as HTMLInputElement).checked;
  if (el.value === '') return null;
  switch (prop.type) {
    case 'integer': case 'number': case 'reference': return Number(el.value);
    // A local time without an offset is read by the server as Taiwan time.
    case 'timestamp': return `${el.value}:00`;
    default: return el.value;
  }
}

/**
 * A form for a layer's properties, generated from the registry: the right input for each type,
 * required ones marked, and derived or unlisted ones left out (the server fills them in).
 */
export function featureForm(layer: LayerInfo, initial: Record<string, unknown>, optionsFor: OptionsFor, only?: readonly string[]): FeatureForm {
  const props = layer.properties.filter((p) => !p.derived && p.type !== 'indicators' && (!only || only.includes(p.name)));
  const inputs = new Map<string, Input | HTMLElement>();
  const errors = new Map<string, HTMLElement>();
  const fields = props.map((p) => {
    const input = inputFor(p, initial[p.name], optionsFor);
    inputs.set(p.name, input);
    const error = h('span', { class: 'field-error', role: 'alert', hidden: true });
    errors.set(p.name, error);
    const limit = limitText(p);
    return h('label', { class: `field field-${p.type}`, dataset: { property: p.name } },
      h('span', { class: 'field-label' }, p.label, p.required ? h('b', { class: 'required', title: '必填' }, '＊') : null,
        limit ? h('small', { class: 'field-limit' }, limit) : null), input, error);
  });
  const start = Object.fromEntries(props.map((p) => [p.name, JSON.stringify(readValue(p, inputs.get(p.name)!))]));
  return {
    element: h('div', { class: 'feature-form' }, fields),
    values: () => Object.fromEntries(props.map((p) => [p.name, readValue(p, inputs.get(p.name)!)] as const)
      .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))),
    changed: () => Object.fromEntries(props.map((p) => [p.name, readValue(p, inputs.get(p.name)!)] as const)
      .filter(([name, v]) => JSON.stringify(v) !== start[name])),
    showError(field, message) {
      const name = field?.startsWith('properties.') ? field.slice('properties.'.length) : undefined;
      const el = name ? errors.get(name) : undefined;
      if (!el) return false;
      el.textContent = message;
      el.hidden = false;
      (inputs.get(name!) as HTMLElement | undefined)?.focus?.();
      return true;
    },
    clearErrors() {
      for (const el of errors.values()) el.hidden = true;
    },
  };
}
